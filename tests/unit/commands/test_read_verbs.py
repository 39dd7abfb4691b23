"""Read verbs (#18): a read-only unit of work and R2 in memory, so a `show` writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.commands.context import Context
from bot.commands.retries import RetryWindow
from bot.commands.router import Router
from bot.messages import ChatRequest, Outcome, Reply
from bot.store.sql import SqlStore
from bot.store.sql.tables import inbound

from .conftest import Person

T = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


async def inbound_rows(store: SqlStore) -> int:
    async with store.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(inbound)) or 0)


async def test_r2_a_retried_show_is_answered_once_and_writes_no_deduplication_row(chat, store):
    alice: Person = chat("alice@acme.example")
    opened = await alice.say("open low Where is the export log?")
    assert opened.outcome is Outcome.OK
    rows = await inbound_rows(store)
    first = await alice.say("show 1001", request_id="slack:show-1")
    again = await alice.say("show 1001", request_id="slack:show-1")
    assert first.outcome is Outcome.OK
    assert again.outcome is Outcome.DUPLICATE
    assert await inbound_rows(store) == rows  # R2 for a read lives in memory


async def test_r2_a_write_still_claims_its_key_in_the_database(chat, store):
    alice: Person = chat("alice@acme.example")
    rows = await inbound_rows(store)
    await alice.say("open low Where is the export log?", request_id="slack:open-1")
    assert await inbound_rows(store) == rows + 1  # other replicas must see it too


async def test_r2_a_read_that_failed_runs_again_when_retried(chat, router: Router):
    alice: Person = chat("alice@acme.example")
    show = router.handlers["show"]
    calls: list[str] = []

    async def fails_once(req: ChatRequest, ctx: Context) -> Reply:
        calls.append(req.command.verb)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return await show(req, ctx)

    router.handlers["show"] = fails_once
    await alice.say("open low Where is the export log?")
    failed = await alice.say("show 1001", request_id="slack:show-2")
    retried = await alice.say("show 1001", request_id="slack:show-2")
    assert failed.outcome is Outcome.ERROR
    assert retried.outcome is Outcome.OK
    assert calls == ["show", "show"]


def test_r2_the_retry_window_forgets_keys_after_its_span_and_beyond_its_capacity():
    window = RetryWindow(span=timedelta(minutes=15), capacity=3)
    assert window.claim("a", T)
    assert not window.claim("a", T + timedelta(minutes=14))
    assert window.claim("a", T + timedelta(minutes=15))  # expired: a new request
    for key in ("b", "c", "d"):
        assert window.claim(key, T + timedelta(minutes=16))
    assert window.claim("a", T + timedelta(minutes=16))  # pushed out by capacity
    assert not window.claim("d", T + timedelta(minutes=16))
