"""End to end through Microsoft's own Teams client emulator, the M365 Agents Playground (#15).

`supportbot serve` runs in SUPPORTBOT_TEAMS_EMULATOR=1 mode on 127.0.0.1; the Playground
(npm `@microsoft/m365agentsplayground`, pinned in tests/e2e/playground/package.json, installed
with `npm ci --prefix tests/e2e/playground`) is started as the Teams client with telemetry off.
The test drives it through the Playground's own HTTP API, the one its web UI uses: user
messages (`POST /_conversation/v1/conversations/{id}/messages`), card buttons
(`POST /_conversation/v1/invoke`, an `adaptiveCard/action`), and reads what the bot posted from
its conversation stream (`/_ws_conversation/v1/conversations/stream`). Channel posts, thread
replies and reactions go through its "Mock an activity" feature (`GET
/_internal/v1/customActivities/template`, `POST /_internal/v1/customActivities`), which sends
the activity as given. The Playground's mock user (Alex Wilber) is mapped in the directory as
Alice, designated contact of acme, and its team's General channel is acme's Teams channel.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.model import Status
from bot.standins.teams_connector import card_text
from bot.store.sql import open_store

REPO = Path(__file__).resolve().parents[2]
PLAYGROUND = REPO / "tests" / "e2e" / "playground"
BIN = PLAYGROUND / "node_modules" / ".bin" / "agentsplayground"
DIRECTORY = REPO / "tests" / "unit" / "commands" / "directory.yaml"
# The Playground's built-in tenant and current user (GET /_internal/v1/config).
TENANT = "00000000-0000-0000-0000-0000000000001"
USER_AAD = "00000000-0000-0000-0000-0000000000020"
USER = "user-id-0"
BOT_ID = "00000000-0000-0000-0000-00000000000011"  # the Playground's bot account
CHANNEL = "team-id"  # the Playground team's General channel
BOT_NAME = "Test Bot"
WAIT = 30.0  # an upper bound for the processes to answer, not a timing assertion
DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"
REASON = "The export still fails for the finance reports with the same error as before"

pytestmark = [pytest.mark.slow]


def _why_not() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (the Agents Playground is an npm package)"
    if not BIN.exists():
        return "the Agents Playground is not installed: run `npm ci --prefix tests/e2e/playground`"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """The Teams user in the Playground's personal chat."""

    def __init__(self, session: aiohttp.ClientSession, base: str, conversation: str) -> None:
        self.session = session
        self.base = base
        self.conversation = conversation
        self.stream: aiohttp.ClientWebSocketResponse | None = None

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Type `text`; the bot's messages in answer (until it has been quiet for a moment)."""
        url = f"{self.base}/_conversation/v1/conversations/{self.conversation}/messages"
        body = {"from": {"id": USER}, "text": text, "textFormat": "plain"}
        async with self.session.post(url, json=body) as response:
            assert response.status == 200, await response.text()
        return await self._bot_messages()

    async def press(self, message: dict[str, Any], verb: str, data: dict[str, Any]) -> Any:
        """Press an Action.Execute button (or submit a card form) on one of the bot's cards."""
        body = {
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            "from": {"id": USER},
            "conversation": {"id": self.conversation},
            "replyToId": message["messageId"],
        }
        async with self.session.post(f"{self.base}/_conversation/v1/invoke", json=body) as r:
            assert r.status == 200, await r.text()
            return await r.json()

    async def activity(
        self, conversation: str, changes: dict[str, Any], thread: str | None = None
    ) -> list[dict[str, Any]]:
        """Send any activity through the Playground's "custom activity" feature (its own
        template for `conversation`, with `changes`; in the thread under message `thread`, as
        Teams names it: `{channel};messageid={root}`); the bot's messages in answer."""
        url = f"{self.base}/_internal/v1/customActivities"
        params = {"conversationId": conversation}
        async with self.session.get(f"{url}/template", params=params) as response:
            assert response.status == 200, await response.text()
            activity = await response.json() | changes
        if thread is not None:
            activity["conversation"]["id"] = f"{conversation};messageid={thread}"
        async with self.session.post(url, json=activity) as response:
            assert response.status == 200, await response.text()
        return await self._bot_messages()

    async def _bot_messages(self) -> list[dict[str, Any]]:
        assert self.stream is not None
        found: list[dict[str, Any]] = []
        wait = WAIT
        while True:
            try:
                raw = await asyncio.wait_for(self.stream.receive(), wait)
            except TimeoutError:
                if found:
                    return found
                raise AssertionError("the bot did not answer") from None
            event = json.loads(raw.data)
            message = event.get("message") or {}
            if event.get("action") == "createMessage" and message.get("from", {}).get("id") != USER:
                found.append(message)
                wait = 1.5  # further cards of the same answer follow at once


def _text(messages: list[dict[str, Any]]) -> str:
    parts = [m.get("text") or "" for m in messages]
    parts += [card_text(a.get("content")) for m in messages for a in m.get("attachments", [])]
    return "\n".join(parts)


def _cards(messages: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(m, a["content"]) for m in messages for a in m.get("attachments", [])]


def _until_up(url: str) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not come up")
        time.sleep(0.2)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """`supportbot serve` (emulator mode) and the Playground pointed at it: their ports."""
    why = _why_not()
    if why:
        pytest.skip(why)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {
        "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "SUPPORTBOT_TEAMS_EMULATOR": "1",
        "PYTHONPATH": str(REPO),
    }
    directory = tmp_path / "directory.yaml"
    directory.write_text(
        DIRECTORY.read_text("utf-8")
        .replace(
            "teams: {tenant: tenant-acme, aad_object_id: aad-alice}",
            f"teams: {{tenant: '{TENANT}', aad_object_id: '{USER_AAD}'}}",
        )
        # The Playground's team channel "General" is acme's Teams channel (section 7).
        .replace('id: "19:acme@thread.tacv2"', f"id: {CHANNEL}")
        .replace("tenant: tenant-acme}", f"tenant: '{TENANT}'}}"),
        "utf-8",
    )
    cli = [sys.executable, "-m", "bot.cli"]
    for args in (["db", "upgrade"], ["directory", "load", str(directory)]):
        subprocess.run(cli + args, cwd=tmp_path, env=env, check=True, capture_output=True)
    bot_port, client_port = _free_port(), _free_port()
    with open(tmp_path / "serve.log", "w") as log:
        bot = subprocess.Popen(
            [*cli, "serve", "--port", str(bot_port), "--no-scheduler"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    client = subprocess.Popen(
        [
            str(BIN),
            "--app-endpoint",
            f"http://127.0.0.1:{bot_port}/api/messages",
            "--channel-id",
            "msteams",
            "--port",
            str(client_port),
            "--disable-telemetry",  # nothing leaves this machine
        ],
        cwd=tmp_path,
        # The Playground opens a browser unless TEAMSAPPTESTER_BROWSER=none (dist/index.js,
        # `shouldOpenBrowser`); without xdg-open that spawn error kills it right after it listens.
        env=env | {"TEAMSAPPTESTER_BROWSER": "none", "BROWSER": "none"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _until_up(f"http://127.0.0.1:{bot_port}/healthz")
        _until_up(f"http://127.0.0.1:{client_port}/_internal/v1/config")
        yield bot_port, client_port
    finally:
        os.killpg(client.pid, signal.SIGTERM)
        bot.send_signal(signal.SIGTERM)
        client.wait(timeout=WAIT)
        bot.wait(timeout=WAIT)


@pytest.fixture
async def playground(processes: tuple[int, int]) -> AsyncIterator[Client]:
    base = f"http://127.0.0.1:{processes[1]}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
        async with session.get(f"{base}/_internal/v1/config") as response:
            config = (await response.json())["config"]
        assert config["tenantId"] == TENANT and config["currentUser"]["aadObjectId"] == USER_AAD
        user = Client(session, base, config["personalChat"]["id"])
        ws = base.replace("http", "ws", 1) + "/_ws_conversation/v1/conversations/stream"
        async with session.ws_connect(ws) as stream:
            user.stream = stream
            yield user


async def test_a_teams_user_works_a_case_through_the_agents_playground(
    playground: Client, tmp_path: Path
) -> None:
    user = playground
    assert "whoami" in _text(await user.say("help"))
    assert "alice@acme.example" in _text(await user.say("whoami"))

    opened = await user.say(f'open medium "Reports export fails" --description "{DESCRIPTION}"')
    found = re.search(r"\b(\d{10})\b", _text(opened))
    assert found is not None, _text(opened)
    ref = found.group(1)
    number = int(ref)
    assert "Reports export fails" in _text(await user.say(f"show {number}"))
    assert ref in _text(await user.say("list --account acme"))

    assert "on the staging server" in _text(
        await user.say(f"update {number} We also see it on the staging server")
    )
    # The Update button on the case card: a form, then the update from it (#15).
    shown = await user.say(f"show {number}")
    message, _card = next(
        (m, c)
        for m, c in _cards(shown)
        if any(a.get("verb") == "case:update" for a in c.get("actions", []))
    )
    form = await user.press(message, "case:update", {"case": number})
    assert form["type"] == "application/vnd.microsoft.card.adaptive", form
    submit = form["value"]["actions"][0]
    assert submit["verb"] == "form:update"
    data = submit["data"] | {"text": "Pressing the button works as well"}
    answer = await user.press(message, submit["verb"], data)
    assert "Pressing the button works as well" in card_text(answer["value"])

    await user.say(f"close {number} resolved Fixed after the patch")
    await user.say(f"reopen {number} {REASON}")

    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with store.unit_of_work() as uow:
            case = await uow.cases.get(number)
    finally:
        await store.close()
    assert case is not None and case.status is Status.OPEN
    bodies = [e.body for e in case.events]
    assert "We also see it on the staging server" in bodies
    assert "Pressing the button works as well" in bodies
    assert REASON in bodies


async def test_a_thread_reply_and_a_reaction_in_a_teams_channel_through_the_agents_playground(
    playground: Client, tmp_path: Path
) -> None:
    """Section 7: the Playground sends channel posts, thread replies and reactions as custom
    activities (its "Mock an activity" feature), exactly as the JSON says."""
    user = playground
    assert "alice@acme.example" in _text(await user.say("whoami"))  # the 1:1 chat is known
    mention = f"<at>{BOT_NAME}</at>"
    post_id = "1764000000001"
    asked = f'open medium "Reports export fails" --description "{DESCRIPTION}"'
    opened = await user.activity(
        CHANNEL,
        {
            "type": "message",
            "id": post_id,
            "text": f"<p>{mention} {asked}</p>",
            "textFormat": "xml",
            "entities": [{"type": "mention", "text": mention, "mentioned": {"id": BOT_ID}}],
        },
    )
    found = re.search(r"\b(\d{10})\b", _text(opened))
    assert found is not None, _text(opened)
    number = int(found.group(1))
    card = next(m for m, _ in _cards(opened))
    # A reply in the post's thread, without a mention: the case's customer thread (CONV-2).
    answered = await user.activity(
        CHANNEL,
        {"type": "message", "id": "1764000000002", "text": "<p>Here is the log excerpt</p>"},
        thread=post_id,
    )
    assert "Added to case" in _text(answered), _text(answered)
    # The capture emoji on the bot's card (Teams reports reactions to the bot's own posts):
    # a designated contact is offered the form, and nothing opens without it (CONV-4).
    reacted = await user.activity(
        CHANNEL,
        {
            "type": "messageReaction",
            "replyToId": card["messageId"],
            "reactionsAdded": [{"type": "ticket"}],
        },
    )
    assert "Open a case from this message?" in _text(reacted), _text(reacted)
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with store.unit_of_work() as uow:
            case = await uow.cases.get(number)
            second = await uow.cases.get(number + 1)
    finally:
        await store.close()
    assert case is not None and "Here is the log excerpt" in [e.body for e in case.events]
    assert second is None
