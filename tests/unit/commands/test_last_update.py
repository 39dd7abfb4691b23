"""ESC-5/ESC-6 and the case card: "last update" is one computation, support's last visible
update, so the card and an escalation refusal never disagree."""

from __future__ import annotations

from datetime import timedelta

from bot.cards.casecard import case_facts
from bot.cards.format import format_time
from bot.messages import CaseView, Outcome, Refusal
from tests.builders import open_case

from .conftest import T0


async def test_esc_5_after_a_priority_request_the_card_and_the_refusal_name_the_same_last_update(
    chat, clock
):
    alice = chat("alice@acme.example")
    case = await open_case(alice, "medium")
    clock.advance(hours=1)
    answered = clock.now
    reply = await chat("ana@vendor.example").say(f"respond {case.number} Looking at the logs")
    assert reply.outcome is Outcome.OK, reply
    clock.advance(hours=1)
    card = await alice.say(f"priority {case.number} low a workaround is in place for now")
    assert card.outcome is Outcome.OK and isinstance(card.body, CaseView)
    facts = {f.label: f.value for f in case_facts(card.body, card.time_zone, False)}
    # The request is an internal work note, not support's update: the card still shows 11:00.
    assert facts["Last support update"] == format_time(answered, card.time_zone, False)
    assert "Last update" not in facts
    clock.advance(hours=1)
    refusal = await alice.say(f"escalate {case.number} Still waiting for a fix")
    assert isinstance(refusal.body, Refusal) and refusal.body.rule == "ESC-5"
    assert answered == T0 + timedelta(hours=1)
    assert "support last updated case" in refusal.body.reason
    assert "2026-11-24 11:00 (America/New_York)" in refusal.body.reason
    assert format_time(answered, card.time_zone, False).startswith("Tue 24 Nov 2026 11:00")
