"""`sla CASE` (SLA-4): targets, due times and paused time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import Audience, CaseView, Outcome, Refusal, TimerState
from bot.model import Status, SubStatus
from tests.builders import open_case, set_status
from tests.readback import count_rows

from .conftest import Person


async def test_sla_4_a_read_only_contact_sees_the_targets_and_due_times(chat, store):
    case = await open_case(chat("alice@acme.example"), "medium")
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"sla {case.number}")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    assert reply.time_zone == "America/New_York"
    timers = {t.name: t for t in reply.body.timers}
    assert set(timers) == {"response", "resolution"}
    # SLA-1 Medium: response 1 business day (13 NA hours) from Tue 10:00 New York is
    # Wed 10:00 New York; resolution 5 business days (65 h) skips Thanksgiving.
    assert timers["response"].target == "1 business day"
    assert timers["response"].due_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert timers["resolution"].target == "5 business days"
    assert timers["resolution"].state is TimerState.RUNNING
    assert reply.body.actions == () and reply.body.updates == ()
    assert reply.body.note is not None and "08:00-21:00 America/New_York" in reply.body.note
    assert await count_rows(store) == before


async def test_sla_4_paused_time_is_shown_while_support_waits_for_the_customer(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    clock.advance(hours=1)
    await set_status(
        store, case.number, Status.AWAITING_INFORMATION, SubStatus.INFORMATION_REQUIRED, clock.now
    )
    clock.advance(hours=2)  # Tue 13:00 New York: two business hours paused
    reply = await alice.say(f"sla {case.number}")
    assert isinstance(reply.body, CaseView)
    resolution = next(t for t in reply.body.timers if t.name == "resolution")
    assert resolution.state is TimerState.PAUSED
    assert resolution.paused_minutes == 120


async def test_acc_9_the_sla_card_is_private_outside_the_accounts_channel(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice, "low")
    in_own = await alice.say(f"sla {case.number}", channel="CACME")
    elsewhere = await alice.say(f"sla {case.number}", channel="CGLOBEX")
    assert (in_own.audience, elsewhere.audience) == (Audience.CHANNEL, Audience.PRIVATE)


async def test_acc_2_a_basic_contact_cannot_see_sla_timers(chat, store):
    case = await open_case(chat("alice@acme.example"), "low")
    reply = await chat("bob@acme.example").say(f"sla {case.number}")
    missing = await chat("bob@acme.example").say("sla 999999")
    # ACC-2: told that basic access doesn't show cases, in words that don't depend on the case,
    # so an existing case still reads exactly like a missing one (ACC-9).
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal)
    assert reply.body.rule == "ACC-2"
    assert missing == reply
