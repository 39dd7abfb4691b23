"""`escalation accept|reject CASE TEXT` (ESC-10): staff decide; the requester is told either way."""

from __future__ import annotations

from datetime import datetime

from bot.messages import Message, NoticeKind, Outcome, Refusal
from bot.model import EventKind, Visibility
from bot.store.interface import Store
from bot.store.interface.cases import EscalationState
from tests.builders import open_case_number
from tests.readback import footprint, get_case, posts


async def escalate(store: Store, number: int, by: str, at: datetime) -> int:
    """A waiting escalation written through the store (as `escalate` would)."""
    async with store.unit_of_work() as uow:
        escalation = await uow.escalations.add(
            number, by, "No progress for three days", "Month-end reports blocked", False, at
        )
        await uow.commit()
    return escalation.id


async def test_esc_10_accepting_records_the_decision_and_tells_the_requester(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "alice@acme.example", clock.now)
    clock.advance(hours=1)
    reply = await chat("ana@vendor.example").say(
        f"escalation accept {number} A senior engineer joins the case today."
    )
    assert reply.outcome is Outcome.OK
    async with store.unit_of_work() as uow:
        [decided] = await uow.escalations.for_case(number)
        waiting = await uow.escalations.waiting()
        audit = await uow.audit.entries(number)
    assert (decided.state, decided.decided_by, decided.decided_at) == (
        EscalationState.ACCEPTED,
        "ana@vendor.example",
        clock.now,
    )
    assert decided.decision_text == "A senior engineer joins the case today."
    assert waiting == []
    assert audit[-1].action == "escalation.accept"
    event = (await get_case(store, number)).events[-1]
    assert (event.kind, event.visibility) == (EventKind.ESCALATION_ACCEPTED, Visibility.PUBLIC)
    assert event.body == "A senior engineer joins the case today."
    decided_posts = [
        p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.ESCALATION_DECIDED
    ]
    assert [p.target for p in decided_posts] == ["UALICE"]
    assert "accepted" in decided_posts[0].notice.title


async def test_esc_10_rejecting_tells_the_requester_too(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "dave@acme.example", clock.now)
    reply = await chat("ivan@vendor.example").say(
        f"escalation reject {number} The fix ships Friday as agreed; nothing more to speed up."
    )
    assert reply.outcome is Outcome.OK
    async with store.unit_of_work() as uow:
        [decided] = await uow.escalations.for_case(number)
    assert decided.state is EscalationState.REJECTED
    assert (await get_case(store, number)).events[-1].kind is EventKind.ESCALATION_REJECTED
    decided_posts = [
        p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.ESCALATION_DECIDED
    ]
    assert [p.target for p in decided_posts] == ["UDAVE"]  # the requester, not the opener
    assert "rejected" in decided_posts[0].notice.title


async def test_esc_10_no_waiting_escalation_is_refused_and_writes_nothing(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(f"escalation accept {number} on it")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-10"
    assert reply.body.instead is not None and "queue" in reply.body.instead
    assert await footprint(store, number) == before


async def test_esc_10_an_escalation_is_decided_only_once(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "alice@acme.example", clock.now)
    ana = chat("ana@vendor.example")
    await ana.say(f"escalation accept {number} on it")
    before = await footprint(store, number)
    reply = await ana.say(f"escalation reject {number} changed my mind")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ESC-10"
    assert await footprint(store, number) == before


async def test_esc_10_a_decision_needs_accept_or_reject_and_a_text(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "alice@acme.example", clock.now)
    ana = chat("ana@vendor.example")
    before = await footprint(store, number)
    wrong_word = await ana.say(f"escalation approve {number} fine")
    no_text = await ana.say(f"escalation accept {number}")
    assert isinstance(wrong_word.body, Message) and "accept|reject" in wrong_word.body.text
    assert isinstance(no_text.body, Message) and "next steps" in no_text.body.text
    assert await footprint(store, number) == before


async def test_acc_8_escalation_decisions_are_unknown_to_customers(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "alice@acme.example", clock.now)
    reply = await chat("alice@acme.example").say(f"escalation accept {number} yes please")
    # Exactly what any unknown word gets: the nearest verb the customer may use, no staff verb.
    assert reply.body == Message(
        "Unknown command `escalation`. Did you mean `escalate`? Type `help` to see what you can do."
    )
    async with store.unit_of_work() as uow:
        assert len(await uow.escalations.waiting()) == 1


async def test_acc_8_admin_without_the_analyst_role_cannot_decide(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await escalate(store, number, "alice@acme.example", clock.now)
    reply = await chat("adam@vendor.example").say(f"escalation accept {number} yes")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
