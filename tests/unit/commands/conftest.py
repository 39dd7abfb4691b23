"""Command tests: the real router on a real SQLite store loaded with `directory.yaml` (each test
its own copy of a template built once per session).

`chat(email)` gives a `Person` who types commands at a fixed, movable clock; tests assert on
the `Reply` and on what was (or was not) written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands import identity
from bot.commands.router import Router
from bot.messages import ChatRequest, Command, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.sql import open_store
from tests.sqlite_templates import SqliteTemplates

DIRECTORY = Path(__file__).with_name("directory.yaml")
# Tuesday 24 November 2026, 10:00 in New York: inside NA business hours.
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = T0

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@dataclass
class Person:
    """Someone typing commands on a platform, in a channel (a DM unless told otherwise)."""

    router: Router
    clock: Clock
    email: str
    platform: Platform = Platform.SLACK
    channel: str = "D-DIRECT"
    direct: bool = True
    sent: list[str] = field(default_factory=list)

    async def say(
        self, text: str, channel: str | None = None, request_id: str | None = None
    ) -> Reply:
        async with self.router.store.unit_of_work() as uow:
            actor = await identity.by_email(
                uow.directory, self.platform, f"user:{self.email}", self.email
            )
        in_channel = channel is not None
        req = ChatRequest(
            platform=self.platform,
            workspace="T1",
            channel_id=channel or self.channel,
            actor=actor,
            command=Command.unparsed(text),
            now=self.clock.now,
            is_direct=not in_channel and self.direct,
            request_id=request_id,
        )
        self.sent.append(text)
        return await self.router.handle(req)


@pytest.fixture
async def store(tmp_path: Path, sqlite_templates: SqliteTemplates) -> AsyncIterator[Store]:
    """A private copy of the session's migrated store with `directory.yaml` loaded."""
    opened = await open_store(sqlite_templates.copy(tmp_path / "commands.db", DIRECTORY))
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config() -> PolicyConfig:
    return PolicyConfig()


@pytest.fixture
def router(store: Store, config: PolicyConfig) -> Router:
    return Router(store, config)


@pytest.fixture
def chat(router: Router, clock: Clock):  # type: ignore[no-untyped-def]
    def make(email: str, platform: Platform = Platform.SLACK) -> Person:
        return Person(router, clock, email, platform)

    return make
