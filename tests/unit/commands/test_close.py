"""`close CASE resolved|cancelled COMMENT` (CASE-8): closing, the survey, refusals."""

from __future__ import annotations

from bot.commands.limits import MAX_REASON_CHARS
from bot.messages import CaseView, Form, FormKind, Message, NoticeKind, Outcome, Refusal
from bot.model import EventKind, Status, SubStatus
from bot.store.interface.outbox import TargetKind
from tests.builders import open_case, submit
from tests.readback import count_rows, get_case, queued_notices

from .conftest import Person


async def test_case_8_designated_contact_closes_as_resolved_with_a_comment(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    clock.advance(hours=2)
    reply = await alice.say(f"close {case.number} resolved Works again after the patch, thanks")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    stored = await get_case(store, case.number)
    assert (stored.status, stored.sub_status) == (Status.CLOSED, SubStatus.RESOLVED)
    assert stored.closed_at == clock.now
    closing = stored.events[-1]
    assert closing.kind is EventKind.CLOSED
    assert closing.body == "Works again after the patch, thanks"
    assert (closing.status, closing.sub_status) == (Status.CLOSED, SubStatus.RESOLVED)
    async with store.unit_of_work() as uow:
        audit = [e.action for e in await uow.audit.entries(case.number)]
    assert audit == ["case.open", "case.close"]


async def test_case_8_cancelled_is_the_other_choice(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    reply = await alice.say(f"close {case.number} Cancelled Opened by mistake")
    assert reply.outcome is Outcome.OK
    assert (await get_case(store, case.number)).sub_status is SubStatus.CANCELLED


async def test_case_8_survey_goes_privately_to_the_contact_who_opened_the_case(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    await chat("dave@acme.example").say(f"close {case.number} resolved Fixed by the upgrade")
    posts = await queued_notices(store, clock.now)
    surveys = [(m, n) for m, n in posts if n.kind is NoticeKind.SURVEY]
    assert len(surveys) == 1
    message, notice = surveys[0]
    assert message.target_kind is TargetKind.PRIVATE
    assert message.target == "UALICE"  # the opener, not dave who closed it
    assert message.dedup_key.startswith(f"survey:{case.number}:")
    assert notice.case_number == case.number
    assert f"survey {case.number}" in notice.body
    closed_alerts = [n for _, n in posts if n.kind is NoticeKind.CASE_UPDATED]
    assert len(closed_alerts) == 1  # no owner yet, so the queue hears about it


async def test_case_8_closing_an_owned_case_tells_the_owner_not_the_queue(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    await chat("ana@vendor.example").say(f"take {case.number}")
    before = {m.id for m, _ in await queued_notices(store, clock.now)}
    clock.advance(minutes=5)
    await alice.say(f"close {case.number} resolved All good now")
    new = [(m, n) for m, n in await queued_notices(store, clock.now) if m.id not in before]
    updates = [m for m, n in new if n.kind is NoticeKind.CASE_UPDATED]
    assert [(m.target_kind, m.target) for m in updates] == [(TargetKind.PRIVATE, "UANA")]


async def test_case_8_an_already_closed_case_is_refused_and_nothing_is_written(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    await alice.say(f"close {case.number} resolved Fixed")
    before = await count_rows(store)
    reply = await alice.say(f"close {case.number} resolved Fixed again")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-8"
    assert reply.body.instead is not None and "reopen" in reply.body.instead
    assert await count_rows(store) == before


async def test_case_8_only_resolved_or_cancelled_and_nothing_is_written(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"close {case.number} duplicate Same as another case")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-8"
    assert "resolved" in (reply.body.instead or "")
    assert await count_rows(store) == before


async def test_case_8_a_closure_comment_is_required(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"close {case.number} resolved")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "closure comment" in reply.body.text
    assert await count_rows(store) == before


async def test_r6_an_over_long_closure_comment_is_refused_naming_the_limit(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    reply = await alice.say(f"close {case.number} resolved " + "x" * (MAX_REASON_CHARS + 1))
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and f"{MAX_REASON_CHARS:,}" in reply.body.text


async def test_case_8_close_without_arguments_answers_with_the_close_form(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"close {case.number}")
    assert isinstance(reply.body, Form) and reply.body.kind is FormKind.CLOSE
    assert reply.body.case_number == case.number
    assert await count_rows(store) == before


async def test_case_8_an_incomplete_close_form_comes_back_with_its_errors(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await submit(alice, "close", case.number, resolution="resolved", comment="  ")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Form) and set(reply.body.errors) == {"comment"}
    assert await count_rows(store) == before


async def test_case_8_a_complete_close_form_closes_the_case(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    reply = await submit(alice, "close", case.number, resolution="cancelled", comment="Not needed")
    assert reply.outcome is Outcome.OK
    assert (await get_case(store, case.number)).sub_status is SubStatus.CANCELLED


async def test_acc_2_a_read_only_contact_cannot_close(chat, store):
    case = await open_case(chat("alice@acme.example"))
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"close {case.number} resolved Done")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before
