"""`set-status CASE STATUS[/SUBSTATUS] NOTE` (CASE-6, CASE-8, REO-3, FUP-1)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Message, NoticeKind, Outcome, Refusal, TimerState
from bot.model import EventKind, Status, SubStatus, Visibility
from tests.builders import open_case_number
from tests.readback import clocks_of, footprint, get_case, posts, timer


async def test_case_6_a_sub_status_with_spaces_is_read_before_the_note(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(
        f"set-status {number} Open/Engineering Request waiting on the R&D fix"
    )
    assert reply.outcome is Outcome.OK
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.ENGINEERING_REQUEST)
    event = case.events[-1]
    assert (event.kind, event.visibility) == (EventKind.STATUS_CHANGE, Visibility.PUBLIC)
    assert event.body == "waiting on the R&D fix"


async def test_case_6_a_status_with_one_sub_status_needs_no_sub_status(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(
        f'set-status {number} "Awaiting Information" need the logs'
    )
    case = await get_case(store, number)
    assert case.sub_status is SubStatus.INFORMATION_REQUIRED
    assert await timer(store, "follow_up", number) is not None  # FUP-1


async def test_case_8_closing_sets_closed_at_stops_the_clocks_and_sends_the_survey(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    closed_at = clock.advance(hours=2)
    reply = await chat("ana@vendor.example").say(
        f"set-status {number} Closed/Resolved fixed by hotfix 8.2.1"
    )
    assert reply.outcome is Outcome.OK
    case = await get_case(store, number)
    assert (case.status, case.sub_status, case.closed_at) == (
        Status.CLOSED,
        SubStatus.RESOLVED,
        closed_at,
    )
    assert await timer(store, "sla", number) is None
    assert await timer(store, "follow_up", number) is None
    clocks = await clocks_of(store, config, number, clock.advance(days=3))
    assert clocks.resolution is not None and clocks.resolution.state is TimerState.MET
    surveys = [p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.SURVEY]
    assert [(p.target, p.dedup_key) for p in surveys] == [
        ("UALICE", f"survey:{number}:slack:UALICE")
    ]


async def test_reo_3_staff_reopen_a_closed_case_with_a_new_response_target(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"respond {number} Looking.")
    await ana.say(f"set-status {number} Closed/Resolved fixed")
    reopened_at = clock.advance(days=1)
    reply = await ana.say(f"set-status {number} Open/Investigation customer phoned: not fixed")
    assert reply.outcome is Outcome.OK
    case = await get_case(store, number)
    assert (case.status, case.sub_status, case.closed_at) == (
        Status.OPEN,
        SubStatus.INVESTIGATION,
        None,
    )
    assert case.events[-1].kind is EventKind.REOPENED
    clocks = await clocks_of(store, config, number, clock.now)
    assert clocks.response is not None and clocks.response.state is TimerState.RUNNING
    assert clocks.response.started_at == reopened_at
    assert await timer(store, "sla", number) is not None


async def test_fup_1_no_response_is_set_only_by_the_follow_up_job(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(f'set-status {number} "Closed/No Response" gone')
    assert isinstance(reply.body, Refusal) and reply.body.rule == "FUP-1"
    assert await footprint(store, number) == before


async def test_case_6_a_status_needing_a_sub_status_is_refused_with_the_choices(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(f"set-status {number} Closed done")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"
    assert "Resolved" in reply.body.reason
    assert await footprint(store, number) == before


async def test_case_6_the_current_status_is_refused(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("ana@vendor.example").say(f"set-status {number} Open/New still new")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-6"


async def test_case_6_an_unknown_status_or_a_missing_note_gets_the_usage(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    before = await footprint(store, number)
    unknown = await ana.say(f"set-status {number} Parked for now")
    no_note = await ana.say(f"set-status {number} Open/Investigation")
    assert isinstance(unknown.body, Message) and "unknown status" in unknown.body.text.lower()
    assert isinstance(no_note.body, Message) and "note" in no_note.body.text
    assert unknown.outcome is no_note.outcome is Outcome.INVALID
    assert await footprint(store, number) == before


async def test_acc_9_the_opener_is_told_about_the_change_privately(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    await chat("ana@vendor.example").say(f"set-status {number} Open/Investigation on it")
    to_alice = [p for p in await posts(store, clock.now) if p.target == "UALICE"]
    assert [p.notice.kind for p in to_alice] == [NoticeKind.CASE_UPDATED]
    assert "Open / Investigation" in to_alice[0].notice.title


async def test_acc_8_set_status_is_an_unknown_verb_for_customers(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("alice@acme.example").say(f"set-status {number} Closed/Resolved ok")
    assert reply.body == Message(
        "Unknown command `set-status`. Type `help` to see what you can do."
    )
    assert await footprint(store, number) == before


async def test_acc_8_admin_without_the_analyst_role_cannot_set_status(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat("adam@vendor.example").say(f"set-status {number} Closed/Resolved ok")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"


async def test_case_8_the_survey_is_sent_once_even_when_a_case_closes_twice(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    await ana.say(f"set-status {number} Closed/Resolved fixed")
    clock.advance(hours=1)
    await ana.say(f"set-status {number} Closed/Duplicate same as another case")
    surveys = [p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.SURVEY]
    assert len(surveys) == 1
    assert (await get_case(store, number)).closed_at == clock.now - timedelta(hours=1)
