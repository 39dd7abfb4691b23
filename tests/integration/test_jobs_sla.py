"""SLA-5 / SLA-5b through scheduler passes over simulated time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.directory import load_directory
from bot.messages import CaseAction, Notice, NoticeKind
from bot.model import CaseEvent, EventKind, Platform, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from tests.builders import T0
from tests.integration.jobs_fakes import (
    DIRECTORY,
    Passes,
    change,
    open_tracked,
    seed_directory,
)

# T0 is Monday 4 May 2026, 10:00 in New York. The High case of acme (on-premises, Business Care,
# NA 08:00-21:00) has 4 business hours to respond and 2 business days (26 h) to resolve.
RESPONSE_WARNING = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)  # 75% of 4 h
RESPONSE_BREACH = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
ACCOUNT_CHANNELS = {"CACME", "19:acme@thread.tacv2"}
QUARTER = timedelta(minutes=15)


@pytest.fixture
def config() -> PolicyConfig:
    return PolicyConfig()


@pytest.fixture
async def passes(store: Store, config: PolicyConfig) -> Passes:
    await seed_directory(store)
    return Passes(store, config)


def notices(passes: Passes, kind: NoticeKind) -> list[tuple[str, Notice]]:
    found = []
    for post in passes.posts:
        body = post.reply.body
        if isinstance(body, Notice) and body.kind is kind:
            found.append((post.target, body))
    return found


async def test_sla_5_high_case_warns_and_breaches_once_and_stays_quiet_while_awaiting_info(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    n = case.number

    await passes.every(T0, RESPONSE_WARNING - QUARTER, QUARTER)
    assert passes.posts == []
    await passes.every(RESPONSE_WARNING, RESPONSE_BREACH + 2 * QUARTER, QUARTER)
    await passes.at(RESPONSE_BREACH + 2 * QUARTER)  # a repeated pass changes nothing (R4)
    assert passes.counts() == {
        f"sla:{n}:c0:response:0.75:slack:CQUEUE": 1,
        f"sla:{n}:c0:response:1.0:slack:CQUEUE": 1,
        f"sla5b:{n}:c0:response:slack:CACME": 1,
        f"sla5b:{n}:c0:response:teams:19:acme@thread.tacv2": 1,
    }
    [(_, warning)] = notices(passes, NoticeKind.SLA_WARNING)
    assert warning.case_number == n and warning.actions == (CaseAction.TAKE,)
    assert "75% of the response target" in warning.title
    customer = notices(passes, NoticeKind.CUSTOMER_BREACH)
    assert {target for target, _ in customer} == ACCOUNT_CHANNELS
    _, breach = customer[0]
    # SLA-5b: which target, flagged to management, what to do; no TAKE button for customers.
    assert "response target" in breach.body and "support management" in breach.body
    assert "+1 800 555 0100" in breach.body and breach.actions == ()
    queue_reply = next(p.reply for p in passes.posts if p.target == "CQUEUE")
    assert (queue_reply.time_zone, queue_reply.show_utc) == ("America/New_York", True)

    # Support answers and asks for information: the resolution clock pauses (SLA-4).
    asked = RESPONSE_BREACH + 2 * QUARTER
    await change(store, config, n, CaseEvent(EventKind.STAFF_RESPONSE, asked, "ana@vendor.example"))
    waiting = CaseEvent(
        EventKind.STATUS_CHANGE,
        asked,
        "ana@vendor.example",
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
    )
    await change(
        store,
        config,
        n,
        waiting,
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
    )
    before = len(passes.posts)
    # Unpaused, 75% of the resolution target would pass on Tuesday 20:30 UTC.
    answered = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)  # Wednesday 08:00 in New York
    await passes.every(asked, answered, timedelta(minutes=30))
    assert len(passes.posts) == before  # nothing at all while the case waits (SLA-5)

    back = CaseEvent(
        EventKind.STATUS_CHANGE,
        answered,
        "alice@acme.example",
        Platform.SLACK,
        status=Status.OPEN,
        sub_status=SubStatus.CUSTOMER_RESPONDED,
    )
    await change(
        store, config, n, back, status=Status.OPEN, sub_status=SubStatus.CUSTOMER_RESPONDED
    )
    # 4.5 business hours ran before the pause; 15 more reach 75% on Thursday 10:00 New York.
    resumed_warning = datetime(2026, 5, 7, 14, 0, tzinfo=UTC)
    await passes.every(answered, resumed_warning - QUARTER, QUARTER)
    assert len(passes.posts) == before
    await passes.every(resumed_warning, resumed_warning + timedelta(hours=1), QUARTER)
    assert passes.counts()[f"sla:{n}:c0:resolution:0.75:slack:CQUEUE"] == 1
    assert len(passes.posts) == before + 1


async def test_not_1_the_customers_breach_notice_is_in_the_accounts_own_zone_the_queues_in_the_regions(
    store: Store, config: PolicyConfig, tmp_path: Path
) -> None:
    # acme (NA, New York hours) names its own zone: what the customer reads is in Chicago time,
    # what the analysts read stays in the region's zone, with UTC beside it.
    text = DIRECTORY.read_text()
    own_zone = text.replace("region: NA,", "region: NA, timezone: America/Chicago,", 1)
    assert own_zone != text
    (tmp_path / "directory.yaml").write_text(own_zone)
    await load_directory(store, tmp_path / "directory.yaml")
    passes = Passes(store, config)
    await open_tracked(store, config, T0)
    await passes.every(T0, RESPONSE_BREACH + QUARTER, QUARTER)
    customer = [p.reply for p in passes.posts if p.target in ACCOUNT_CHANNELS]
    queue = [p.reply for p in passes.posts if p.target == "CQUEUE"]
    assert len(customer) == 2 and queue
    assert {(r.time_zone, r.show_utc) for r in customer} == {("America/Chicago", False)}
    assert {(r.time_zone, r.show_utc) for r in queue} == {("America/New_York", True)}


async def test_sla_5b_breach_goes_privately_to_the_opener_when_no_account_channel_is_bound(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    # hooli (cloud, APAC) has no account channel; ian opened the case from Slack. Its High
    # response target of 2 business hours passes at 10:00 in Brisbane, midnight UTC.
    case = await open_tracked(store, config, T0, "hooli", opened_by="ian@initech.example")
    await passes.every(T0, T0 + timedelta(hours=11), QUARTER)
    customer = [p for p in passes.posts if p.dedup_key.startswith("sla5b:")]
    assert [(p.dedup_key, p.target) for p in customer] == [
        (f"sla5b:{case.number}:c0:response:slack:UIAN", "UIAN")
    ]


async def test_sla_5_catch_up_after_downtime_sends_the_breach_not_a_burst(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    await passes.at(RESPONSE_BREACH + timedelta(hours=1))  # the first pass after an outage
    queue_keys = [k for k in passes.counts() if k.startswith("sla:")]
    assert queue_keys == [f"sla:{case.number}:c0:response:1.0:slack:CQUEUE"]


async def test_sla_5_timer_moves_to_the_next_instant_after_a_pass(
    store: Store, config: PolicyConfig, passes: Passes
) -> None:
    case = await open_tracked(store, config, T0)
    await passes.at(RESPONSE_WARNING)
    async with store.unit_of_work(read_only=True) as uow:
        timer = await uow.timers.get("sla", str(case.number))
    assert timer is not None and timer.due_at == RESPONSE_BREACH
