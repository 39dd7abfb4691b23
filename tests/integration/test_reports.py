"""INC-6 availability and the NOT-2 monthly report, computed over the store and posted once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cards.reports import monthly_notice, render_availability, render_monthly
from bot.directory import load_directory
from bot.jobs.report_sweep import sweep_monthly_reports
from bot.jobs.reports import availability_report, monthly_report
from bot.messages import NoticeKind
from bot.model import CaseEvent, EventKind, Platform, Priority, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.reports import ReportError, ReportMonth
from bot.store.interface import Store
from bot.store.interface.incidents import ChannelRef
from tests.builders import load_world, numbered_case
from tests.readback import posts_in_order

NOVEMBER = ReportMonth(2026, 11)
NY = "America/New_York"  # acme is in NA


@pytest.fixture
async def world(store: Store, tmp_path: Path) -> Store:
    await load_world(store, tmp_path)
    return store


async def incident(
    store: Store,
    account: str,
    declared: datetime,
    restored: datetime | None,
    agents: int | None,
) -> int:
    async with store.unit_of_work() as uow:
        made = await uow.incidents.declare(
            "sev1",
            "Outage",
            [account],
            None,
            [ChannelRef(Platform.SLACK, "CBRIDGE")],
            None,
            "ivan@vendor.example",
            declared,
        )
        if restored is not None:
            await uow.incidents.restore(made.id, None, agents, restored)
        await uow.commit()
    return made.id


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(NY)).astimezone(UTC)


async def test_inc_6_availability_on_a_known_month(world: Store):
    start = local(2026, 11, 1)
    await incident(world, "acme", local(2026, 11, 10, 10), local(2026, 11, 10, 12), 40)
    # Began before the month: only the 30 minutes inside November count.
    await incident(world, "acme", start - timedelta(hours=1), start + timedelta(minutes=30), 100)
    await incident(world, "globex", local(2026, 11, 12), local(2026, 11, 13), 50)  # other account
    await incident(world, "acme", local(2026, 12, 2), local(2026, 12, 3), 50)  # next month
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER, 200)
    assert report.minutes_in_month == 30 * 24 * 60
    assert [(i.agents, i.minutes) for i in report.impacts] == [(100, 30.0), (40, 120.0)]
    # 100% - (40 x 120 + 100 x 30) / (200 x 43,200)
    assert report.availability == pytest.approx(100 - 100 * 7_800 / (200 * 43_200))
    assert "99.910%" in render_availability(report)


async def test_inc_6_unrecorded_agents_count_as_all_and_an_ongoing_incident_counts_to_now(
    world: Store,
):
    await incident(world, "acme", local(2026, 11, 3, 9), local(2026, 11, 3, 10), None)
    await incident(world, "acme", local(2026, 11, 20, 9), None, None)
    now = local(2026, 11, 20, 11)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER, 100, now)
    assert [(i.agents, i.minutes, i.agents_assumed, i.ongoing) for i in report.impacts] == [
        (100, 60.0, True, False),
        (100, 120.0, True, True),
    ]
    assert report.availability == pytest.approx(100 - 100 * 180 / 43_200)


async def test_inc_6_a_recorded_figure_above_the_total_raises_the_total(world: Store):
    await incident(world, "acme", local(2026, 11, 3, 9), local(2026, 11, 3, 10), 250)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER, 100)
    assert report.total_agents == 250
    assert report.availability == pytest.approx(100 - 100 * 60 / 43_200)


async def test_reports_refuse_unknown_accounts_and_bad_months(world: Store):
    with pytest.raises(ReportError):
        ReportMonth.parse("2026-13")
    with pytest.raises(ReportError):
        ReportMonth.parse("Nov 2026")
    async with world.unit_of_work() as uow:
        with pytest.raises(ReportError):
            await availability_report(uow, PolicyConfig(), "nope", NOVEMBER)


async def add_case(store: Store, opened: datetime, closed: datetime | None) -> None:
    async with store.unit_of_work() as uow:
        number = await uow.cases.next_number()
        made = numbered_case(number, "acme", opened, priority=Priority.HIGH)
        await uow.cases.add(made)
        if closed is not None:
            done = replace(
                made,
                status=Status.CLOSED,
                sub_status=SubStatus.RESOLVED,
                closed_at=closed,
                updated_at=closed,
            )
            await uow.cases.update(done)
            await uow.cases.add_event(
                number,
                CaseEvent(
                    EventKind.CLOSED,
                    closed,
                    "alice@acme.example",
                    status=Status.CLOSED,
                    sub_status=SubStatus.RESOLVED,
                ),
            )
        await uow.commit()


async def seed_november(store: Store) -> None:
    await add_case(store, local(2026, 11, 2, 9), local(2026, 11, 2, 11))  # met
    await add_case(store, local(2026, 10, 1, 9), local(2026, 11, 20, 9))  # missed (7 weeks)
    await add_case(store, local(2026, 11, 10, 9), None)  # still open
    await add_case(store, local(2026, 12, 1, 9), None)  # next month
    await incident(store, "acme", local(2026, 11, 10, 10), local(2026, 11, 10, 12), 40)


async def test_not_2_monthly_report_counts_cases_sla_attainment_and_availability(world: Store):
    await seed_november(world)
    async with world.unit_of_work() as uow:
        report = await monthly_report(uow, PolicyConfig(), "acme", NOVEMBER, 200)
    assert (report.opened, report.closed, report.open_at_end) == (2, 2, 1)
    assert (report.resolution_met, report.resolution_missed) == (1, 1)
    assert report.attainment.ratio == 0.5 and report.attainment.met_goal is False
    assert report.availability.availability == pytest.approx(100 - 100 * 4_800 / (200 * 43_200))
    text = render_monthly(report)
    assert "SLA attainment: 50.0% of 2" in text and "goal 80%" in text


async def test_not_2_the_sweep_posts_each_accounts_report_once_in_the_first_days(world: Store):
    config = PolicyConfig()
    await seed_november(world)
    assert await sweep_monthly_reports(world, config, datetime(2026, 11, 15, tzinfo=UTC)) == 0
    async with world.unit_of_work() as uow:
        timer = await uow.timers.get("monthly_report", "all")
    assert timer is not None and timer.payload == {"month": "2026-11"}
    assert timer.due_at == datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert await sweep_monthly_reports(world, config, datetime(2026, 12, 1, 11, tzinfo=UTC)) == 0
    due = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
    assert await sweep_monthly_reports(world, config, due) == 2  # CACME and CGLOBEX
    assert await sweep_monthly_reports(world, config, due + timedelta(minutes=1)) == 0
    posts = [p for p in await posts_in_order(world) if p.notice.kind is NoticeKind.MONTHLY_REPORT]
    assert sorted(p.target for p in posts) == ["CACME", "CGLOBEX"]
    acme = next(p for p in posts if p.target == "CACME")
    assert acme.dedup_key.startswith("monthly:acme:2026-11:")
    assert acme.time_zone == NY
    assert ("Cases opened", "2") in {(f.label, f.value) for f in acme.notice.facts}
    async with world.unit_of_work() as uow:
        moved = await uow.timers.get("monthly_report", "all")
    assert moved is not None and moved.payload == {"month": "2026-12"}


async def test_not_2_a_report_missed_for_the_whole_first_5_days_is_skipped(world: Store):
    config = PolicyConfig()
    await sweep_monthly_reports(world, config, datetime(2026, 11, 15, tzinfo=UTC))
    assert await sweep_monthly_reports(world, config, datetime(2026, 12, 6, 1, tzinfo=UTC)) == 0
    assert [
        p for p in await posts_in_order(world) if p.notice.kind is NoticeKind.MONTHLY_REPORT
    ] == []
    async with world.unit_of_work() as uow:
        moved = await uow.timers.get("monthly_report", "all")
    assert moved is not None and moved.payload == {"month": "2026-12"}


ACME_WITH_AGENTS = """
accounts:
  - {id: acme, sold_to: Acme Corp, end_user: Acme Corp, partner: false, deployment: cloud,
     care_level: business, region: NA, contract: {start: 2026-01-01, end: 2027-12-31},
     agents: 400}
"""


async def licensed(store: Store, folder: Path) -> None:
    """acme gets 400 licensed agents in the directory (INC-6)."""
    path = folder / "agents.yaml"
    path.write_text(ACME_WITH_AGENTS, encoding="utf-8")
    await load_directory(store, path)


async def test_inc_6_the_total_is_the_accounts_licensed_agents_from_the_directory(
    world: Store, tmp_path: Path
):
    await licensed(world, tmp_path)
    await incident(world, "acme", local(2026, 11, 10, 10), local(2026, 11, 10, 12), 40)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER)
    assert (report.total_agents, report.total_source) == (400, "directory")
    assert report.availability == pytest.approx(100 - 100 * 4_800 / (400 * 43_200))
    text = render_availability(report)
    assert "Total agents 400 (from directory)" in text and "99.972%" in text


async def test_inc_6_an_explicit_agents_figure_overrides_the_directory(
    world: Store, tmp_path: Path
):
    await licensed(world, tmp_path)
    await incident(world, "acme", local(2026, 11, 10, 10), local(2026, 11, 10, 12), 40)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER, 200)
    assert (report.total_agents, report.total_source) == (200, "--agents")
    assert report.availability == pytest.approx(100 - 100 * 4_800 / (200 * 43_200))


async def test_inc_6_without_licensed_agents_the_report_says_the_total_is_unknown(world: Store):
    await incident(world, "acme", local(2026, 11, 10, 10), local(2026, 11, 10, 12), 40)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER)
        monthly = await monthly_report(uow, PolicyConfig(), "acme", NOVEMBER)
    # 40 of an unknown number of agents: no figure is made up (the old code assumed 100).
    assert (report.total_agents, report.total_source, report.availability) == (
        None,
        "unknown",
        None,
    )
    text = render_availability(report)
    assert "Availability of acme in 2026-11 (America/New_York): unknown" in text
    assert "the directory gives no licensed `agents` for this account" in text
    assert "incident 1: 40 agents x 120 min" in text
    facts = {f.label: f.value for f in monthly_notice(monthly).facts}
    assert facts["Availability"] == "unknown (licensed agents not on record)"


async def test_inc_6_without_licensed_agents_full_outages_still_give_an_exact_figure(
    world: Store,
):
    await incident(world, "acme", local(2026, 11, 3, 9), local(2026, 11, 3, 10), None)
    async with world.unit_of_work() as uow:
        report = await availability_report(uow, PolicyConfig(), "acme", NOVEMBER)
    # Every agent lost 60 minutes, whatever their number: the total cancels out.
    assert report.total_agents is None
    assert report.availability == pytest.approx(100 - 100 * 60 / 43_200)
    text = render_availability(report)
    assert "Total agents unknown" in text and "incident 1: all agents x 60 min" in text
