"""`supportbot serve` as a child process against the Slack Web API stand-in, for delivery tests.

The stand-in runs in the test's event loop on 127.0.0.1; each `serve` is a real process with its
own event loop, engine and outbox worker, so `kill -9`, SIGTERM and two replicas are real.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.casework.payload import encode
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.standins.slack_api import SlackStandIn
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, OutboxMessage, OutboxState, TargetKind

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


@dataclass
class Serve:
    """One `supportbot serve` process."""

    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @classmethod
    async def start(cls, workdir: Path, database_url: str, slack: SlackStandIn, name: str) -> Serve:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
        env |= {
            "SUPPORTBOT_DATABASE_URL": database_url,
            "SUPPORTBOT_SCHEDULER_INTERVAL": "1",
            "SLACK_SIGNING_SECRET": "standin-signing-secret",
            "SLACK_BOT_TOKEN": "xoxb-standin",
            "SLACK_API_URL": slack.base_url,
            "PYTHONPATH": str(REPO),
        }
        log = workdir / f"{name}.log"
        with log.open("wb") as sink:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--port",
                str(port),
                cwd=workdir,
                env=env,
                stdout=sink,
                stderr=sink,
            )
        serve = cls(proc, port, log)
        deadline = time.monotonic() + 30
        while await asyncio.to_thread(_status, serve.url("/healthz")) is None:
            if proc.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {log.read_text()}")
            await asyncio.sleep(0.2)
        return serve

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.kill()
        await self.proc.wait()


async def queue_posts(store: Store, count: int, channels: int, prefix: str = "post") -> list[str]:
    """`count` channel posts spread over Slack channels C0..; their texts, in order."""
    texts = []
    async with store.unit_of_work() as uow:
        for i in range(count):
            text = f"{prefix} {i}"
            reply = Reply(Message(text), Audience.CHANNEL)
            item = OutboxItem(
                f"test:{prefix}:{i}",
                Platform.SLACK,
                f"C{i % channels}",
                TargetKind.CHANNEL,
                encode(reply),
                datetime.now(UTC),
            )
            await uow.outbox.add(item)
            texts.append(text)
        await uow.commit()
    return texts


def arrived(slack: SlackStandIn) -> Counter[str]:
    """How often each post's text reached the stand-in (accepted posts only)."""
    return Counter(
        str(call.body.get("text", ""))
        for call in slack.calls_to("chat.postMessage")
        if call.status == 200
    )


async def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll `condition()` until true; how long it took. Fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def rows(store: Store) -> list[OutboxMessage]:
    async with store.unit_of_work(read_only=True) as uow:
        return [
            *await uow.outbox.listing(OutboxState.PENDING, 10_000),
            *await uow.outbox.listing(OutboxState.SENT, 10_000),
            *await uow.outbox.listing(OutboxState.DEAD, 10_000),
        ]
