"""`take CASE` (ACC-8): the analyst becomes the owner; an internal, audited change."""

from __future__ import annotations

from bot.messages import CaseAction, CaseView, Outcome, Refusal
from bot.model import EventKind, Status, Visibility
from tests.builders import open_case_number
from tests.readback import footprint, get_case, posts


async def test_acc_8_analyst_takes_a_case_and_becomes_its_owner(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(f"take {number}")
    assert reply.outcome is Outcome.OK
    assert isinstance(reply.body, CaseView)
    assert reply.body.case.owner == "ana@vendor.example"
    assert CaseAction.TAKE not in reply.body.actions
    assert reply.show_utc  # staff see UTC too
    case = await get_case(store, number)
    assert case.owner == "ana@vendor.example"
    last = case.events[-1]
    assert (last.kind, last.visibility) == (EventKind.OWNER_CHANGE, Visibility.INTERNAL)
    assert last.author == "ana@vendor.example"
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries(number)
    assert [e.action for e in audit] == ["case.open", "case.take"]


async def test_acc_8_taking_a_case_already_yours_says_so_and_writes_nothing(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"take {number}")
    before = await footprint(store, number)
    reply = await ana.say(f"take {number}")
    assert isinstance(reply.body, CaseView)
    assert reply.body.note == "Case 0000001001 is already yours."
    assert await footprint(store, number) == before


async def test_acc_8_incident_commander_takes_over_and_the_previous_owner_is_told(
    chat, store, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"take {number}")
    reply = await chat("ivan@vendor.example").say(f"take {number}")
    assert reply.outcome is Outcome.OK
    assert (await get_case(store, number)).owner == "ivan@vendor.example"
    to_ana = [p for p in await posts(store, clock.now) if p.target == "UANA"]
    assert len(to_ana) == 1 and "no longer the owner" in to_ana[0].notice.body


async def test_case_6_taking_a_closed_case_is_refused_and_writes_nothing(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Resolved fixed by the patch")
    before = await footprint(store, number)
    reply = await ana.say(f"take {number}")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"
    assert reply.body.instead is not None and "set-status" in reply.body.instead
    assert (await get_case(store, number)).status is Status.CLOSED
    assert await footprint(store, number) == before


async def test_acc_8_admin_without_the_analyst_role_cannot_take(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("adam@vendor.example").say(f"take {number}")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
    assert await footprint(store, number) == before


async def test_acc_8_a_customer_who_clicks_take_is_told_only_support_analysts_take_cases(
    chat, store
):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("alice@acme.example").say(f"take {number}")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
    assert "support analysts" in reply.body.reason
    assert reply.body.instead is not None and "`update CASE TEXT`" in reply.body.instead
    assert (await get_case(store, number)).owner is None


async def test_acc_9_a_missing_case_reads_like_any_missing_case_for_staff_too(chat):
    reply = await chat("ana@vendor.example").say("take 4242")
    assert reply.outcome is Outcome.NOT_FOUND
