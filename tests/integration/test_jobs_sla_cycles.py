"""SLA-4 / SLA-5 / SLA-5b: notices once per clock cycle, remembered as long as the case exists.

Scheduler passes over simulated time, delivering to recording Slack and Teams fakes; what was
delivered is compared by notice kind and target, and the store's memory and timers are read back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.casework.tracking import SLA_TIMER
from bot.jobs.housekeeping_sweep import sweep_housekeeping
from bot.messages import Notice, NoticeKind
from bot.model import CaseEvent, EventKind, Platform, Status, SubStatus
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.sql import SqlStore
from bot.store.sql.tables import outbox
from tests.builders import T0
from tests.integration.jobs_fakes import Passes, change, open_tracked, seed_directory

# T0 is Monday 4 May 2026, 10:00 in New York. The High case of acme (on-premises, Business Care,
# NA 08:00-21:00) has 4 business hours to respond: 75% at 13:00 and the breach at 14:00 New York.
FIRST_WARNING = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)
FIRST_BREACH = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
RESPONDED = datetime(2026, 5, 4, 18, 30, tzinfo=UTC)
CLOSED = datetime(2026, 5, 4, 19, 0, tzinfo=UTC)
REOPENED = datetime(2026, 5, 5, 14, 0, tzinfo=UTC)  # Tuesday 10:00 New York: the next day
# The reopen starts a new response target of 4 business hours (SLA-4, REO-1).
SECOND_WARNING = datetime(2026, 5, 5, 17, 0, tzinfo=UTC)
SECOND_BREACH = datetime(2026, 5, 5, 18, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
ANA = "ana@vendor.example"
ACCOUNT_CHANNELS = {"CACME", "19:acme@thread.tacv2"}


@pytest.fixture
def config() -> PolicyConfig:
    return PolicyConfig()


@pytest.fixture
async def passes(store: Store, config: PolicyConfig) -> Passes:
    await seed_directory(store)
    return Passes(store, config)


def delivered(passes: Passes, kind: NoticeKind) -> list[tuple[str, Notice]]:
    """(target, notice) of every delivered notice of `kind`, in delivery order."""
    return [
        (p.target, p.reply.body)
        for p in passes.posts
        if isinstance(p.reply.body, Notice) and p.reply.body.kind is kind
    ]


def sla_posts(passes: Passes) -> list[str]:
    return [p.dedup_key for p in passes.posts if p.dedup_key.startswith(("sla:", "sla5b:"))]


async def respond_and_close(store: Store, config: PolicyConfig, number: int) -> None:
    await change(store, config, number, CaseEvent(EventKind.STAFF_RESPONSE, RESPONDED, ANA))
    closing = CaseEvent(
        EventKind.CLOSED,
        CLOSED,
        "alice@acme.example",
        Platform.SLACK,
        status=Status.CLOSED,
        sub_status=SubStatus.RESOLVED,
    )
    await change(
        store,
        config,
        number,
        closing,
        status=Status.CLOSED,
        sub_status=SubStatus.RESOLVED,
        closed_at=CLOSED,
    )


async def test_sla_4_sla_5_a_reopened_case_gets_the_warning_and_breach_of_its_new_response_target(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    n = case.number
    await passes.every(T0, FIRST_BREACH + 2 * QUARTER, QUARTER)
    assert [t for t, _ in delivered(passes, NoticeKind.SLA_WARNING)] == ["CQUEUE"]
    assert [t for t, _ in delivered(passes, NoticeKind.SLA_BREACH)] == ["CQUEUE"]
    await respond_and_close(store, config, n)

    reopening = CaseEvent(
        EventKind.REOPENED,
        REOPENED,
        "alice@acme.example",
        Platform.SLACK,
        body="The export fails again",
        status=Status.OPEN,
        sub_status=SubStatus.REOPEN_REQUESTED,
    )
    await change(
        store,
        config,
        n,
        reopening,
        status=Status.OPEN,
        sub_status=SubStatus.REOPEN_REQUESTED,
        closed_at=None,
    )
    await passes.every(REOPENED, SECOND_WARNING - QUARTER, QUARTER)
    assert len(delivered(passes, NoticeKind.SLA_WARNING)) == 1  # not early
    await passes.every(SECOND_WARNING, SECOND_BREACH - QUARTER, QUARTER)
    warnings = delivered(passes, NoticeKind.SLA_WARNING)
    assert [t for t, _ in warnings] == ["CQUEUE", "CQUEUE"]
    assert "75% of the response target" in warnings[1][1].title
    await passes.every(SECOND_BREACH, SECOND_BREACH + 2 * QUARTER, QUARTER)
    breaches = delivered(passes, NoticeKind.SLA_BREACH)
    assert [t for t, _ in breaches] == ["CQUEUE", "CQUEUE"]
    assert breaches[1][1].times == (("Target passed", SECOND_BREACH),)
    # SLA-5b: the customer hears of the new cycle's breach too, in each account channel.
    customer = delivered(passes, NoticeKind.CUSTOMER_BREACH)
    assert sorted(t for t, _ in customer) == sorted([*ACCOUNT_CHANNELS, *ACCOUNT_CHANNELS])
    # Once per cycle, target and threshold: nothing was delivered twice.
    assert max(passes.counts().values()) == 1
    async with store.unit_of_work(read_only=True) as uow:
        memory = (await uow.sent_notices.for_cases([n]))[n]
    assert {
        f"sla:{n}:c0:response:0.75",
        f"sla:{n}:c0:response:1.0",
        f"sla:{n}:c1:response:0.75",
        f"sla:{n}:c1:response:1.0",
        f"sla5b:{n}:c0:response",
        f"sla5b:{n}:c1:response",
    } <= memory


async def test_sla_5_breach_notices_are_not_sent_again_after_housekeeping_prunes_the_posts(
    store: SqlStore, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    n = case.number
    await passes.every(T0, FIRST_BREACH + 2 * QUARTER, QUARTER)
    await change(store, config, n, CaseEvent(EventKind.STAFF_RESPONSE, RESPONDED, ANA))
    # The resolution clock runs on: a pass at each of its instants sends its warning and breach.
    async with store.unit_of_work(read_only=True) as uow:
        stored = await uow.cases.get(n)
        account = await uow.directory.account("acme")
    assert stored is not None and account is not None
    resolution = sla.clocks(stored, account, config, RESPONDED).resolution
    assert resolution is not None
    for _, at in resolution.warnings:
        await passes.at(at)
    sent_before = sorted(sla_posts(passes))
    assert len(delivered(passes, NoticeKind.SLA_BREACH)) == 2  # response and resolution
    assert len(delivered(passes, NoticeKind.CUSTOMER_BREACH)) == 4  # two targets, two channels

    # A month later housekeeping forgets the sent posts; then the customer writes again.
    later = (resolution.due_at or RESPONDED) + timedelta(days=31)
    await sweep_housekeeping(store, config, later)
    async with store.engine.connect() as conn:
        left = (await conn.execute(select(outbox.c.dedup_key))).scalars().all()
    assert [k for k in left if k.startswith("sla")] == []  # the outbox no longer knows them
    update = CaseEvent(
        EventKind.CUSTOMER_UPDATE, later, "alice@acme.example", Platform.SLACK, body="Any news?"
    )
    await change(store, config, n, update)
    async with store.unit_of_work(read_only=True) as uow:
        timer = await uow.timers.get(SLA_TIMER, str(n))
    assert timer is None or timer.due_at > later  # no threshold in the past is armed again
    await passes.every(later, later + timedelta(hours=2), QUARTER)
    assert sorted(sla_posts(passes)) == sent_before  # nothing announced twice
    async with store.unit_of_work(read_only=True) as uow:
        memory = (await uow.sent_notices.for_cases([n]))[n]
    assert {f"sla:{n}:c0:resolution:1.0", f"sla5b:{n}:c0:resolution"} <= memory


async def test_sla_5_a_warning_is_never_sent_after_its_cycle_s_breach_was_remembered(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    """Catch-up after an outage: the breach went out before (remembered), the warning is moot."""
    case = await open_tracked(store, config, T0)
    n = case.number
    async with store.unit_of_work() as uow:
        await uow.sent_notices.remember({f"sla:{n}:c0:response:1.0": n}, FIRST_BREACH)
        await uow.commit()
    await passes.every(FIRST_BREACH, FIRST_BREACH + 2 * QUARTER, QUARTER)
    assert sla_posts(passes) == []
    async with store.unit_of_work(read_only=True) as uow:
        memory = (await uow.sent_notices.for_cases([n]))[n]
        timer = await uow.timers.get(SLA_TIMER, str(n))
    assert f"sla:{n}:c0:response:0.75" in memory  # moot, so never armed again
    assert timer is not None and timer.due_at > FIRST_BREACH  # on to the resolution target
