"""Near misses get a "did you mean" and change nothing; `list` across accounts; closed lists."""

from __future__ import annotations

import pytest

from bot.messages import CaseList, Message, Outcome

from .casework import footprint, open_case
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
    number = await open_case(alice)
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
    number = await open_case(alice)
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
    await open_case(alice)
    reply = await alice.say("list --account globex")
    assert isinstance(reply.body, CaseList) and reply.follow_ups == ()
    assert reply.body.title == "Your open cases on globex"


async def test_case_8_a_cancelled_case_in_the_closed_list_has_no_next_due_time(chat):
    alice: Person = chat("alice@acme.example")
    number = await open_case(alice)
    closed = await alice.say(f"close {number} cancelled Opened by mistake")
    assert closed.outcome is Outcome.OK, closed
    reply = await alice.say("list --closed --account acme")
    assert isinstance(reply.body, CaseList)
    (line,) = reply.body.cases
    assert line.number == number
    assert line.next_due_at is None
