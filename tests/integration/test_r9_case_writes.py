"""R9: concurrent changes of one case are serialised, through the real router on each database.

Twenty designated contacts update one case at the same moment; staff change its priority while
a customer's answer resumes it. Everything is counted where it lands: the case's events and
fields in the store, the alerts in the outbox and at a recording Slack deliverer.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.jobs.follow_up_sweep import sweep_follow_ups
from bot.messages import CaseView, ChatRequest, Command, Outcome, Reply
from bot.model import Case, EventKind, Platform, Priority, Status
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxState
from bot.store.sql import SqlStore
from bot.store.sql.tables import outbox
from tests.integration.jobs_fakes import Passes

CUSTOMERS = 20
ROUNDS = 3
# Tuesday 24 November 2026, 10:00 in New York: inside NA business hours.
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ANA = "ana@vendor.example"
_requests = itertools.count()


def _directory() -> str:
    contacts = "\n".join(
        f"  - {{email: c{i}@acme.example, name: Customer {i}, company: Acme Corp,\n"
        f"     slack: {{team: T1, user: UC{i}}}, grants: [{{account: acme, level: designated}}]}}"
        for i in range(CUSTOMERS)
    )
    return f"""
accounts:
  - {{id: acme, sold_to: Acme Corp, end_user: Acme Corp, partner: false, deployment: on_premises,
     care_level: business, region: NA, contract: {{start: 2026-01-01, end: 2027-12-31}}}}
contacts:
{contacts}
staff:
  - {{email: {ANA}, name: Ana Lyst, roles: [analyst], slack: {{team: T0, user: UANA}}}}
channels:
  - {{platform: slack, id: CQUEUE, purpose: queue}}
"""


@pytest.fixture
async def router(store: Store, tmp_path: Path) -> Router:
    path = tmp_path / "directory.yaml"
    path.write_text(_directory(), encoding="utf-8")
    await load_directory(store, path)
    return Router(store, PolicyConfig())


async def say(router: Router, email: str, text: str, now: datetime) -> Reply:
    """`email` types `text` in a direct message, as a Slack or Teams adapter would pass it on."""
    directory = await router.store.directory()
    actor = await identity.by_email(directory, Platform.SLACK, f"user:{email}", email)
    request = ChatRequest(
        platform=Platform.SLACK,
        workspace="T1",
        channel_id="D-DIRECT",
        actor=actor,
        command=Command.unparsed(text),
        now=now,
        is_direct=True,
        request_id=f"r9-{next(_requests)}",
    )
    return await router.handle(request)


async def open_case(router: Router, now: datetime) -> int:
    reply = await say(
        router,
        "c0@acme.example",
        'open medium "Exports fail" --description "Every export of the daily report fails."',
        now,
    )
    assert reply.outcome is Outcome.OK and isinstance(reply.body, CaseView), reply
    return reply.body.case.number


async def stored(store: Store, number: int) -> Case:
    async with store.unit_of_work(read_only=True) as uow:
        case = await uow.cases.get(number)
    assert case is not None
    return case


async def outbox_keys(store: SqlStore, prefix: str, state: OutboxState | None = None) -> list[str]:
    """The outbox rows written, read straight from the table."""
    query = select(outbox.c.dedup_key).where(outbox.c.dedup_key.startswith(prefix))
    if state is not None:
        query = query.where(outbox.c.status == state.value)
    async with store.engine.connect() as conn:
        return list((await conn.execute(query)).scalars())


async def all_at_once(router: Router, said: Sequence[tuple[str, str]], now: datetime) -> None:
    replies = await asyncio.gather(*(say(router, email, text, now) for email, text in said))
    assert [r.outcome for r in replies] == [Outcome.OK] * len(said), replies


async def test_r9_twenty_concurrent_updates_of_one_case_give_twenty_updates_and_twenty_alerts(
    store: SqlStore, router: Router
) -> None:
    number = await open_case(router, T0)
    passes = Passes(store, router.config, sweeps=())  # delivery only
    for round_ in range(ROUNDS):
        now = T0 + timedelta(minutes=10 * (round_ + 1))
        await all_at_once(
            router,
            [
                (f"c{i}@acme.example", f"update {number} round {round_} from c{i}")
                for i in range(CUSTOMERS)
            ],
            now,
        )
        case = await stored(store, number)
        updates = [e for e in case.events if e.kind is EventKind.CUSTOMER_UPDATE]
        assert len(updates) == CUSTOMERS * (round_ + 1)
        assert {e.body for e in updates if e.body.startswith(f"round {round_} ")} == {
            f"round {round_} from c{i}" for i in range(CUSTOMERS)
        }
        assert case.updated_at == now
        # One support alert per update in the analyst queue, none lost to a shared key.
        alerts = await outbox_keys(store, f"update:{number}:")
        assert len(alerts) == CUSTOMERS * (round_ + 1)
        await passes.at(now)
    delivered = [p for p in passes.slack.posts if p.dedup_key.startswith(f"update:{number}:")]
    assert len(delivered) == CUSTOMERS * ROUNDS
    assert {p.target for p in delivered} == {"CQUEUE"}
    assert len({p.dedup_key for p in delivered}) == CUSTOMERS * ROUNDS
    assert await outbox_keys(store, "", OutboxState.PENDING) == []


async def test_r9_a_priority_change_and_a_customer_answer_at_once_keep_both_changes(
    store: Store, router: Router
) -> None:
    """The answer resumes the case (CASE-7) while staff lower its priority: neither is undone."""
    number = await open_case(router, T0)
    now = T0
    for round_ in range(5):
        now += timedelta(minutes=10)
        asked = await say(router, ANA, f"request-info {number} Which version, round {round_}?", now)
        assert asked.outcome is Outcome.OK, asked
        assert (await stored(store, number)).status is Status.AWAITING_INFORMATION
        new = (Priority.LOW, Priority.HIGH)[round_ % 2]
        now += timedelta(minutes=1)
        await all_at_once(
            router,
            [
                ("c1@acme.example", f"update {number} Version 4.2, round {round_}"),
                (ANA, f"set-priority {number} {new.value} round {round_}"),
            ],
            now,
        )
        case = await stored(store, number)
        # Both writes land on the same row: a stale copy would undo the other one's field.
        assert case.priority is new
        assert case.status is not Status.AWAITING_INFORMATION
        kinds = [e.kind for e in case.events if e.at == now]
        assert kinds.count(EventKind.CUSTOMER_UPDATE) == 1
        assert kinds.count(EventKind.PRIORITY_CHANGE) == 1
        assert kinds.count(EventKind.STATUS_CHANGE) == 1  # the resume (CASE-7)


async def test_r9_the_auto_close_and_a_customer_answer_at_once_never_both_happen(
    store: Store, router: Router
) -> None:
    """FUP-1's close is a case change too: either the answer resumes the case or it is closed."""
    numbers = [await open_case(router, T0) for _ in range(10)]
    asked_at = T0 + timedelta(hours=1)
    for n in numbers:
        asked = await say(router, ANA, f"request-info {n} Which version?", asked_at)
        assert asked.outcome is Outcome.OK, asked
    for days in (2, 5):  # the two reminders, so that the next step is the close
        await sweep_follow_ups(store, router.config, asked_at + timedelta(days=days))
    due = asked_at + timedelta(days=10)
    answers = [
        say(router, f"c{i}@acme.example", f"update {n} Version 4.2", due)
        for i, n in enumerate(numbers)
    ]
    *replies, _ = await asyncio.gather(*answers, sweep_follow_ups(store, router.config, due))
    for n, reply in zip(numbers, replies, strict=True):
        case = await stored(store, n)
        answered = any(e.kind is EventKind.CUSTOMER_UPDATE for e in case.events)
        closed = [e for e in case.events if e.kind is EventKind.CLOSED]
        if reply.outcome is Outcome.OK:
            assert answered and not closed and case.status is not Status.CLOSED
        else:  # closed first: the answer is refused and recorded nowhere (REO-1)
            assert reply.outcome is Outcome.REFUSED, reply
            assert not answered and len(closed) == 1 and case.status is Status.CLOSED
