"""Shared parts of the HTTP benchmarks: signed slash commands, the load client, percentiles,
and the processes under test (our `supportbot serve`, a bare bolt app, a null app, the Slack
stand-in), each started as its own process so the load client never shares their CPU.

Also an entry script for the helper processes:
`python bench/harness.py standin|bare|null --port P [--api URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
# Alice Able, designated contact of acme, in acme's channel (examples/directory.yaml).
TEAM, USER, CHANNEL = "T0ACME001", "U0ALICE01", "C0ACME001"
# Two cores: the process under test gets one, the load client and the Slack stand-in the other.
SERVER_CPU, CLIENT_CPU = 1, 0
# A process under test counts as idle below this share of a core over IDLE_WINDOW seconds:
# an idle `serve` (its outbox worker and scheduler polling) used 0.2-2.6% in P8; a scheduler
# pass over 100,000 open cases or a directory check uses most of a core while it runs.
IDLE_SHARE, IDLE_WINDOW = 0.03, 0.5
# A reply posted to a channel carries its request's trigger as `bench_ref` made it.
POSTED_MARK = re.compile(r"benchref-([A-Za-z0-9-]+)")
UNMARKED = "posted:"
# Every bench opens case 1001 with a summary starting so, and `show 1001` posts its card.
SHOWN_SUMMARY = "Nightly export stops"
SHOWN = f": {SHOWN_SUMMARY}"


def pin(cpu: int) -> None:
    """Pin the calling process to one CPU when the machine has more than one."""
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slash_body(
    text: str,
    trigger: str,
    response_url: str,
    team: str = TEAM,
    user: str = USER,
    channel: str = CHANNEL,
) -> str:
    """A `/case TEXT` slash-command body as Slack sends it (from Alice unless told)."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": "alice",
            "command": "/case",
            "text": text,
            "api_app_id": "A0BENCH",
            "response_url": response_url,
            "trigger_id": trigger,
        }
    )


def signed_headers(body: str) -> dict[str, str]:
    """Slack's v0 request signature over `v0:timestamp:body`."""
    ts = str(int(time.time()))
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Load:
    """What one load run saw: per request the trigger, send time and ack latency."""

    sent: dict[str, float] = field(default_factory=dict)  # trigger -> time.monotonic()
    ack: list[float] = field(default_factory=list)  # seconds
    # Answers that rode on the acknowledgement itself: trigger -> (time.monotonic(), body).
    inline: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # "HTTP 500" or exception name -> count
    wall: float = 0.0
    client_cpu: float = 0.0  # the load client's own CPU seconds during the run

    @property
    def rate(self) -> float:
        return len(self.ack) / self.wall if self.wall else 0.0

    def summary(self) -> str:
        ms = [a * 1000 for a in self.ack]
        errors = ", ".join(f"{k}: {v}" for k, v in self.errors.items()) or "none"
        return (
            f"{len(self.ack):,} acks in {self.wall:.2f} s = {self.rate:,.0f} req/s; "
            f"ack p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms; "
            f"client CPU {self.client_cpu / self.wall:.0%} of a core; errors: {errors}"
        )


async def drive(
    url: str,
    text: Callable[[int], str],
    count: int,
    concurrency: int,
    response_root: str,
    prefix: str,
) -> Load:
    """Send `count` signed slash commands over `concurrency` keep-alive connections."""
    load = Load()
    numbers = iter(range(count))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for i in numbers:
                trigger = f"{prefix}-{i}"
                body = slash_body(text(i), trigger, f"{response_root}/response/{trigger}")
                headers = signed_headers(body)
                started = time.perf_counter()
                load.sent[trigger] = time.monotonic()
                try:
                    async with session.post(url, data=body.encode(), headers=headers) as response:
                        answer = await response.read()
                        status = response.status
                    if status == 200 and answer.strip():
                        load.inline[trigger] = (time.monotonic(), json.loads(answer))
                except (aiohttp.ClientError, TimeoutError) as err:
                    load.errors[type(err).__name__] = load.errors.get(type(err).__name__, 0) + 1
                    continue
                if status != 200:
                    load.errors[f"HTTP {status}"] = load.errors.get(f"HTTP {status}", 0) + 1
                    continue
                load.ack.append(time.perf_counter() - started)

        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        load.wall = time.perf_counter() - started
        load.client_cpu = time.process_time() - cpu
    return load


@dataclass
class Served:
    """A process under test (or the stand-in) and the base URL it listens on."""

    process: subprocess.Popen[bytes]
    url: str

    def memory_kb(self) -> dict[str, int]:
        """VmRSS and VmHWM from /proc/<pid>/status, in kB."""
        found: dict[str, int] = {}
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def settle(
        self, below: float = IDLE_SHARE, window: float = IDLE_WINDOW, within: float = 120
    ) -> float:
        """Wait until the process used less than `below` of a core in two windows in a row
        (a scheduler pass, a directory check or the last run's tail has ended); the last rate.
        Gives up after `within` seconds and returns the rate then: printed, never hidden."""
        deadline = time.monotonic() + within
        calm = 0
        while True:
            rate = await self.cpu_rate(window)
            calm = calm + 1 if rate < below else 0
            if calm >= 2 or time.monotonic() > deadline:
                return rate

    async def cpu_rate(self, seconds: float) -> float:
        """The process's CPU seconds per second over the next `seconds` (nothing sent to it)."""
        cpu, started = self.cpu_seconds(), time.monotonic()
        await asyncio.sleep(seconds)
        return (self.cpu_seconds() - cpu) / (time.monotonic() - started)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def wait_ready(url: str, process: subprocess.Popen[bytes], within: float = 60) -> None:
    """Poll GET url until it answers 200 or the process dies."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{process.args!r} exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {within:.0f} s")


def launch(args: list[str], env: Mapping[str, str], log: Path, cpu: int) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: pin(cpu),
        )


async def start_helper(kind: str, workdir: Path, api: str = "") -> Served:
    """`standin`, `bare` or `null` from this file's entry script."""
    port = free_port()
    args = [sys.executable, str(Path(__file__)), kind, "--port", str(port), "--api", api]
    cpu = CLIENT_CPU if kind == "standin" else SERVER_CPU
    process = launch(args, {}, workdir / f"{kind}.log", cpu)
    url = f"http://127.0.0.1:{port}"
    await wait_ready(f"{url}/healthz", process)
    return Served(process, url)


async def start_supportbot(
    database_url: str, standin: str, workdir: Path, name: str, loop: str = "auto"
) -> Served:
    """`supportbot serve` (the whole stack, scheduler on) against the Slack stand-in."""
    port = free_port()
    env = {
        "SUPPORTBOT_DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": f"{standin}/api/",
    }
    args = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--loop", loop]
    process = launch(args, env, workdir / f"{name}.log", SERVER_CPU)
    url = f"http://127.0.0.1:{port}"
    # Reading a 50,000-contact directory at start takes minutes on a saturated machine (P8).
    await wait_ready(f"{url}/healthz", process, within=300)
    return Served(process, url)


def bench_ref(trigger: str) -> str:
    """The word a request's text carries so that a reply posted to the channel, not through
    its response_url (a case card: CONV-1), is known by its trigger (`POSTED_MARK`)."""
    return f"benchref-{trigger}"


async def arrivals(standin: str) -> dict[str, tuple[float, dict[str, Any]]]:
    """Replies the stand-in received: trigger -> (time.monotonic(), body). A response_url post
    is named by its URL; a channel post by the `bench_ref` in it, else `UNMARKED` + a number."""
    async with aiohttp.ClientSession() as session, session.get(f"{standin}/bench/calls") as r:
        calls = await r.json()
    found: dict[str, tuple[float, dict[str, Any]]] = {}
    for call in calls:  # the first reply by that name: `open`'s alerts may carry its title too
        found.setdefault(call["name"], (call["at"], call["body"]))
    return found


async def wait_arrivals(
    standin: str,
    triggers: set[str],
    within: float = 120,
    sent: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Wait until a reply for every trigger reached the stand-in (or the timeout).

    With `sent` (trigger -> when it was sent), a reply posted to the channel that names no
    trigger (`show`'s case card: its text cannot carry a `bench_ref`) is matched by order: the
    unmarked posts since the first trigger was sent, in order of arrival, answer the triggers
    still unanswered, in order of sending. With a few requests in flight that is exact up to
    their reordering; the percentiles over a run are what it is good for, not one request.
    """
    deadline = time.monotonic() + within
    while True:
        got = await arrivals(standin)
        if sent is not None:
            got = by_order(got, triggers, sent)
        if triggers <= got.keys() or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def shown_card(body: Mapping[str, Any]) -> bool:
    """A case card of the benches' shown case (its summary starts with `SHOWN_SUMMARY`) posted
    to the requester's channel: not the scheduler's notices and reports, which reach the same
    stand-in at any time (a queue alert, a breach notice, a monthly summary)."""
    text = str(body.get("text", ""))
    return body.get("channel") == CHANNEL and text.startswith("Case ") and SHOWN in text


def by_order(
    got: dict[str, tuple[float, dict[str, Any]]], triggers: set[str], sent: Mapping[str, float]
) -> dict[str, tuple[float, dict[str, Any]]]:
    """`got` with the shown case's cards posted since the first of `sent` named, by order."""
    since = min((sent[t] for t in triggers), default=0.0)
    unmarked = sorted(
        (
            reply
            for name, reply in got.items()
            if name.startswith(UNMARKED) and reply[0] >= since and shown_card(reply[1])
        ),
        key=lambda reply: reply[0],
    )
    waiting = sorted((t for t in triggers if t not in got), key=lambda t: sent[t])
    return got | dict(zip(waiting, unmarked, strict=False))


async def slash(base: str, standin: str, text: str, trigger: str) -> dict[str, Any]:
    """One signed `/case TEXT` and the reply it produced at the stand-in."""
    body = slash_body(text, trigger, f"{standin}/response/{trigger}")
    sent = time.monotonic()
    async with aiohttp.ClientSession() as session:
        post = session.post(
            f"{base}/slack/events", data=body.encode(), headers=signed_headers(body)
        )
        async with post as response:
            if response.status != 200:
                raise SystemExit(f"/case {text} answered HTTP {response.status}")
            answer = await response.read()
    if answer.strip():
        return dict(json.loads(answer))  # the answer rode on the acknowledgement
    # Through its response_url, or posted to the channel (a case card, CONV-1): one request
    # at a time here, so the first unmarked channel post since it was sent is its reply.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = await arrivals(standin)
        if trigger in got:
            return dict(got[trigger][1])
        posted = [
            (at, body)
            for name, (at, body) in got.items()
            if name.startswith(UNMARKED) and at >= sent
        ]
        if posted:
            return dict(min(posted, key=lambda p: p[0])[1])
        await asyncio.sleep(0.2)
    raise SystemExit(f"/case {text}: no reply reached the stand-in")


@dataclass
class Through:
    """A load run through the whole stack: the acks, and when each reply reached Slack."""

    load: Load
    replies: dict[str, Any]  # trigger -> the response_url body
    e2e: list[float]  # seconds from sending the request to its reply reaching the stand-in
    completed_wall: float  # first request sent -> last reply arrived
    server_cpu: float  # CPU seconds the server used for the run

    @property
    def completed_rate(self) -> float:
        return len(self.e2e) / self.completed_wall if self.completed_wall else 0.0

    def summary(self) -> str:
        ms = [e * 1000 for e in self.e2e]
        missing = len(self.load.ack) - len(self.e2e)
        return (
            f"{len(self.e2e):,} replies in {self.completed_wall:.2f} s = "
            f"{self.completed_rate:,.0f} req/s; reply p50 {percentile(ms, 50):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms; replies missing: {missing}; "
            f"server CPU {self.server_cpu / self.completed_wall:.0%} of a core"
        )


async def drive_through(
    served: Served,
    standin: str,
    text: Callable[[int], str],
    count: int,
    concurrency: int,
    prefix: str,
) -> Through:
    """`drive` our server, then wait for every reply to reach the stand-in."""
    cpu = served.cpu_seconds()
    load = await drive(f"{served.url}/slack/events", text, count, concurrency, standin, prefix)
    got = dict(load.inline)
    got.update(await wait_arrivals(standin, set(load.sent) - set(load.inline), sent=load.sent))
    server_cpu = served.cpu_seconds() - cpu
    mine = {t: got[t] for t in load.sent if t in got}
    e2e = [at - load.sent[t] for t, (at, _) in mine.items()]
    wall = max(at for at, _ in mine.values()) - min(load.sent.values()) if mine else 0.0
    replies = {t: body for t, (_, body) in mine.items()}
    return Through(load, replies, e2e, wall, server_cpu)


def log_problems(log: Path) -> str:
    """Warnings and errors the server logged (JSON lines), counted by their last line."""
    seen: dict[str, int] = {}
    lines = log.read_text(errors="replace").splitlines()
    # Only while serving: start-up notices (Teams without credentials, ...) are not findings.
    first = next((i for i, line in enumerate(lines) if line.startswith("supportbot serving")), 0)
    for line in lines[first:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("level") not in ("warning", "error"):
            continue
        if entry.get("message", "").startswith("shutting down"):
            continue
        error = str(entry.get("error", "")).strip().splitlines()
        what = f"{entry.get('message', '')}: {error[-1][:120]}" if error else entry.get("message")
        key = f"{entry['level']} {what}"
        seen[key] = seen.get(key, 0) + 1
    return "; ".join(f"{n:,} x {k}" for k, n in sorted(seen.items(), key=lambda kv: -kv[1]))


def rss_line(served: Served, when: str) -> str:
    mem = served.memory_kb()
    return f"{when}: VmRSS {mem['VmRSS'] / 1024:.1f} MB, VmHWM {mem['VmHWM'] / 1024:.1f} MB"


# -- helper processes -----------------------------------------------------------------------


def _standin_app() -> web.Application:
    from bot.standins.slack_api import SlackStandIn

    stand_in = SlackStandIn()
    app = web.Application()
    app.router.add_post("/api/{method}", stand_in._api)
    app.router.add_get("/api/{method}", stand_in._api)
    app.router.add_post("/response/{name}", stand_in._response_url)

    named: list[dict[str, Any]] = []  # what `calls` answers, built once per call
    seen = 0

    async def calls(_request: web.Request) -> web.Response:
        nonlocal seen
        for index in range(seen, len(stand_in.calls)):
            call = stand_in.calls[index]
            if call.method == "response_url":
                named.append({"name": call.body["_name"], "at": call.at, "body": call.body})
            elif call.method == "chat.postMessage" and call.status == 200:
                found = POSTED_MARK.search(json.dumps(call.body))
                name = found.group(1) if found else f"{UNMARKED}{index}"
                named.append({"name": name, "at": call.at, "body": call.body})
        seen = len(stand_in.calls)
        return web.json_response(named)

    app.router.add_get("/bench/calls", calls)
    return app


def _bare_app(api: str) -> web.Application:
    """A bolt AsyncApp that only acks `/case`, mounted like ours (bolt's aiohttp helpers)."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=f"{api}/api/"),
        signing_secret=SIGNING_SECRET,
        process_before_response=False,
    )

    @bolt.command("/case")
    async def ack_only(ack: Any) -> None:
        await ack()

    async def events(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


def _null_app() -> web.Application:
    """No work at all: the ceiling of the load client and aiohttp on this machine."""

    async def events(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark helper processes")
    parser.add_argument("kind", choices=["standin", "bare", "null"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", default="")
    args = parser.parse_args()
    apps: dict[str, Callable[[], web.Application]] = {
        "standin": _standin_app,
        "bare": lambda: _bare_app(args.api),
        "null": _null_app,
    }
    app = apps[args.kind]()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
