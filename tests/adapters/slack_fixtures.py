"""Slack adapter fixtures: the real aiohttp app with the Slack adapter, a Web API stand-in,
the command tests' directory in a temporary SQLite store, and signed requests."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.adapters.http import build_web_app
from bot.adapters.slack import PLATFORM as SLACK
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.verify import Limits
from bot.commands.router import Router
from bot.model import Case
from bot.policy.config import PolicyConfig
from bot.settings import Settings
from bot.standins.slack_api import SlackStandIn
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.interface.cases import CaseState
from bot.store.sql import open_store
from tests.sqlite_templates import SqliteTemplates

DIRECTORY = Path(__file__).parents[1] / "unit" / "commands" / "directory.yaml"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
# Tuesday 24 November 2026, 10:00 in New York: inside NA business hours.
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@dataclass
class FixedClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SlackHarness:
    """Sends signed Slack requests through the real aiohttp app and reads what happened."""

    client: TestClient[Any, Any]
    adapter: SlackAdapter
    api: SlackStandIn
    store: Store
    clock: FixedClock
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def signed_headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(
        self, body: str, content_type: str, headers: Mapping[str, str] | None = None
    ) -> ClientResponse:
        sent = {"Content-Type": content_type, **(headers if headers is not None else {})}
        return await self.client.post("/slack/events", data=body.encode(), headers=sent)

    async def signed(
        self, body: str, content_type: str, extra: Mapping[str, str] | None = None
    ) -> ClientResponse:
        headers = {**self.signed_headers(body), **(extra or {})}
        return await self.post(body, content_type, headers)

    def slash_body(
        self,
        text: str,
        user: str = "UALICE",
        team: str = "T1",
        channel: str = "CACME",
        trigger_id: str | None = None,
    ) -> str:
        trigger = trigger_id or self.next_id("trig-")
        return urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "example",
                "channel_id": channel,
                "channel_name": "support",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/case",
                "text": text,
                "api_app_id": "A1",
                "response_url": self.api.response_url(trigger),
                "trigger_id": trigger,
            }
        )

    async def slash(self, text: str, **kwargs: Any) -> ClientResponse:
        """`/case TEXT`, signed, then waits for the work after the acknowledgement.

        An answer that rode on the acknowledgement is recorded at the stand-in as the
        response_url post it stands for.
        """
        kwargs.setdefault("trigger_id", self.next_id("trig-"))
        response = await self.signed(
            self.slash_body(text, **kwargs), "application/x-www-form-urlencoded"
        )
        if response.status == 200:
            self.api.acknowledged(kwargs["trigger_id"], await response.read())
        await self.adapter.drain()
        return response

    async def interaction(self, payload: Mapping[str, Any]) -> ClientResponse:
        body = urlencode({"payload": json.dumps(payload)})
        response = await self.signed(body, "application/x-www-form-urlencoded")
        await self.adapter.drain()
        return response

    async def event(
        self, event: Mapping[str, Any], event_id: str | None = None, retry: int | None = None
    ) -> ClientResponse:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": dict(event),
                "type": "event_callback",
                "event_id": event_id or self.next_id("Ev"),
                "event_time": int(time.time()),
            }
        )
        extra = (
            {}
            if retry is None
            else {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        )
        response = await self.signed(body, "application/json", extra)
        await self.adapter.drain()
        return response

    def user(self, user: str, team: str = "T1") -> dict[str, str]:
        return {"id": user, "team_id": team}

    async def button(
        self, action_id: str, case: int | None, user: str = "UALICE", channel: str | None = "CACME"
    ) -> str:
        """Clicks a card button; returns the trigger id."""
        trigger = self.next_id("trig-")
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": self.user(user),
            "api_app_id": "A1",
            "trigger_id": trigger,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b1",
                    "action_ts": "1700000000.1",
                    **({"value": str(case).zfill(10)} if case is not None else {}),
                }
            ],
        }
        if channel is not None:
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "channel_id": channel}
            payload["response_url"] = self.api.response_url(trigger)
        else:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
        await self.interaction(payload)
        return trigger

    async def submit(
        self, view: Mapping[str, Any], values: Mapping[str, Any], user: str = "UALICE"
    ) -> ClientResponse:
        """Submits a modal the bot opened, with `values` as {field: text | option value | bool}."""
        state: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, bool):
                chosen = [{"value": "true"}] if value else []
                state[name] = {name: {"type": "checkboxes", "selected_options": chosen}}
            elif name in _choice_fields(view):
                state[name] = {name: {"type": "static_select", "selected_option": {"value": value}}}
            else:
                state[name] = {name: {"type": "plain_text_input", "value": value}}
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": self.user(user),
            "api_app_id": "A1",
            "trigger_id": self.next_id("trig-"),
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "state": {"values": state},
            },
        }
        return await self.interaction(payload)

    def last_view(self) -> dict[str, Any]:
        opened = self.api.calls_to("views.open")
        if not opened:
            raise AssertionError("no modal was opened")
        view = opened[-1].body["view"]
        return json.loads(view) if isinstance(view, str) else dict(view)

    async def case(self, number: int) -> Case | None:
        async with self.store.unit_of_work() as uow:
            return await uow.cases.get(number)

    async def count_cases(self) -> int:
        async with self.store.unit_of_work() as uow:
            total = 0
            for account in await uow.directory.accounts():
                total += len(await uow.cases.for_account(account.id, CaseState.ALL))
            return total


def _choice_fields(view: Mapping[str, Any]) -> set[str]:
    return {
        block["block_id"]
        for block in view.get("blocks", [])
        if block.get("type") == "input" and block["element"]["type"] == "static_select"
    }


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackStandIn]:
    stand_in = SlackStandIn(emails={"UNEWALICE": "Alice@Acme.example", "USTRANGER": "x@y.example"})
    await stand_in.start()
    yield stand_in
    await stand_in.close()


@pytest.fixture
async def slack_store(tmp_path: Path, sqlite_templates: SqliteTemplates) -> AsyncIterator[Store]:
    opened = await open_store(sqlite_templates.copy(tmp_path / "slack.db", DIRECTORY))
    yield opened
    await opened.close()


@contextlib.asynccontextmanager
async def running_slack(
    slack_api: SlackStandIn,
    store: Store,
    limits: Limits | None = None,
    staff_workspaces: frozenset[str] = frozenset({"T0"}),  # the vendor's; acme lists T1
    attachments: Path | None = None,  # where CONV-5 files are kept (none: not kept)
) -> AsyncIterator[SlackHarness]:
    """The real aiohttp app with the Slack adapter, on 127.0.0.1, until the block ends."""
    configured = Settings(
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_api.base_url,
        slack_staff_workspaces=staff_workspaces,
    )
    config = PolicyConfig()
    clock = FixedClock()
    storage = FolderStorage(attachments) if attachments is not None else None
    router = Router(store, config, attachments=storage)
    adapter = SlackAdapter(router, store, configured, config, clock, limits)

    async def health() -> dict[str, Any]:
        return {"ok": True}

    server = TestServer(build_web_app([(SLACK.route, adapter.handle)], health), host="127.0.0.1")
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        yield SlackHarness(client, adapter, slack_api, store, clock)
    finally:
        await adapter.drain()
        await adapter.close()
        await client.close()


@pytest.fixture
async def slack(slack_api: SlackStandIn, slack_store: Store) -> AsyncIterator[SlackHarness]:
    async with running_slack(slack_api, slack_store) as harness:
        yield harness


@pytest.fixture
async def slack_slow_reads(
    slack_api: SlackStandIn, slack_store: Store
) -> AsyncIterator[SlackHarness]:
    """The Slack app with a half-second body read limit, for the slow-body test."""
    async with running_slack(slack_api, slack_store, Limits(read_seconds=0.5)) as harness:
        yield harness
