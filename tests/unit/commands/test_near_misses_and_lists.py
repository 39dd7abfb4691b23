"""Near misses get a "did you mean" and change nothing; `list` across accounts; closed lists."""

from __future__ import annotations

import pytest

from bot.adapters.teams.activity import action_command
from bot.cards import slack, teams
from bot.cards.compose import LIST_BUTTON_ROWS
from bot.messages import CaseAction, CaseList, Message, Outcome
from tests.builders import open_case_number
from tests.readback import footprint

from .conftest import Person


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("status {n}", "Did you mean `show {n}`?"),
        ("comment {n} the logs are attached", "Did you mean `update {n} ...`?"),
        ("re-open {n} still broken", "Did you mean `reopen {n} ...`?"),
        ("shwo {n}", "Did you mean `show {n}`?"),
        ("show {n}.", "Did you mean `show {n}`?"),
        ("priority {n} P3 contained now", "Did you mean `medium`?"),
        ("priority {n} med contained now", "Did you mean `medium`?"),
        ("open hgih Reports fail with error 500 after the upgrade", "Did you mean `high`?"),
    ],
)
async def test_r5_a_near_miss_gets_a_did_you_mean_and_writes_nothing(chat, store, typed, meant):
    alice: Person = chat("alice@acme.example")
    number = await open_case_number(alice)
    before = await footprint(store, number)
    reply = await alice.say(typed.format(n=number))
    assert reply.outcome is Outcome.INVALID, reply
    assert isinstance(reply.body, Message)
    assert meant.format(n=number) in reply.body.text
    assert await footprint(store, number) == before


async def test_r5_a_word_like_no_verb_gets_no_suggestion(chat):
    reply = await chat("alice@acme.example").say("frobnicate 1001")
    assert reply.body == Message(
        "Unknown command `frobnicate`. Type `help` to see what you can do."
    )


async def test_acc_8_a_customer_is_never_pointed_at_a_staff_verb(chat):
    reply = await chat("alice@acme.example").say("set-stauts 1001 open")
    assert isinstance(reply.body, Message)
    assert "set-status" not in reply.body.text


async def test_list_in_a_dm_of_a_contact_with_two_accounts_lists_both_grouped(chat):
    alice: Person = chat("alice@acme.example")
    number = await open_case_number(alice)
    reply = await alice.say("list")
    assert reply.outcome is Outcome.OK
    lists = [reply.body, *reply.follow_ups]
    assert all(isinstance(body, CaseList) for body in lists)
    assert [body.title for body in lists] == [  # type: ignore[union-attr]
        "Your open cases on acme",
        "Your open cases on globex",
    ]
    assert [line.number for line in lists[0].cases] == [number]  # type: ignore[union-attr]
    assert lists[1].cases == ()  # type: ignore[union-attr]


async def test_list_with_one_account_named_still_lists_only_that_account(chat):
    alice: Person = chat("alice@acme.example")
    await open_case_number(alice)
    reply = await alice.say("list --account globex")
    assert isinstance(reply.body, CaseList) and reply.follow_ups == ()
    assert reply.body.title == "Your open cases on globex"


async def test_case_8_a_cancelled_case_in_the_closed_list_has_no_next_due_time(chat):
    alice: Person = chat("alice@acme.example")
    number = await open_case_number(alice)
    closed = await alice.say(f"close {number} cancelled Opened by mistake")
    assert closed.outcome is Outcome.OK, closed
    reply = await alice.say("list --closed --account acme")
    assert isinstance(reply.body, CaseList)
    (line,) = reply.body.cases
    assert line.number == number
    assert line.next_due_at is None


async def test_the_case_list_has_show_and_update_per_case_within_slack_and_teams_limits(chat):
    alice: Person = chat("alice@acme.example")
    for i in range(22):
        await alice.say(f"open low Small thing number {i} in the reports module")
    reply = await alice.say("list --account acme")
    assert isinstance(reply.body, CaseList) and len(reply.body.cases) == 22
    assert all(line.actions == (CaseAction.SHOW, CaseAction.UPDATE) for line in reply.body.cases)
    card = teams.render_card(reply)
    rows = [item for item in card["body"] if item["type"] == "ActionSet"]
    assert len(rows) == LIST_BUTTON_ROWS
    first = reply.body.cases[0].number
    assert [(a["title"], a["verb"], a["data"]) for a in rows[0]["actions"]] == [
        ("Show", "case:show", {"case": first}),
        ("Update", "case:update", {"case": first}),
    ]
    assert teams.card_size(card) <= teams.CARD_BYTES
    blocks = slack.render_message(reply)["blocks"]
    assert len(blocks) <= slack.MESSAGE_BLOCKS
    assert sum(block["type"] == "actions" for block in blocks) == LIST_BUTTON_ROWS
    # The Show button is the `show` command: what Teams' adapter makes of the click.
    command = action_command("case:show", {"case": first})
    assert command is not None and command.raw == f"show {first}"


async def test_acc_2_a_read_only_row_offers_show_only(chat, store):
    gina: Person = chat("gina@globex.example")
    number = await open_case_number(gina)
    reply = await chat("alice@acme.example").say("list --account globex --all")
    assert isinstance(reply.body, CaseList)
    assert [(line.number, line.actions) for line in reply.body.cases] == [
        (number, (CaseAction.SHOW,))
    ]
