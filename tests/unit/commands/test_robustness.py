"""R6: no input crashes a handler; over-long input is refused naming the limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import identity
from bot.commands.registry import VERBS
from bot.commands.router import Router
from bot.directory import load_directory
from bot.messages import ChatRequest, Command, Message, Outcome, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.sql import open_store

from .conftest import DIRECTORY, T0

PEOPLE = ("alice@acme.example", "rita@acme.example", "ana@vendor.example", "nobody@else.example")
# Words that steer the parser into every branch: case refs, options, priorities, statuses.
WORDS = st.sampled_from(
    [
        "1001",
        "#1001",
        "0000001001",
        "99999999999",
        "--account",
        "acme",
        "--impact",
        "--rca",
        "--all",
        "--closed",
        "--security",
        "high",
        "critical",
        "low",
        "resolved",
        "cancelled",
        "Open/Investigation",
        '"',
        "'",
        "\u202e",
        "\u200f",
        "<!channel>",
        "[x](http://evil)",
        "\x00",
        "—account",
        "“quoted”",
    ]
)
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=40)), max_size=12).map(" ".join)


class Bench:
    """A router on a real store, driven from synchronous hypothesis tests through one loop."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.store = self.loop.run_until_complete(open_store(f"sqlite+aiosqlite:///{path}"))
        self.loop.run_until_complete(load_directory(self.store, DIRECTORY))
        self.router = Router(self.store, PolicyConfig())
        # One real case so that references hit something.
        self.say("alice@acme.example", "open medium Export of reports fails after upgrade")

    def say(self, email: str, text: str, channel: str = "CACME") -> Reply:
        return self.loop.run_until_complete(self._say(email, text, channel))

    async def _say(self, email: str, text: str, channel: str) -> Reply:
        async with self.store.unit_of_work() as uow:
            actor = await identity.by_email(uow.directory, Platform.SLACK, "U1", email)
        req = ChatRequest(Platform.SLACK, "T1", channel, actor, Command.unparsed(text), T0)
        return await self.router.handle(req)

    def close(self) -> None:
        self.loop.run_until_complete(self.store.close())
        self.loop.close()


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    made = Bench(tmp_path_factory.mktemp("r6") / "r6.db")
    yield made
    made.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verb=st.sampled_from(sorted(VERBS)), rest=TEXT, who=st.sampled_from(PEOPLE))
def test_r6_arbitrary_text_after_every_verb_never_escapes_as_an_error(
    bench: Bench, verb: str, rest: str, who: str
) -> None:
    reply = bench.say(who, f"{verb} {rest}")
    assert reply.outcome is not Outcome.ERROR, reply


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_r6_arbitrary_text_as_a_whole_command_never_escapes_as_an_error(
    bench: Bench, text: str
) -> None:
    reply = bench.say("alice@acme.example", text)
    assert reply.outcome is not Outcome.ERROR, reply


def test_r6_a_100_kb_message_is_refused_naming_the_limit(bench: Bench) -> None:
    reply = bench.say("alice@acme.example", "update 1001 " + "x" * 100_000)
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message)
    assert "40,000" in reply.body.text


def test_r6_an_over_long_update_is_refused_naming_the_limit(bench: Bench) -> None:
    reply = bench.say("alice@acme.example", "update 1001 " + "word " * 7_000)
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message)
    assert "30,000" in reply.body.text
