"""`respond CASE TEXT` (SLA-4): a public reply that stops the response clock and tells the opener."""

from __future__ import annotations

import pytest

from bot.messages import Audience, CaseView, Message, NoticeKind, Outcome, Refusal, TimerState
from bot.model import EventKind, Status, SubStatus, Visibility
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, posts


async def test_sla_4_first_response_stops_the_response_clock(chat, store, config, clock):
    number = await open_case_number(chat("alice@acme.example"))
    clock.advance(hours=2)
    reply = await chat("ana@vendor.example").say(f"respond {number} We are looking at the logs.")
    assert reply.outcome is Outcome.OK
    clocks = await clocks_of(store, config, number, clock.advance(hours=30))
    assert clocks.response is not None and clocks.response.state is TimerState.MET
    assert clocks.response.elapsed.total_seconds() == 2 * 3600
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.RUNNING


async def test_case_6_response_moves_open_new_to_investigation_with_a_public_event(
    chat, store, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"respond {number} Can you share the export settings?")
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.INVESTIGATION)
    response, change = case.events[-2:]
    assert (response.kind, response.visibility) == (EventKind.STAFF_RESPONSE, Visibility.PUBLIC)
    assert response.body == "Can you share the export settings?"
    assert (change.kind, change.status, change.sub_status) == (
        EventKind.STATUS_CHANGE,
        Status.OPEN,
        SubStatus.INVESTIGATION,
    )


async def test_acc_9_the_opener_is_told_privately_on_their_own_platform(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"respond {number} Please try the 8.2.1 hotfix.")
    to_alice = [p for p in await posts(store, clock.now) if p.target == "UALICE"]
    assert len(to_alice) == 1
    notice = to_alice[0].notice
    assert notice.kind is NoticeKind.CASE_UPDATED and notice.case_number == number
    assert notice.body == "Please try the 8.2.1 hotfix."
    assert not [p for p in await posts(store, clock.now) if p.target == "CACME"]


async def test_case_6_a_second_response_leaves_the_status_alone(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"request-info {number} Which version are you running?")
    await ana.say(f"respond {number} Also, how many users are affected?")
    case = await get_case(store, number)
    assert case.status is Status.AWAITING_INFORMATION
    assert case.events[-1].kind is EventKind.STAFF_RESPONSE


async def test_acc_9_a_response_in_the_cases_account_channel_is_shown_there(chat):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    here = await ana.say(f"respond {number} Looking into it now.", channel="CACME")
    elsewhere = await ana.say(f"respond {number} Still looking.", channel="CGLOBEX")
    assert here.audience is Audience.CHANNEL
    assert elsewhere.audience is Audience.PRIVATE
    assert isinstance(elsewhere.body, CaseView)


async def test_r6_a_response_without_text_is_refused_with_the_usage(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(f"respond {number}")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "respond CASE TEXT" in reply.body.text
    assert await footprint(store, number) == before


async def test_case_6_responding_on_a_closed_case_is_refused(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Resolved fixed by the patch")
    before = await footprint(store, number)
    reply = await ana.say(f"respond {number} One more thing.")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"
    assert await footprint(store, number) == before


@pytest.mark.parametrize("who", ["alice@acme.example", "rita@acme.example"])
async def test_acc_8_respond_is_an_unknown_verb_for_customers(chat, store, who):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat(who).say(f"respond {number} I am support now")
    assert reply.body == Message("Unknown command `respond`. Type `help` to see what you can do.")
    assert await footprint(store, number) == before


async def test_acc_8_admin_without_the_analyst_role_cannot_respond(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("adam@vendor.example").say(f"respond {number} hello")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
