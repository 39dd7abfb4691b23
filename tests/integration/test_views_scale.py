"""Views at any size (#18): `show`, `list`, `queue` and `open` send the same statements whatever
the number of cases, and `queue` holds nothing a concurrent `show`, write or scheduler pass needs.

Cases are copies of one opened through the router (`case_copies`), each with its `sla_watch`
timer due, so every copy is a `queue` candidate.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.casework.tracking import SLA_WATCH
from bot.commands import identity
from bot.commands import queue as queue_module
from bot.commands.context import Context
from bot.commands.router import Router
from bot.directory import load_directory
from bot.messages import CaseList, CaseView, ChatRequest, Command, Outcome, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.sql import SqlStore
from tests.builders import T0
from tests.integration.case_copies import copy_case
from tests.integration.conftest import EXAMPLE_DIRECTORY
from tests.integration.sql_counter import statements

ALICE = "alice@acme.example"  # designated contact of acme
ANA = "ana@vendor.example"  # analyst
LATER = T0 + timedelta(days=3)  # every copy's response clock is past its first warning


async def say(router: Router, email: str, text: str, now: datetime = LATER) -> Reply:
    directory = await router.store.directory()  # type: ignore[attr-defined]
    actor = await identity.by_email(directory, Platform.SLACK, f"user:{email}", email)
    req = ChatRequest(
        platform=Platform.SLACK,
        workspace="T1",
        channel_id="D1",
        actor=actor,
        command=Command.unparsed(text),
        now=now,
        is_direct=True,
    )
    return await router.handle(req)


async def opened_case(store: SqlStore) -> tuple[Router, int]:
    await load_directory(store, EXAMPLE_DIRECTORY)
    store.directory_cache.check_every = 1e9  # no background directory check inside a count
    router = Router(store, PolicyConfig())
    opened = await say(router, ALICE, 'open high "Exports fail" --impact "Finance blocked"', T0)
    assert opened.outcome is Outcome.OK, opened
    assert isinstance(opened.body, CaseView)
    return router, opened.body.case.number


async def statements_per_verb(router: Router, store: SqlStore, number: int) -> dict[str, int]:
    counted: dict[str, int] = {}
    for verb, who, text in (
        ("show", ALICE, f"show {number}"),
        ("list", ALICE, "list"),
        ("queue", ANA, "queue"),
        ("open", ALICE, "open low How do I schedule the export?"),
    ):
        with statements(store) as sent:
            reply = await say(router, who, text)
        assert reply.outcome is Outcome.OK, (verb, reply)
        counted[verb] = len(sent)
    return counted


async def test_show_list_queue_and_open_send_as_many_statements_at_30_as_at_300_cases(
    store: SqlStore,
) -> None:
    router, number = await opened_case(store)
    await copy_case(store, number, 29)
    small = await statements_per_verb(router, store, number)
    await copy_case(store, number, 270)
    large = await statements_per_verb(router, store, number)
    assert small == large
    assert large["queue"] <= 6  # not two per candidate (there are 300 of them)
    # `open` writes its timers and audit row as one batch (#18): the number, the case, its
    # event, the timers (one removal, one upsert of two rows), the audit row and the alert
    # (SQLite's BEGIN goes out with the first of them; 10 statements before on SQLite, 9 on
    # PostgreSQL).
    assert large["open"] == 7
    listed = await say(router, ALICE, "list")
    queued = await say(router, ANA, "queue")
    assert isinstance(listed.body, CaseList) and isinstance(queued.body, CaseList)
    assert len(listed.body.cases) == 25 and listed.body.total >= 300  # one page of many
    assert len(queued.body.cases) == 25 and queued.body.total >= 300


async def test_list_and_queue_pages_follow_on_and_a_bad_page_is_refused(store: SqlStore) -> None:
    router, number = await opened_case(store)
    await copy_case(store, number, 59)
    pages = [await say(router, ANA, f"queue --page {p}") for p in (1, 2, 3)]
    shown = [line.number for page in pages for line in page.body.cases]  # type: ignore[union-attr]
    assert len(shown) == 60 and len(set(shown)) == 60
    assert pages[1].body.title == "Queue (page 2 of 3)"  # type: ignore[union-attr]
    second = await say(router, ALICE, "list --page 2")
    assert isinstance(second.body, CaseList)
    assert second.body.title == "Your open cases on acme (page 2 of 3)"
    assert second.body.total == 60 and len(second.body.cases) == 25
    bad = await say(router, ALICE, "list --page zero")
    assert bad.outcome is Outcome.INVALID
    assert "page number from 1" in bad.body.text  # type: ignore[union-attr]


@pytest.mark.slow
async def test_queue_at_100000_open_cases_lets_a_concurrent_show_finish_while_it_works(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # #18: the queue hands the event loop back between slices of its candidates, so a `show`
    # asked while it works on them is answered before it ends, not after. On SQLite the show's
    # reads run on the loop's thread (no hop, so no wait for the GIL the queue holds) over a
    # connection the pool already has, as in `serve`, which warms it at start.
    await store.warm()
    router, number = await opened_case(store)
    await copy_case(store, number, 99_999)
    real = queue_module._urgent_due
    done: dict[str, int] = {}
    computed = 0
    shows: list[asyncio.Task[Reply]] = []

    async def show() -> Reply:
        reply = await say(router, ALICE, f"show {number}")
        done["show"] = computed
        return reply

    def counted(*args: Any) -> datetime | None:
        nonlocal computed
        computed += 1
        if computed == 1:  # the queue has read its candidates: ask for a show now
            shows.append(asyncio.ensure_future(show()))
        return real(*args)

    monkeypatch.setattr(queue_module, "_urgent_due", counted)
    queued = await say(router, ANA, "queue")
    done["queue"] = computed
    shown = await shows[0]
    assert queued.outcome is Outcome.OK and isinstance(queued.body, CaseList)
    assert isinstance(shown.body, CaseView) and shown.body.case.number == number
    assert computed == queue_module.CANDIDATE_LIMIT  # every candidate was worked on ...
    assert 0 < done["show"] < done["queue"]  # ... and the show was answered in between
    if store.dialect == "sqlite":
        # Nothing it waits for is outside this process: answered in the next slice or so.
        assert done["show"] <= 2 * queue_module.SLICE, done


@pytest.mark.slow
async def test_queue_at_100000_open_cases_holds_no_lock_a_show_a_write_or_a_scheduler_needs(
    store: SqlStore,
) -> None:
    router, number = await opened_case(store)
    await copy_case(store, number, 99_999)
    async with store.unit_of_work(read_only=True) as uow:
        first_due = await uow.timers.due(until=LATER, kind=SLA_WATCH, limit=50)
    seen: dict[str, object] = {}
    queue = router.handlers["queue"]

    async def queue_with_the_others_inside(req: ChatRequest, ctx: Context) -> Reply:
        reply = await queue(req, ctx)
        # Still inside queue's unit of work: the router ends it after the handler returns.
        seen["show"] = await say(router, ALICE, f"show {number}")
        seen["open"] = await say(router, ALICE, "open low A question while the queue is read")
        async with store.unit_of_work() as uow:  # a scheduler pass: FOR UPDATE SKIP LOCKED
            seen["due"] = await uow.timers.due(until=LATER, kind=SLA_WATCH, limit=50)
        return reply

    router.handlers["queue"] = queue_with_the_others_inside
    queued = await say(router, ANA, "queue")
    assert queued.outcome is Outcome.OK
    assert isinstance(queued.body, CaseList) and len(queued.body.cases) == 25
    shown, wrote = seen["show"], seen["open"]
    assert isinstance(shown, Reply) and isinstance(shown.body, CaseView)
    assert shown.body.case.number == number
    assert isinstance(wrote, Reply) and wrote.outcome is Outcome.OK, wrote  # got the writer turn
    assert seen["due"] == first_due  # no timer skipped as locked by the queue
