"""`propose CASE TEXT`: Solution Proposed / Replied; resolution paused (SLA-4), follow-ups
start (FUP-1), and the customer's answer resumes the case (CASE-7)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Message, NoticeKind, Outcome, Refusal, TimerState
from bot.model import EventKind, Status, SubStatus
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, posts, timer


async def test_case_6_propose_moves_the_case_to_solution_proposed_replied(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(
        f"propose {number} Install hotfix 8.2.1; it fixes the export."
    )
    assert reply.outcome is Outcome.OK
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.SOLUTION_PROPOSED, SubStatus.REPLIED)
    assert [e.kind for e in case.events[-2:]] == [EventKind.STAFF_RESPONSE, EventKind.STATUS_CHANGE]


async def test_sla_4_proposing_pauses_resolution_and_fup_1_starts_the_follow_up(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    proposed_at = clock.advance(hours=4)
    await chat("ana@vendor.example").say(f"propose {number} Install hotfix 8.2.1.")
    clocks = await clocks_of(store, config, number, clock.advance(days=2))
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.PAUSED
    assert clocks.resolution.elapsed == timedelta(hours=4)
    assert clocks.response is not None and clocks.response.state is TimerState.MET
    follow_up = await timer(store, "follow_up", number)
    assert follow_up is not None and follow_up.due_at == proposed_at + timedelta(days=2)
    assert await timer(store, "sla", number) is None  # no clock counts, nothing to warn about


async def test_case_7_the_customers_answer_to_a_proposal_resumes_the_case(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"propose {number} Install hotfix 8.2.1.")
    clock.advance(hours=2)
    await chat("alice@acme.example").say(f"update {number} The hotfix did not help.")
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    assert await timer(store, "follow_up", number) is None
    assert await timer(store, "sla", number) is not None


async def test_acc_9_the_proposal_reaches_the_opener_privately(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"propose {number} Install hotfix 8.2.1.")
    to_alice = [p for p in await posts(store, clock.now) if p.target == "UALICE"]
    assert [p.notice.kind for p in to_alice] == [NoticeKind.CASE_UPDATED]


async def test_case_6_proposing_on_a_closed_case_is_refused(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Duplicate same as another case")
    before = await footprint(store, number)
    reply = await ana.say(f"propose {number} Try this.")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"
    assert await footprint(store, number) == before


async def test_acc_8_propose_is_an_unknown_verb_for_customers(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("dave@acme.example").say(f"propose {number} close it")
    assert reply.body == Message("Unknown command `propose`. Type `help` to see what you can do.")
    assert await footprint(store, number) == before


async def test_acc_8_incident_commander_may_propose_but_admin_may_not(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    refused = await chat("adam@vendor.example").say(f"propose {number} Try this.")
    allowed = await chat("ivan@vendor.example").say(f"propose {number} Try this.")
    assert isinstance(refused.body, Refusal) and refused.body.rule == "ACC-8"
    assert allowed.outcome is Outcome.OK
