"""`request-info CASE TEXT`: Awaiting Information; the resolution clock pauses (SLA-4) and the
follow-up timer starts (FUP-1..FUP-3); the customer's update resumes the case (CASE-7)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Message, NoticeKind, Outcome, Refusal, TimerState
from bot.model import EventKind, Status, SubStatus, Visibility
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, posts, timer


async def test_case_6_request_info_moves_the_case_to_awaiting_information(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(
        f"request-info {number} Please attach the export log."
    )
    assert reply.outcome is Outcome.OK
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (
        Status.AWAITING_INFORMATION,
        SubStatus.INFORMATION_REQUIRED,
    )
    response, change = case.events[-2:]
    assert (response.kind, response.visibility) == (EventKind.STAFF_RESPONSE, Visibility.PUBLIC)
    assert change.kind is EventKind.STATUS_CHANGE
    assert change.status is Status.AWAITING_INFORMATION


async def test_sla_4_request_info_pauses_the_resolution_clock_and_meets_the_response(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    clock.advance(hours=1)
    await chat("ana@vendor.example").say(f"request-info {number} Please attach the export log.")
    clocks = await clocks_of(store, config, number, clock.advance(days=1))
    assert clocks.response is not None and clocks.response.state is TimerState.MET
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.PAUSED
    assert clocks.resolution.elapsed == timedelta(hours=1)
    assert not clocks.resolution.counting


async def test_fup_1_request_info_starts_the_follow_up_timer(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    asked_at = clock.advance(hours=1)
    await chat("ana@vendor.example").say(f"request-info {number} Please attach the export log.")
    follow_up = await timer(store, "follow_up", number)
    assert follow_up is not None
    # acme is on premises: reminder 1 after 2 calendar days (FUP-1).
    assert follow_up.due_at == asked_at + timedelta(days=2)
    assert follow_up.payload == {"step": "reminder_1"}


async def test_fup_3_a_new_request_restarts_the_follow_up_timer(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"request-info {number} Please attach the export log.")
    again_at = clock.advance(days=1)
    await ana.say(f"request-info {number} And the server version, please.")
    follow_up = await timer(store, "follow_up", number)
    assert follow_up is not None and follow_up.due_at == again_at + timedelta(days=2)


async def test_case_7_the_customers_update_resumes_the_case_and_stops_the_follow_up(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"request-info {number} Please attach the export log.")
    clock.advance(hours=3)
    await chat("alice@acme.example").say(f"update {number} Log attached, version 8.2.")
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    assert await timer(store, "follow_up", number) is None
    clocks = await clocks_of(store, config, number, clock.now)
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.RUNNING


async def test_fup_2_no_follow_up_timer_on_a_critical_production_down_case(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-priority {number} critical customer phoned: exports down --production-down")
    await ana.say(f"request-info {number} Please attach the export log.")
    assert (await get_case(store, number)).status is Status.AWAITING_INFORMATION
    assert await timer(store, "follow_up", number) is None


async def test_acc_9_the_opener_is_asked_privately(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"request-info {number} Please attach the export log.")
    to_alice = [p for p in await posts(store, clock.now) if p.target == "UALICE"]
    assert [p.notice.kind for p in to_alice] == [NoticeKind.CASE_UPDATED]
    assert to_alice[0].notice.body == "Please attach the export log."


async def test_case_6_request_info_on_a_closed_case_is_refused(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Cancelled customer withdrew it")
    before = await footprint(store, number)
    reply = await ana.say(f"request-info {number} Anything else?")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"
    assert await footprint(store, number) == before


async def test_acc_8_request_info_is_an_unknown_verb_for_customers(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("alice@acme.example").say(f"request-info {number} tell me more")
    assert reply.body == Message(
        "Unknown command `request-info`. Type `help` to see what you can do."
    )
    assert await footprint(store, number) == before


async def test_acc_8_admin_without_the_analyst_role_cannot_request_info(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("adam@vendor.example").say(f"request-info {number} more please")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
