"""Golden snapshots of what production sends, taken from production paths.

A scenario is driven through the real router on a real store: each reply is rendered as the
adapters render replies, and each notice is read back from the outbox row the handler wrote and
rendered as the delivery worker renders it. The snapshots (`tests/unit/cards/snapshots/live`)
therefore cannot drift from a live card; `tests/cards/test_official_renderer.py` draws the Teams
ones with Microsoft's renderer in Teams' three themes.
"""

from __future__ import annotations

from typing import Any

from bot.cards import slack, teams
from bot.cards.text import render_text
from bot.casework.payload import decode
from bot.messages import Form, Reply
from bot.store.interface import Store
from tests.readback import FAR_FUTURE
from tests.unit.cards.golden import match_json, match_text

from .conftest import Clock, Person


async def outbox_replies(store: Store, clock: Clock) -> dict[str, Reply]:
    """Every pending outbox row's reply, by de-duplication key (read, then rolled back)."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10_000, "snapshot", 60, clock.now + FAR_FUTURE)
        await uow.rollback()
    return {message.dedup_key: decode(message.payload) for message in claimed}


def snapshot(name: str, reply: Reply) -> dict[str, Any]:
    """Write or compare the reply as Teams cards, Slack messages and console text."""
    cards = teams.render_cards(reply)
    match_json("live/teams", name, cards)
    match_json("live/slack", name, slack.render_messages(reply))
    match_text("live/text", name, render_text(reply))
    return cards[0]


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        fact["title"]: fact["value"]
        for item in card["body"]
        if item["type"] == "FactSet"
        for fact in item["facts"]
    }


async def test_live_cards_match_their_snapshots_and_the_new_case_alert_offers_take(
    chat, store, clock
):
    alice: Person = chat("alice@acme.example")
    ana: Person = chat("ana@vendor.example")
    opened = await alice.say(
        'open high "Agents cannot log in to the CRM connector since 09:00" '
        '--impact "40 agents cannot take calls"'
    )
    snapshot("open_reply", opened)
    posted = await outbox_replies(store, clock)
    alert = snapshot("new_case_alert", posted["new:1001:slack:CQUEUE"])
    # What the queue needs to act on a new case: Take, when the answer is due, the region.
    assert [action["verb"] for action in alert["actions"]] == ["case:take"]
    assert {"Region", "Response due", "Account", "Priority"} <= set(facts(alert))

    snapshot("help", await alice.say("help"))
    snapshot("unknown_command", await alice.say("frobnicate 1001"))
    snapshot("near_miss", await alice.say("status 1001."))
    snapshot("priority_near_miss", await alice.say("priority 1001 P3 the outage is contained"))
    snapshot("list", await alice.say("list"))
    snapshot("customer_take", await alice.say("take 1001"))
    snapshot("staff_take", await ana.say("take 1001"))
    clock.advance(hours=2)
    snapshot("close", await alice.say("close 1001 resolved Fixed by restarting the connector"))
    posted = await outbox_replies(store, clock)
    survey = next(key for key in posted if key.startswith("survey:"))
    snapshot("survey_notice", posted[survey])


async def test_case_3_priority_choices_are_one_word_with_the_definitions_beside_them(chat):
    reply = await chat("alice@acme.example").say("open")
    form = reply.body
    assert isinstance(form, Form)
    card = teams.render_card(reply)
    body = card["body"]
    (at,) = [i for i, item in enumerate(body) if item.get("id") == "priority"]
    titles = [choice["title"] for choice in body[at]["choices"]]
    # Short titles fit a narrow dropdown; the definitions sit under it, never inside it.
    assert titles == ["Critical", "High", "Medium", "Low"]
    assert "Priorities (CASE-3)" in body[at + 1]["text"]
    modal = slack.render_modal(form, "open", "")
    (block,) = [b for b in modal["blocks"] if b.get("block_id") == "priority"]
    options = [option["text"]["text"] for option in block["element"]["options"]]
    assert options == titles
    assert "Priorities (CASE-3)" in block["hint"]["text"]
