"""FUP-1..FUP-3 through scheduler passes over simulated time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.messages import Notice, NoticeKind
from bot.model import CaseEvent, EventKind, Platform, Priority, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from tests.builders import T0
from tests.integration.jobs_fakes import Passes, change, open_tracked, seed_directory

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def config() -> PolicyConfig:
    return PolicyConfig()


@pytest.fixture
async def passes(store: Store, config: PolicyConfig) -> Passes:
    await seed_directory(store)
    return Passes(store, config)


def ask(at: datetime) -> CaseEvent:
    return CaseEvent(
        EventKind.STATUS_CHANGE,
        at,
        "ana@vendor.example",
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
    )


async def request_info(store: Store, config: PolicyConfig, number: int, at: datetime) -> None:
    await change(
        store,
        config,
        number,
        ask(at),
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
    )


def follow_ups(passes: Passes) -> list[str]:
    return [
        p.dedup_key
        for p in passes.posts
        if isinstance(p.reply.body, Notice)
        and p.reply.body.kind in (NoticeKind.FOLLOW_UP, NoticeKind.AUTO_CLOSED)
    ]


async def test_fup_1_on_premises_reminds_after_2_and_5_calendar_days_and_closes_after_10(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    n, wait = case.number, T0 + timedelta(hours=1)
    await request_info(store, config, n, wait)
    start = wait.isoformat()

    for days, step in ((2, "reminder_1"), (5, "reminder_2"), (10, "auto_close")):
        await passes.at(wait + days * DAY - MINUTE)
        assert not any(k.startswith(f"fup:{n}:{start}:{step}") for k in follow_ups(passes))
        await passes.at(wait + days * DAY)
        await passes.at(wait + days * DAY + MINUTE)  # once only
        assert follow_ups(passes)[-1] == f"fup:{n}:{start}:{step}:slack:UALICE"
    assert len(follow_ups(passes)) == 3

    async with store.unit_of_work(read_only=True) as uow:
        closed = await uow.cases.get(n)
        audit = await uow.audit.entries(case_number=n)
        timers = await uow.timers.for_subject(str(n))
    assert closed is not None
    assert (closed.status, closed.sub_status) == (Status.CLOSED, SubStatus.NO_RESPONSE)
    assert closed.closed_at == wait + 10 * DAY
    assert [e.kind for e in closed.events if e.author == "system"] == [
        EventKind.FOLLOW_UP,
        EventKind.FOLLOW_UP,
        EventKind.CLOSED,
    ]
    assert [(a.actor, a.action) for a in audit] == [
        ("system", "case.follow_up"),
        ("system", "case.follow_up"),
        ("system", "case.auto_close"),
    ]
    assert timers == []
    final = passes.slack.posts[-1].reply
    assert isinstance(final.body, Notice) and final.body.kind is NoticeKind.AUTO_CLOSED
    assert final.time_zone == "America/New_York" and not final.show_utc


async def test_fup_1_cloud_counts_business_days_so_the_weekend_does_not_count(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    # globex is cloud in EMEA (08:00-19:00 London). The wait starts Friday 8 May, 10:00 London.
    friday = datetime(2026, 5, 8, 9, 0, tzinfo=UTC)
    case = await open_tracked(
        store, config, friday - timedelta(hours=1), "globex", opened_by="gina@globex.example"
    )
    await request_info(store, config, case.number, friday)
    await passes.at(friday + 2 * DAY)  # Sunday: two calendar days, but no business days
    await passes.at(datetime(2026, 5, 12, 8, 59, tzinfo=UTC))  # 22 business hours less a minute
    assert follow_ups(passes) == []
    await passes.at(datetime(2026, 5, 12, 9, 0, tzinfo=UTC))  # Tuesday 10:00 London
    assert follow_ups(passes) == [f"fup:{case.number}:{friday.isoformat()}:reminder_1:slack:UGINA"]


async def test_fup_2_production_down_case_gets_no_follow_ups(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    opened = CaseEvent(
        EventKind.OPENED,
        T0,
        "alice@acme.example",
        Platform.SLACK,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=Priority.CRITICAL,
        production_down=True,
    )
    case = await open_tracked(
        store, config, T0, priority=Priority.CRITICAL, production_down=True, events=(opened,)
    )
    await request_info(store, config, case.number, T0 + timedelta(minutes=20))
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", str(case.number)) is None
    await passes.every(T0, T0 + 11 * DAY, DAY / 2)
    assert follow_ups(passes) == []


async def test_fup_3_a_new_request_restarts_the_follow_up_timer(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    n, first = case.number, T0 + timedelta(hours=1)
    await request_info(store, config, n, first)
    await passes.at(first + 2 * DAY)
    answered = CaseEvent(
        EventKind.STATUS_CHANGE,
        first + 3 * DAY,
        "alice@acme.example",
        Platform.SLACK,
        status=Status.OPEN,
        sub_status=SubStatus.CUSTOMER_RESPONDED,
    )
    await change(
        store, config, n, answered, status=Status.OPEN, sub_status=SubStatus.CUSTOMER_RESPONDED
    )
    second = first + 4 * DAY
    await request_info(store, config, n, second)
    await passes.at(first + 5 * DAY)  # the first wait's reminder 2 would be due now
    await passes.at(second + 2 * DAY)
    assert follow_ups(passes) == [
        f"fup:{n}:{first.isoformat()}:reminder_1:slack:UALICE",
        f"fup:{n}:{second.isoformat()}:reminder_1:slack:UALICE",
    ]


async def test_fup_1_catch_up_after_downtime_sends_one_step_per_day_not_a_burst(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    wait = T0 + timedelta(hours=1)
    await request_info(store, config, case.number, wait)
    back = wait + 11 * DAY  # the scheduler was down through every step
    await passes.at(back)
    await passes.at(back + timedelta(hours=1))
    assert [k.split(":")[-3] for k in follow_ups(passes)] == ["reminder_1"]
    await passes.at(back + DAY)
    await passes.at(back + 2 * DAY)
    assert [k.split(":")[-3] for k in follow_ups(passes)] == [
        "reminder_1",
        "reminder_2",
        "auto_close",
    ]


def notices_of(passes: Passes, kind: NoticeKind) -> list[Notice]:
    return [
        p.reply.body
        for p in passes.posts
        if isinstance(p.reply.body, Notice) and p.reply.body.kind is kind
    ]


async def test_fup_1_cloud_reminders_say_the_case_closes_after_10_business_days(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    friday = datetime(2026, 5, 8, 9, 0, tzinfo=UTC)
    case = await open_tracked(
        store, config, friday - timedelta(hours=1), "globex", opened_by="gina@globex.example"
    )
    await request_info(store, config, case.number, friday)
    await passes.at(datetime(2026, 5, 12, 9, 0, tzinfo=UTC))
    [reminder] = notices_of(passes, NoticeKind.FOLLOW_UP)
    assert "closes automatically after 10 business days (FUP-1)" in reminder.body


async def test_fup_1_on_premises_reminders_say_10_calendar_days(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    await request_info(store, config, case.number, T0)
    await passes.at(T0 + 2 * DAY)
    [reminder] = notices_of(passes, NoticeKind.FOLLOW_UP)
    assert "closes automatically after 10 calendar days (FUP-1)" in reminder.body


async def test_reo_3_the_auto_close_notice_gives_the_phone_number_not_reopen(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    await request_info(store, config, case.number, T0)
    for days in (2, 5, 10):
        await passes.at(T0 + days * DAY)
    [closed] = notices_of(passes, NoticeKind.AUTO_CLOSED)
    phone = config.region("NA").phone
    assert f"phone support on {phone}" in closed.body
    assert "reopen" not in closed.body.replace("reopened by phone only", "")
    assert ("Phone", phone) in {(f.label, f.value) for f in closed.facts}
    assert "after 10 calendar days" in closed.body


async def test_r9_the_auto_close_waits_for_a_request_changing_the_case_and_closes_it_after(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    """The sweep never waits on a case lock (no deadlock) and never drops the step."""
    if getattr(store, "dialect", None) != "postgresql":
        pytest.skip("on SQLite a writing unit of work holds the whole database (BEGIN IMMEDIATE)")
    case = await open_tracked(store, config, T0)
    n, wait = case.number, T0 + timedelta(hours=1)
    await request_info(store, config, n, wait)
    for days in (2, 5):
        await passes.at(wait + days * DAY)
    due = wait + 10 * DAY
    async with store.unit_of_work() as busy:
        assert await busy.cases.get_for_change(n) is not None  # a request is changing the case
        await passes.at(due)
        async with store.unit_of_work(read_only=True) as uow:
            untouched = await uow.cases.get(n)
            timer = await uow.timers.get("follow_up", str(n))
        await busy.rollback()  # ... and in the end changes nothing
    assert untouched is not None and untouched.status is Status.AWAITING_INFORMATION
    assert timer is not None and timer.due_at == due + MINUTE  # put off, not dropped
    assert not any(":auto_close:" in k for k in follow_ups(passes))
    await passes.at(due + MINUTE)
    assert follow_ups(passes)[-1] == f"fup:{n}:{wait.isoformat()}:auto_close:slack:UALICE"
    async with store.unit_of_work(read_only=True) as uow:
        closed = await uow.cases.get(n)
    assert closed is not None and closed.status is Status.CLOSED
    assert closed.sub_status is SubStatus.NO_RESPONSE
