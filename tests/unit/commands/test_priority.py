"""`priority CASE PRIORITY REASON` (PRI-1)."""

from __future__ import annotations

from bot.messages import CaseView, Message, NoticeKind, Outcome, Refusal
from bot.model import EventKind, Priority, Visibility
from tests.builders import open_case
from tests.readback import count_rows, get_case, queued_notices

from .conftest import Person


async def test_pri_1_low_to_medium_is_recorded_as_an_internal_work_note_for_staff(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    reply = await alice.say(f"priority {case.number} medium More users are affected now")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    assert "passed to support" in (reply.body.note or "")
    stored = await get_case(store, case.number)
    assert stored.priority is Priority.LOW  # staff decide; the request changes nothing yet
    event = stored.events[-1]
    assert (event.kind, event.visibility) == (EventKind.PRIORITY_REQUEST, Visibility.INTERNAL)
    assert "Low -> Medium" in event.body and "More users are affected now" in event.body
    # Customers never see work notes on their card.
    assert all(u.kind is not EventKind.PRIORITY_REQUEST for u in reply.body.updates)
    staff_view = await chat("ana@vendor.example").say(f"show {case.number}")
    assert isinstance(staff_view.body, CaseView)
    assert staff_view.body.updates[0].kind is EventKind.PRIORITY_REQUEST
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries(case.number)
    assert audit[-1].action == "case.priority_request"
    assert audit[-1].detail == {"current": "low", "requested": "medium"}
    notices = [n for _, n in await queued_notices(store, clock.now) if "Priority change" in n.title]
    assert len(notices) == 1 and notices[0].kind is NoticeKind.CASE_UPDATED


async def test_pri_1_a_raise_to_high_needs_a_phone_call_and_writes_nothing(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    before = await count_rows(store)
    reply = await alice.say(f"priority {case.number} high Everything is slower today")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "PRI-1"
    assert "+1 800 555 0100" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_pri_1_a_raise_to_critical_needs_a_phone_call(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    reply = await alice.say(f"priority {case.number} critical Production is down")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "PRI-1"
    assert "phone" in reply.body.reason.lower()


async def test_pri_1_the_same_priority_is_refused(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    before = await count_rows(store)
    reply = await alice.say(f"priority {case.number} Medium Please")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "PRI-1"
    assert await count_rows(store) == before


async def test_pri_1_an_unknown_priority_gets_the_usage_line(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    reply = await alice.say(f"priority {case.number} urgent Please")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "priority CASE PRIORITY REASON" in reply.body.text


async def test_pri_1_a_request_needs_a_reason(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    before = await count_rows(store)
    reply = await alice.say(f"priority {case.number} medium")
    assert reply.outcome is Outcome.INVALID
    assert await count_rows(store) == before


async def test_acc_2_a_read_only_contact_cannot_request_a_priority_change(chat, store):
    case = await open_case(chat("alice@acme.example"), "low")
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"priority {case.number} medium More users")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before
