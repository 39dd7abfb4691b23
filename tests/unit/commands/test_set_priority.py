"""`set-priority CASE PRIORITY REASON [--production-down]` (PRI-1, CASE-3): SLA-4 recomputes
the due times from the case's history under the new priority."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Message, Outcome, Refusal
from bot.model import EventKind, Priority, Visibility
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, posts, timer

from .conftest import T0


async def test_sla_4_set_priority_recomputes_the_sla_timer_from_the_opening(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    before = await timer(store, "sla", number)
    # Medium, on premises, Business Care: 75% of 1 business day (13 h in NA) after 10:00 NY.
    assert before is not None and before.due_at == T0 + timedelta(hours=9, minutes=45)
    clock.advance(hours=1)
    reply = await chat("ana@vendor.example").say(
        f"set-priority {number} high the whole billing team is blocked"
    )
    assert reply.outcome is Outcome.OK
    after = await timer(store, "sla", number)
    # High: 4 business hours counted from the opening, not from the change (SLA-4).
    assert after is not None and after.due_at == T0 + timedelta(hours=3)
    clocks = await clocks_of(store, config, number, clock.now)
    assert clocks.response is not None and clocks.response.due_at == T0 + timedelta(hours=4)


async def test_pri_1_set_priority_records_a_public_change_and_an_audit_entry(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"set-priority {number} low a workaround exists")
    case = await get_case(store, number)
    assert case.priority is Priority.LOW and not case.production_down
    event = case.events[-1]
    assert (event.kind, event.priority, event.production_down) == (
        EventKind.PRIORITY_CHANGE,
        Priority.LOW,
        False,
    )
    assert event.visibility is Visibility.PUBLIC and event.body == "a workaround exists"
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries(number)
    assert audit[-1].action == "case.set_priority"
    assert audit[-1].detail["after"] == "Low"
    to_alice = [p for p in await posts(store, clock.now) if p.target == "UALICE"]
    assert len(to_alice) == 1 and "Low" in to_alice[0].notice.title


async def test_case_3_production_down_runs_24x7_targets(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(
        f"set-priority {number} critical customer phoned, all exports down --production-down"
    )
    case = await get_case(store, number)
    assert (case.priority, case.production_down) == (Priority.CRITICAL, True)
    sla_timer = await timer(store, "sla", number)
    # 75% of the 60 min (24x7) response target of Critical - Production Down (SLA-1).
    assert sla_timer is not None and sla_timer.due_at == T0 + timedelta(minutes=45)


async def test_case_3_production_down_only_applies_to_critical(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(
        f"set-priority {number} high exports down --production-down"
    )
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-3"
    assert await footprint(store, number) == before


async def test_case_3_the_incident_severity_is_refused_on_premises(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(f"set-priority {number} incident outage")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-3"
    assert await footprint(store, number) == before


async def test_pri_1_setting_the_same_priority_is_refused(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(f"set-priority {number} medium no change")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "PRI-1"


async def test_r6_an_unknown_priority_or_missing_reason_gets_the_usage(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    before = await footprint(store, number)
    unknown = await ana.say(f"set-priority {number} urgent please")
    no_reason = await ana.say(f"set-priority {number} high")
    assert isinstance(unknown.body, Message) and "set-priority CASE PRIORITY" in unknown.body.text
    assert isinstance(no_reason.body, Message) and "reason" in no_reason.body.text
    assert unknown.outcome is no_reason.outcome is Outcome.INVALID
    assert await footprint(store, number) == before


async def test_case_6_a_closed_case_keeps_its_priority(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Resolved fixed")
    reply = await ana.say(f"set-priority {number} high it came back")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"


async def test_acc_8_set_priority_is_an_unknown_verb_for_customers(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("alice@acme.example").say(f"set-priority {number} high urgent")
    # The nearest verb the customer may use, with the case: a suggestion, never run.
    assert reply.body == Message(
        f"Unknown command `set-priority`. Did you mean `priority {number} ...`? "
        "Type `help` to see what you can do."
    )
    assert await footprint(store, number) == before


async def test_acc_8_admin_without_the_analyst_role_cannot_set_priority(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("adam@vendor.example").say(f"set-priority {number} high urgent")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
