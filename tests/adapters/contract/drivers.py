"""One driver per platform for the adapter contract suite: the same questions, each platform's
own requests and stand-in. All three platforms are served by one `bot.server.Server`, which
registers them through the `ChatPlatform` protocol (FakeChat beside the registry's two)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl

from aiohttp import ClientResponse

from bot.adapters.platform import ChatPlatform
from bot.adapters.slack import PLATFORM as SLACK
from bot.adapters.teams import PLATFORM as TEAMS
from bot.cards.slack import MESSAGE_BLOCKS
from bot.model import ChatIdentity
from bot.settings import Settings
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn
from tests.adapters.fakechat.platform import SIGNATURE, FakeChatPlatform, sign
from tests.adapters.fakechat.render import MESSAGE_CHARS
from tests.adapters.fakechat.standin import FakeChatService
from tests.adapters.slack_fixtures import SlackHarness
from tests.adapters.teams_fixtures import APP_ID, CHANNEL, TeamsWorld
from tests.unit.cards.slack_checks import check_budgets, parse_blocks
from tests.unit.cards.test_teams import validate as validate_card

PLATFORM_NAMES = ("slack", "teams", "fakechat")
KNOWN, UNKNOWN = "known", "unknown"  # alice (designated on acme) and a stranger


class Driver(Protocol):
    """What the contract asks of each platform's test harness."""

    platform: ChatPlatform
    target: str  # a channel the directory binds to acme, for outbox posts
    settings: Settings  # what the platform's manifest is built from

    async def ask(self, text: str, who: str = KNOWN) -> str:
        """`text` sent as a signed request; the bot's answer as the platform shows it."""
        ...

    async def unauthenticated(self, text: str) -> ClientResponse:
        """The same request without valid credentials."""
        ...

    def posts(self) -> int:
        """How many messages the platform's stand-in received from the outbox worker."""
        ...

    def payload(self) -> tuple[Mapping[str, Any], ChatIdentity]:
        """An authenticated payload from alice, and who the platform says sent it."""
        ...

    def check_limits(self, rendered: Sequence[Mapping[str, Any]]) -> None: ...


@dataclass
class SlackDriver:
    harness: SlackHarness
    api: SlackStandIn
    platform: ChatPlatform = SLACK
    target: str = "CACME"
    settings: Settings = field(default_factory=Settings)

    _who: ClassVar[dict[str, tuple[str, str]]] = {
        KNOWN: ("UALICE", "T1"),
        UNKNOWN: ("USTRANGER", "T9"),
    }

    async def ask(self, text: str, who: str = KNOWN) -> str:
        user, team = self._who[who]
        before = len(self.api.calls)
        response = await self.harness.slash(text, user=user, team=team)
        assert response.status == 200
        # The answer comes through the response_url, or, for a case card in the channel, as a
        # posted message (so it can start the case's thread, CONV-1).
        answers = [
            c for c in self.api.calls[before:] if c.method in ("response_url", "chat.postMessage")
        ]
        return json.dumps(answers[-1].body, ensure_ascii=False)

    async def unauthenticated(self, text: str) -> ClientResponse:
        body = self.harness.slash_body(text)
        return await self.harness.post(body, "application/x-www-form-urlencoded", {})

    def posts(self) -> int:
        return len(self.api.calls_to("chat.postMessage"))

    def payload(self) -> tuple[Mapping[str, Any], ChatIdentity]:
        body = dict(parse_qsl(self.harness.slash_body("help")))
        return body, ChatIdentity(SLACK.platform, "T1", "UALICE")

    def check_limits(self, rendered: Sequence[Mapping[str, Any]]) -> None:
        slack_limits(rendered)


@dataclass
class TeamsDriver:
    world: TeamsWorld
    connector: ConnectorStandIn
    platform: ChatPlatform = TEAMS
    target: str = CHANNEL
    settings: Settings = field(default_factory=lambda: Settings(microsoft_app_id=APP_ID))

    _who: ClassVar[dict[str, tuple[str, str]]] = {
        KNOWN: ("alice", "aad-alice"),
        UNKNOWN: ("stranger", "aad-stranger"),
    }

    async def ask(self, text: str, who: str = KNOWN) -> str:
        user, aad = self._who[who]
        response = await self.world.send(self.world.personal(text, user=user, aad=aad))
        assert response.status == 200
        return self.connector.posts[-1].text

    async def unauthenticated(self, text: str) -> ClientResponse:
        activity = self.world.personal(text)
        return await self.world.client.post("/api/messages", json=activity)

    def posts(self) -> int:
        return len(self.connector.posts)

    def payload(self) -> tuple[Mapping[str, Any], ChatIdentity]:
        return self.world.personal("help"), ChatIdentity(TEAMS.platform, "tenant-acme", "aad-alice")

    def check_limits(self, rendered: Sequence[Mapping[str, Any]]) -> None:
        teams_limits(rendered)


@dataclass
class FakeChatDriver:
    client: Any  # the aiohttp TestClient of the server
    service: FakeChatService
    platform: FakeChatPlatform
    target: str = "fc-acme"
    settings: Settings = field(default_factory=Settings)

    _who: ClassVar[dict[str, tuple[str, str]]] = {
        KNOWN: ("u-alice", "alice@acme.example"),
        UNKNOWN: ("u-x", "x@nowhere.example"),
    }
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _event(self, text: str, who: str = KNOWN) -> dict[str, Any]:
        user, email = self._who[who]
        event_id = next(self._ids)
        return {"id": event_id, "space": "acme", "user": user, "email": email, "text": text}

    async def ask(self, text: str, who: str = KNOWN) -> str:
        body = json.dumps(self._event(text, who)).encode()
        headers = {SIGNATURE: sign(self.platform.secret, body)}
        response = await self.client.post(self.platform.route.path, data=body, headers=headers)
        assert response.status == 200
        answer = await response.json()
        return "\n".join(message["text"] for message in answer["messages"])

    async def unauthenticated(self, text: str) -> ClientResponse:
        body = json.dumps(self._event(text)).encode()
        headers = {SIGNATURE: sign("not-the-secret", body)}
        response: ClientResponse = await self.client.post(
            self.platform.route.path, data=body, headers=headers
        )
        return response

    def posts(self) -> int:
        return len(self.service.posts)

    def payload(self) -> tuple[Mapping[str, Any], ChatIdentity]:
        return self._event("help"), ChatIdentity(self.platform.platform, "acme", "u-alice")

    def check_limits(self, rendered: Sequence[Mapping[str, Any]]) -> None:
        fakechat_limits(rendered)


def slack_limits(rendered: Sequence[Mapping[str, Any]]) -> None:
    """Block Kit: slack_sdk's models accept every block, within the message budgets."""
    for message in rendered:
        check_budgets(list(message["blocks"]), MESSAGE_BLOCKS)
        parse_blocks(list(message["blocks"]))


def teams_limits(rendered: Sequence[Mapping[str, Any]]) -> None:
    """Adaptive Card 1.5: the official schema, under Teams' 28 KB."""
    for card in rendered:
        validate_card(dict(card))


def fakechat_limits(rendered: Sequence[Mapping[str, Any]]) -> None:
    for message in rendered:
        assert 0 < len(message["text"]) <= MESSAGE_CHARS


# The renderers need no server: each platform object with its limits, in PLATFORM_NAMES' order.
RENDER_CHECKS = [
    (SLACK, slack_limits),
    (TEAMS, teams_limits),
    (FakeChatPlatform("unused", "http://127.0.0.1:1", "unused"), fakechat_limits),
]
