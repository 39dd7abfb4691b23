"""CASE-3: Critical is for production systems, and each priority is defined where it is chosen."""

from __future__ import annotations

from bot.cards import slack, teams
from bot.messages import Form, Help, Message, Outcome, Refusal, Reply
from bot.policy.intake import CHAT_PRIORITIES, PRIORITY_DEFINITIONS
from tests.builders import submit
from tests.readback import count_rows

from .conftest import Person

UAT_CRITICAL = (
    'open critical "Routing down in the lab" --stage uat --impact "Testers cannot call" '
    '--description "Every test call fails with a busy tone since this morning"'
)


def definitions_in(text: str) -> bool:
    return all(PRIORITY_DEFINITIONS[p] in text for p in CHAT_PRIORITIES)


async def test_case_3_critical_requested_on_a_uat_case_is_refused_and_writes_nothing(chat, store):
    alice: Person = chat("alice@acme.example")
    before = await count_rows(store)
    reply = await alice.say(UAT_CRITICAL)
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-3"
    assert reply.body.reason == (
        "Critical is for production systems only, and this case is on a UAT (test) system."
    )
    assert reply.body.instead is not None and definitions_in(reply.body.instead)
    assert await count_rows(store) == before
    # The same case as High is opened: UAT cases are supported, just not as Critical.
    opened = await alice.say(UAT_CRITICAL.replace("open critical", "open high"))
    assert opened.outcome is Outcome.OK, opened


async def test_case_3_the_open_form_marks_critical_on_uat_on_the_priority_field(chat, store):
    alice: Person = chat("alice@acme.example")
    before = await count_rows(store)
    reply = await submit(
        alice,
        "open",
        priority="critical",
        stage="uat",
        summary="Routing down in the lab",
        description="Every test call fails with a busy tone since this morning",
        impact="Testers cannot call",
    )
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Form)
    assert "production systems only" in reply.body.errors["priority"]
    assert await count_rows(store) == before


async def test_case_3_an_unknown_priority_is_answered_with_the_definitions(chat):
    reply = await chat("alice@acme.example").say('open urgent "Routing down"')
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and definitions_in(reply.body.text)


async def test_case_3_help_open_and_help_priority_define_each_priority(chat):
    alice: Person = chat("alice@acme.example")
    for verb in ("open", "priority"):
        reply = await alice.say(f"help {verb}")
        assert isinstance(reply.body, Help)
        (entry,) = reply.body.entries
        assert definitions_in(entry.summary), verb
    whoami = await alice.say("help whoami")
    assert isinstance(whoami.body, Help) and not definitions_in(whoami.body.entries[0].summary)


async def test_case_3_the_slack_and_teams_open_forms_show_the_definitions(chat):
    reply = await chat("alice@acme.example").say("open")
    assert isinstance(reply.body, Form)
    modal = slack.render_modal(reply.body, "open", "{}")
    priority = next(b for b in modal["blocks"] if b.get("block_id") == "priority")
    assert definitions_in(priority["hint"]["text"])
    card = teams.render_card(Reply(reply.body))
    body = card.get("content", card)["body"]
    at = next(i for i, item in enumerate(body) if item.get("id") == "priority")
    # Under the choice set, where a placeholder would be hidden once a value is chosen.
    guide = body[at + 1]
    assert guide["type"] == "TextBlock"
    assert all(PRIORITY_DEFINITIONS[p] in guide["text"] for p in CHAT_PRIORITIES)
    assert body[at]["placeholder"] == "Choose…"
