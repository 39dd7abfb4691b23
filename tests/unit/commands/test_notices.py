"""`notices`: NOT-1 notices reach every contact of the account, basic ones included (ACC-2)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Message, Notice, NoticeKind, Outcome, Refusal

from .conftest import T0


async def test_acc_2_a_basic_contact_reads_the_notices_of_their_account(chat, clock):
    ivan = chat("ivan@vendor.example")
    start = (T0 + timedelta(days=9)).isoformat()
    end = (T0 + timedelta(days=9, hours=2)).isoformat()
    posted = await ivan.say(
        f"notify maintenance --accounts acme --start {start} --end {end} Database upgrade"
    )
    assert posted.outcome is Outcome.OK, posted
    await ivan.say("notify advisory --accounts globex Globex only: rotate your API keys")
    clock.advance(days=1)
    reply = await chat("bob@acme.example").say("notices")
    assert reply.outcome is Outcome.OK
    assert isinstance(reply.body, Message)
    assert reply.time_zone == "America/New_York"
    cards = [n for n in reply.follow_ups if isinstance(n, Notice)]
    assert [c.kind for c in cards] == [NoticeKind.MAINTENANCE]
    assert cards[0].body == "Database upgrade"


async def test_not_1_no_notices_says_so(chat):
    reply = await chat("rita@acme.example").say("notices")
    assert reply.body == Message("No service notices in the last 30 days.")


async def test_acc_7_an_unmapped_user_is_told_how_to_get_access(chat):
    reply = await chat("mallory@unknown.example").say("notices")
    assert isinstance(reply.body, Refusal)
    assert reply.body.rule == "ACC-7"
