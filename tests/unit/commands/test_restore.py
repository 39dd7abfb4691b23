"""SLA-4 restoration: a restoration target stops when service is restored, either by the
linked incident's `incident restore` or by staff's `restore CASE TEXT`, not at the closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.messages import CaseView, Outcome, Refusal, TimerState
from bot.model import EventKind, Priority, Visibility
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, timer

ANA = "ana@vendor.example"
IVAN = "ivan@vendor.example"
GLOBEX_HIGH = (
    'open high "Agents cannot log in" --impact "all agents idle" --description '
    '"Since 09:00 no agent of the contact centre can log in; the login page times out."'
)


async def incident_case(chat, clock) -> int:  # type: ignore[no-untyped-def]
    """A cloud case (globex) made an Incident by staff at its opening."""
    number = await open_case_number(chat("gina@globex.example"), GLOBEX_HIGH)
    reply = await chat(ANA).say(f"set-priority {number} incident customer phoned: all down")
    assert reply.outcome is Outcome.OK, reply
    return number


@pytest.mark.parametrize(("minutes", "state"), [(14, TimerState.MET), (16, TimerState.BREACHED)])
async def test_sla_4_incident_restored_by_its_linked_incident_at_14_and_16_minutes(
    chat, store, config, clock, minutes, state
):
    number = await incident_case(chat, clock)
    opened = clock.now
    reply = await chat(IVAN).say(
        f"incident declare sev1 'Logins fail' --accounts globex --bridge CBRIDGE --case {number}"
    )
    assert reply.outcome is Outcome.OK, reply
    clock.advance(minutes=minutes)
    reply = await chat(IVAN).say("incident restore 1 Login service failed over")
    assert reply.outcome is Outcome.OK, reply
    clocks = await clocks_of(store, config, number, opened + timedelta(hours=5))
    restoration = clocks.resolution
    assert restoration is not None and restoration.label == "restoration"
    # Met or late at the restoration instant, whatever time has passed since.
    assert restoration.state is state
    assert restoration.met_at == opened + timedelta(minutes=minutes)
    assert restoration.elapsed == timedelta(minutes=minutes)
    case = await get_case(store, number)
    event = case.events[-1]
    assert (event.kind, event.author, event.visibility) == (
        EventKind.RESTORED,
        IVAN,
        Visibility.PUBLIC,
    )
    # Nothing more to warn about: the SLA-5 timer of the restoration clock is gone.
    assert await timer(store, "sla", number) is None


@pytest.mark.parametrize(("minutes", "state"), [(14, TimerState.MET), (16, TimerState.BREACHED)])
async def test_sla_4_incident_restored_by_staff_on_the_case_at_14_and_16_minutes(
    chat, store, config, clock, minutes, state
):
    number = await incident_case(chat, clock)
    opened = clock.now
    clock.advance(minutes=minutes)
    reply = await chat(ANA).say(f"restore {number} restarted the login service")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    assert ("within" if state is TimerState.MET else "after") in (reply.body.note or "")
    shown = {t.name: t.state for t in reply.body.timers}
    assert shown["restoration"] is state
    clock.advance(hours=3)
    clocks = await clocks_of(store, config, number, clock.now)
    assert clocks.resolution is not None and clocks.resolution.state is state
    assert clocks.resolution.met_at == opened + timedelta(minutes=minutes)
    case = await get_case(store, number)
    assert case.events[-1].kind is EventKind.RESTORED
    assert case.events[-1].body == "Service restored: restarted the login service"
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries(number)
    assert audit[-1].action == "case.restore"


async def test_sla_4_production_down_restoration_stops_its_4_hour_target(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    await chat(ANA).say(f"set-priority {number} critical exports down --production-down")
    opened = (await get_case(store, number)).opened_at
    clock.advance(hours=3, minutes=59)
    assert (await chat(ANA).say(f"restore {number} failover to the standby")).outcome is Outcome.OK
    clocks = await clocks_of(store, config, number, clock.now + timedelta(hours=10))
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.MET
    assert clocks.resolution.met_at == opened + timedelta(hours=3, minutes=59)
    explained = await chat("alice@acme.example").say(f"sla {number}")
    assert isinstance(explained.body, CaseView)
    assert "restoration target is met when service is restored" in (explained.body.note or "")


async def test_sla_4_a_case_without_a_restoration_target_refuses_restore_and_writes_nothing(
    chat, store
):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat(ANA).say(f"restore {number} it works again")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "SLA-4"
    assert "no restoration target" in reply.body.reason
    assert await footprint(store, number) == before


async def test_sla_4_a_second_restoration_is_refused(chat, store, clock):
    number = await incident_case(chat, clock)
    clock.advance(minutes=5)
    assert (await chat(ANA).say(f"restore {number} first fix")).outcome is Outcome.OK
    before = await footprint(store, number)
    reply = await chat(ANA).say(f"restore {number} second fix")
    assert reply.outcome is Outcome.REFUSED and isinstance(reply.body, Refusal)
    assert "already recorded as restored" in reply.body.reason
    assert await footprint(store, number) == before


async def test_acc_8_customers_cannot_record_a_restoration(chat, store, clock):
    number = await incident_case(chat, clock)
    before = await footprint(store, number)
    reply = await chat("gina@globex.example").say(f"restore {number} it works")
    assert reply.outcome is not Outcome.OK
    assert await footprint(store, number) == before
    assert (await get_case(store, number)).priority is Priority.INCIDENT


async def test_sla_4_after_a_reopen_the_restoration_clock_runs_again_and_takes_a_new_restoration(
    chat, store, config, clock
):
    # Production Down, restored, closed; the customer reopens it (down again): the new cycle's
    # restoration target runs until support records a new restoration.
    alice = chat("alice@acme.example")
    number = await open_case_number(alice)
    await chat(ANA).say(f"set-priority {number} critical exports down --production-down")
    clock.advance(hours=1)
    assert (await chat(ANA).say(f"restore {number} failover to the standby")).outcome is Outcome.OK
    closed = await chat(ANA).say(f"set-status {number} Closed/Resolved failover holds")
    assert closed.outcome is Outcome.OK, closed
    clock.advance(hours=2)
    why = "the exports are down again since this morning and the failover did not hold at all"
    reopened = await alice.say(f"reopen {number} {why}")
    assert reopened.outcome is Outcome.OK, reopened
    clock.advance(minutes=30)
    running = await clocks_of(store, config, number, clock.now)
    assert running.resolution is not None and running.resolution.label == "restoration"
    assert running.resolution.state is TimerState.RUNNING and running.resolution.met_at is None
    again = await chat(ANA).say(f"restore {number} restarted the export service")
    assert again.outcome is Outcome.OK, again
    met = await clocks_of(store, config, number, clock.now)
    assert met.resolution is not None and met.resolution.met_at == clock.now
