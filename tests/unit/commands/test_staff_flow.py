"""A case worked from opening to closing by support: status, sub-status and the SLA-4 clocks at
every step (CASE-6, CASE-7, CASE-8, SLA-4, FUP-1)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import CaseView, NoticeKind, Outcome, TimerState
from bot.model import Status, SubStatus
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from tests.builders import open_case_number
from tests.readback import clocks_of, get_case, posts, timer

from .conftest import Clock, Person


async def expect(
    store: Store,
    config: PolicyConfig,
    clock: Clock,
    number: int,
    status: tuple[Status, SubStatus],
    response: TimerState,
    resolution: TimerState,
    resolution_hours: float,
) -> sla.SlaClocks:
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == status
    clocks = await clocks_of(store, config, number, clock.now)
    assert clocks.response is not None and clocks.resolution is not None
    assert (clocks.response.state, clocks.resolution.state) == (response, resolution)
    assert clocks.resolution.elapsed == timedelta(hours=resolution_hours)
    return clocks


async def test_case_6_sla_4_a_case_from_open_to_closed_by_support(chat, store, config, clock):
    alice: Person = chat("alice@acme.example")
    ana: Person = chat("ana@vendor.example")
    run = TimerState.RUNNING
    paused, met = TimerState.PAUSED, TimerState.MET

    # Tuesday 10:00 in New York: a medium case on an on-premises Business Care account.
    number = await open_case_number(alice)
    await expect(store, config, clock, number, (Status.OPEN, SubStatus.NEW), run, run, 0)

    clock.advance(hours=1)
    took = await ana.say(f"take {number}")
    assert isinstance(took.body, CaseView) and took.body.case.owner == "ana@vendor.example"
    await expect(store, config, clock, number, (Status.OPEN, SubStatus.NEW), run, run, 1)

    clock.advance(hours=1)
    assert (await ana.say(f"respond {number} Looking at the export logs now.")).outcome is (
        Outcome.OK
    )
    clocks = await expect(
        store, config, clock, number, (Status.OPEN, SubStatus.INVESTIGATION), met, run, 2
    )
    assert clocks.response is not None and clocks.response.met_at == clock.now

    clock.advance(hours=1)
    await ana.say(f"request-info {number} Which server version runs the export?")
    waiting = (Status.AWAITING_INFORMATION, SubStatus.INFORMATION_REQUIRED)
    await expect(store, config, clock, number, waiting, met, paused, 3)
    assert await timer(store, "follow_up", number) is not None
    assert await timer(store, "sla", number) is None

    clock.advance(days=1)  # Wednesday: the paused day does not count
    await expect(store, config, clock, number, waiting, met, paused, 3)
    await alice.say(f"update {number} Version 8.2.0 on Windows Server 2022.")
    responded = (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    await expect(store, config, clock, number, responded, met, run, 3)
    assert await timer(store, "follow_up", number) is None
    assert await timer(store, "sla", number) is not None

    clock.advance(hours=2)
    await ana.say(f"propose {number} Install hotfix 8.2.1, which fixes the export.")
    proposed = (Status.SOLUTION_PROPOSED, SubStatus.REPLIED)
    await expect(store, config, clock, number, proposed, met, paused, 5)
    assert await timer(store, "follow_up", number) is not None

    clock.advance(hours=1)
    closed = await ana.say(f"set-status {number} Closed/Resolved hotfix confirmed by phone")
    assert closed.outcome is Outcome.OK
    await expect(store, config, clock, number, (Status.CLOSED, SubStatus.RESOLVED), met, met, 5)
    case = await get_case(store, number)
    assert case.closed_at == clock.now and case.owner == "ana@vendor.example"
    assert await timer(store, "follow_up", number) is None
    assert await timer(store, "sla", number) is None

    queued = await posts(store, clock.now)
    to_alice = [p.notice.kind for p in queued if p.target == "UALICE"]
    assert to_alice == [NoticeKind.CASE_UPDATED] * 4 + [NoticeKind.SURVEY]
    to_ana = [p.notice.kind for p in queued if p.target == "UANA"]
    assert to_ana == [NoticeKind.CASE_UPDATED]  # the customer's update, to the owner
