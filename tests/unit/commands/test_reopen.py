"""`reopen CASE REASON` (REO-1..REO-3)."""

from __future__ import annotations

from bot.messages import (
    CaseView,
    Form,
    FormKind,
    NoticeKind,
    Outcome,
    Refusal,
    TimerState,
)
from bot.model import EventKind, Status, SubStatus
from tests.builders import open_case, set_status, submit
from tests.readback import count_rows, get_case, queued_notices

from .conftest import Person

REASON = "The export still fails for the finance reports with the same error as before"


async def closed_case(alice: Person) -> int:
    case = await open_case(alice)
    await alice.say(f"close {case.number} resolved Looked fixed after the patch")
    return case.number


async def test_reo_1_closed_30_days_minus_a_second_ago_reopens_with_a_new_response_target(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    clock.advance(days=30, seconds=-1)
    reply = await alice.say(f"reopen {number} {REASON}")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    stored = await get_case(store, number)
    assert (stored.status, stored.sub_status) == (Status.OPEN, SubStatus.REOPEN_REQUESTED)
    assert stored.closed_at is None
    event = stored.events[-1]
    assert (event.kind, event.body) == (EventKind.REOPENED, REASON)
    response = next(t for t in reply.body.timers if t.name == "response")
    assert response.state is TimerState.RUNNING
    assert response.due_at is not None and response.due_at > clock.now  # counted from now
    async with store.unit_of_work() as uow:
        sla_timer = await uow.timers.get("sla", str(number))
        audit = [e.action for e in await uow.audit.entries(number)]
    assert sla_timer is not None and sla_timer.due_at > clock.now
    assert audit[-1] == "case.reopen"
    alerts = [
        n for _, n in await queued_notices(store, clock.now) if n.title.startswith("Case 0000")
    ]
    assert any("reopened" in n.title and n.kind is NoticeKind.CASE_UPDATED for n in alerts)


async def test_reo_2_exactly_30_days_after_closing_is_refused_with_a_linked_open_command(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    await alice.say("""open medium 'The "Q3" export fails' --description "Fails every time" """)
    await alice.say("close 1001 resolved Looked fixed after the patch")
    number = 1001
    clock.advance(days=30)
    before = await count_rows(store)
    reply = await alice.say(f"reopen {number} {REASON}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "REO-2"
    command = "open medium 'The \"Q3\" export fails' --ref 0000001001 --account acme"
    assert reply.body.instead is not None and f"`{command}`" in reply.body.instead
    assert await count_rows(store) == before
    # The offered command really opens the new case, linked by its reference.
    opened = await alice.say(command)
    assert isinstance(opened.body, CaseView)
    assert opened.body.case.summary == 'The "Q3" export fails'
    assert opened.body.case.external_ref == "0000001001"


async def test_reo_3_a_case_closed_for_no_response_reopens_only_by_phone(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    await set_status(
        store, case.number, Status.CLOSED, SubStatus.NO_RESPONSE, clock.now, closed_at=clock.now
    )
    clock.advance(days=1)
    before = await count_rows(store)
    reply = await alice.say(f"reopen {case.number} {REASON}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "REO-3"
    assert "+1 800 555 0100" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_reo_1_a_reason_under_10_words_is_refused(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"reopen {number} still broken")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "REO-1"
    assert "10 words" in reply.body.reason
    assert await count_rows(store) == before


async def test_reo_1_reopen_without_a_reason_answers_with_the_reopen_form(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    reply = await alice.say(f"reopen {number}")
    assert isinstance(reply.body, Form) and reply.body.kind is FormKind.REOPEN
    assert reply.body.case_number == number


async def test_reo_1_a_short_reason_in_the_form_comes_back_as_a_form_error(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    reply = await submit(alice, "reopen", number, reason="still broken")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Form) and "reason" in reply.body.errors
    ok = await submit(alice, "reopen", number, reason=REASON)
    assert ok.outcome is Outcome.OK


async def test_reo_1_an_open_case_has_nothing_to_reopen(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"reopen {case.number} {REASON}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "REO-1"
    assert "update" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_acc_2_a_read_only_contact_cannot_reopen(chat, store):
    number = await closed_case(chat("alice@acme.example"))
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"reopen {number} {REASON}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before
