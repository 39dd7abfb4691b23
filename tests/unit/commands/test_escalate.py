"""`escalate CASE REASON [--impact TEXT] [--rca]` (ESC-1..ESC-10, CASE-7, R2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.messages import CaseView, Form, FormKind, NoticeKind, Outcome, Refusal
from bot.model import EventKind, Platform, Priority, Status, SubStatus
from bot.store.interface import Store
from bot.store.interface.cases import EscalationState
from bot.store.interface.incidents import ChannelRef
from bot.store.interface.outbox import TargetKind
from tests.builders import open_case, set_priority, set_status, submit
from tests.readback import count_rows, get_case, queued_notices

from .conftest import T0, Person

IMPACT = '--impact "200 agents cannot export their daily reports"'
# ESC-5: opened Tue 24 Nov 2026 10:00 New York; 3 NA business days (3 x 13 h) later, with
# Thanksgiving (Thu 26 Nov) skipped, is Mon 30 Nov 10:00 New York.
MEDIUM_ELIGIBLE = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


async def test_esc_10_an_accepted_request_is_recorded_and_the_queue_is_told(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=24)
    reply = await alice.say(f"escalate {case.number} No progress for a day {IMPACT}")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView) and "ESC-10" in (reply.body.note or "")
    async with store.unit_of_work() as uow:
        waiting = await uow.escalations.open_for(case.number)
        audit = [e.action for e in await uow.audit.entries(case.number)]
    assert waiting is not None and waiting.state is EscalationState.WAITING
    assert waiting.requested_by == "alice@acme.example" and not waiting.rca
    event = (await get_case(store, case.number)).events[-1]
    assert event.kind is EventKind.ESCALATION_REQUEST
    assert event.body.splitlines() == [
        "Escalation Request",
        "Reason: No progress for a day",
        "Impact: 200 agents cannot export their daily reports",
    ]
    assert audit[-1] == "case.escalate"
    kinds = [n.kind for _, n in await queued_notices(store, clock.now)]
    assert kinds.count(NoticeKind.ESCALATION_REQUESTED) == 1


async def test_esc_6_high_exactly_24_hours_without_an_update_is_eligible(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=24)
    reply = await alice.say(f"escalate {case.number} Still down {IMPACT}")
    assert reply.outcome is Outcome.OK


async def test_esc_6_high_at_23_hours_59_is_refused_and_nothing_is_written(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=23, minutes=59)
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number} Still down {IMPACT}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-6"
    assert "update" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_esc_6_high_needs_the_current_business_impact(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=30)
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number} Still down")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-6"
    assert "--impact" in (reply.body.instead or "")
    assert await count_rows(store) == before
    form = await submit(alice, "escalate", case.number, reason="Still down")
    assert form.outcome is Outcome.INVALID
    assert isinstance(form.body, Form) and "impact" in form.body.errors


async def test_esc_5_medium_exactly_3_business_days_without_an_update_is_eligible(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    clock.now = MEDIUM_ELIGIBLE - timedelta(minutes=1)
    before = await count_rows(store)
    early = await alice.say(f"escalate {case.number} Nobody has looked at this")
    assert isinstance(early.body, Refusal) and early.body.rule == "ESC-5"
    assert "2026-11-30 10:00" in (early.body.instead or "")  # New York time
    assert await count_rows(store) == before
    clock.now = MEDIUM_ELIGIBLE
    on_time = await alice.say(f"escalate {case.number} Nobody has looked at this")
    assert on_time.outcome is Outcome.OK, on_time


async def test_esc_4_low_priority_is_refused_pointing_at_a_priority_change(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    clock.advance(days=20)
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number} Please look at it")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-4"
    assert f"priority {case.ref} medium" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_esc_2_a_closed_case_is_refused_pointing_at_reopen(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    await alice.say(f"close {case.number} resolved Fixed")
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-2"
    assert "reopen" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_esc_3_awaiting_information_is_refused_and_case_7_an_update_resumes_the_case(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    clock.advance(hours=1)
    await set_status(
        store, case.number, Status.AWAITING_INFORMATION, SubStatus.INFORMATION_REQUIRED, clock.now
    )
    clock.now = MEDIUM_ELIGIBLE + timedelta(days=3)
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number} Please hurry")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-3"
    assert f"update {case.ref}" in (reply.body.instead or "")
    assert await count_rows(store) == before
    update = await alice.say(f"update {case.number} Here are the logs you asked for")
    assert update.outcome is Outcome.OK
    resumed = await get_case(store, case.number)
    assert (resumed.status, resumed.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    # ESC-5: the customer's own update does not restart the wait; support's request was
    # more than 3 business days ago, so the case is eligible now.
    again = await alice.say(f"escalate {case.number} Please hurry")
    assert again.outcome is Outcome.OK, again


async def test_esc_9_a_second_request_is_refused_and_points_at_the_open_one(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=25)
    await alice.say(f"escalate {case.number} First request {IMPACT}")
    before = await count_rows(store)
    reply = await chat("dave@acme.example").say(f"escalate {case.number} Second {IMPACT}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-9"
    assert "alice@acme.example" in reply.body.reason
    assert await count_rows(store) == before


async def test_esc_7_critical_is_refused_with_the_phone_number_but_the_alerts_are_kept(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    await set_priority(store, case.number, Priority.CRITICAL, clock.now, "ana@vendor.example")
    clock.advance(minutes=10)
    before = await count_rows(store)
    reply = await alice.say(f"escalate {case.number} Every call is dropping")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-7"
    assert "+1 800 555 0100" in reply.body.reason
    after = await count_rows(store)
    assert (after.events, after.escalations) == (before.events, before.escalations)
    assert after.outbox == before.outbox + 2  # the queue and the owner, committed anyway
    alerts = [
        (m.target_kind, m.target)
        for m, n in await queued_notices(store, clock.now)
        if n.kind is NoticeKind.CRITICAL_RAISE_EXPECTED
    ]
    assert sorted(alerts) == [(TargetKind.CHANNEL, "CQUEUE"), (TargetKind.PRIVATE, "UANA")]
    repeat = await alice.say(f"escalate {case.number} Every call is dropping!!")
    assert isinstance(repeat.body, Refusal) and repeat.body.rule == "ESC-7"
    assert (await count_rows(store)).outbox == after.outbox  # no second page the same minute


async def declare_incident(store: Store, case_number: int) -> datetime:
    """An incident on the case, restored one hour after T0; the restoration time."""
    restored = T0 + timedelta(hours=1)
    async with store.unit_of_work() as uow:
        incident = await uow.incidents.declare(
            "incident",
            "Voice platform outage",
            ["globex"],
            "voice",
            [ChannelRef(Platform.SLACK, "CBRIDGE")],
            case_number,
            "ivan@vendor.example",
            T0 + timedelta(minutes=5),
        )
        await uow.incidents.restore(incident.id, "Back up", 40, restored)
        await uow.commit()
    return restored


async def test_esc_8_rca_is_refused_before_5_business_days_after_restoration(chat, store, clock):
    gina: Person = chat("gina@globex.example")
    case = await open_case(gina, "high", extra=IMPACT)
    await declare_incident(store, case.number)
    # Restored Tue 24 Nov 16:00 London; 5 EMEA business days of 11 h: Tue 1 Dec 16:00.
    clock.now = datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
    before = await count_rows(store)
    early = await gina.say(f"escalate {case.number} We need the root cause --rca")
    assert isinstance(early.body, Refusal) and early.body.rule == "ESC-8"
    assert "2026-12-01 16:00" in (early.body.instead or "")
    assert await count_rows(store) == before
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    on_time = await gina.say(f"escalate {case.number} We need the root cause --rca")
    assert on_time.outcome is Outcome.OK, on_time
    async with store.unit_of_work() as uow:
        waiting = await uow.escalations.open_for(case.number)
    assert waiting is not None and waiting.rca


async def test_esc_8_rca_without_a_linked_incident_is_refused(chat, store, clock):
    gina: Person = chat("gina@globex.example")
    case = await open_case(gina, "high", extra=IMPACT)
    clock.advance(days=10)
    before = await count_rows(store)
    reply = await gina.say(f"escalate {case.number} Root cause please --rca")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-8"
    assert "No incident is linked" in reply.body.reason
    assert "without --rca" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_r2_the_same_escalate_request_twice_records_one_escalation(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=24)
    text = f"escalate {case.number} Nothing moves {IMPACT}"
    first = await alice.say(text, request_id="slack:esc-1")
    second = await alice.say(text, request_id="slack:esc-1")
    assert (first.outcome, second.outcome) == (Outcome.OK, Outcome.DUPLICATE)
    async with store.unit_of_work() as uow:
        assert len(await uow.escalations.for_case(case.number)) == 1


async def test_esc_1_escalate_without_a_reason_answers_with_the_form(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    reply = await alice.say(f"escalate {case.number}")
    assert isinstance(reply.body, Form) and reply.body.kind is FormKind.ESCALATE


async def test_esc_10_a_complete_escalate_form_is_accepted(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(days=2)
    reply = await submit(
        alice, "escalate", case.number, reason="No answer", impact="Agents idle", rca=False
    )
    assert reply.outcome is Outcome.OK, reply
    assert (await get_case(store, case.number)).events[-1].body.startswith("Escalation Request")


async def test_acc_2_a_read_only_contact_cannot_escalate(chat, store, clock):
    case = await open_case(chat("alice@acme.example"), "high", extra=IMPACT)
    clock.advance(days=2)
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"escalate {case.number} Hurry {IMPACT}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before


async def test_esc_6_a_form_sent_too_early_is_refused_for_the_wait_not_the_impact(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=2)
    reply = await submit(alice, "escalate", case.number, reason="Still down")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-6"
    assert "24 hours" in reply.body.reason


async def escalate_high(alice: Person, clock) -> int:
    """A High case, 25 h without an update, escalated by Alice: eligible under ESC-6."""
    case = await open_case(alice, "high", extra=IMPACT)
    clock.advance(hours=25)
    first = await alice.say(f"escalate {case.number} First request {IMPACT}")
    assert first.outcome is Outcome.OK, first
    return case.number


async def test_esc_9_an_accepted_escalation_stays_open_until_the_case_closes(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await escalate_high(alice, clock)
    clock.advance(hours=1)
    await chat("ana@vendor.example").say(f"escalation accept {number} A senior engineer joins")
    clock.advance(hours=30)  # ESC-6 alone would allow a new request by now
    before = await count_rows(store)
    reply = await chat("dave@acme.example").say(f"escalate {number} Still slow {IMPACT}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-9"
    assert reply.body.reason.startswith("This case has been escalated: the request requested by")
    assert (
        "alice@acme.example" in reply.body.reason and "until the case closes" in reply.body.reason
    )
    assert await count_rows(store) == before


async def test_esc_9_a_rejected_escalation_is_no_longer_open(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await escalate_high(alice, clock)
    await chat("ana@vendor.example").say(f"escalation reject {number} The fix ships Friday")
    clock.advance(hours=25)  # ESC-6: a day without an update by support after the rejection
    reply = await alice.say(f"escalate {number} The fix did not ship {IMPACT}")
    assert reply.outcome is Outcome.OK, reply
    async with store.unit_of_work() as uow:
        states = [e.state for e in await uow.escalations.for_case(number)]
    assert states == [EscalationState.REJECTED, EscalationState.WAITING]


async def test_esc_9_closing_the_case_ends_its_escalation_and_a_reopened_case_may_escalate(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    number = await escalate_high(alice, clock)
    await alice.say(f"close {number} resolved It works again after the restart")
    async with store.unit_of_work() as uow:
        [closed] = await uow.escalations.for_case(number)
        waiting = await uow.escalations.waiting()
    assert closed.state is EscalationState.CLOSED and waiting == []
    reopened = await alice.say(
        f"reopen {number} The export fails again with the same error since this morning at nine"
    )
    assert reopened.outcome is Outcome.OK, reopened
    clock.advance(hours=25)
    again = await alice.say(f"escalate {number} Broken again after reopening {IMPACT}")
    assert again.outcome is Outcome.OK, again
    async with store.unit_of_work() as uow:
        states = [e.state for e in await uow.escalations.for_case(number)]
    assert states == [EscalationState.CLOSED, EscalationState.WAITING]


async def test_esc_9_an_accepted_escalation_ends_when_the_case_closes(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await escalate_high(alice, clock)
    await chat("ana@vendor.example").say(f"escalation accept {number} A senior engineer joins")
    await alice.say(f"close {number} resolved It works again after the restart")
    await alice.say(
        f"reopen {number} The export fails again with the same error since this morning at nine"
    )
    clock.advance(hours=25)
    reply = await alice.say(f"escalate {number} Broken again after reopening {IMPACT}")
    assert reply.outcome is Outcome.OK, reply
