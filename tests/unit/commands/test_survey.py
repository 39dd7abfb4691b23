"""`survey CASE RATING [COMMENT]` (CASE-8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cards import slack, teams
from bot.casework.payload import decode
from bot.messages import Form, FormKind, Message, Outcome, Refusal
from bot.model import EventKind, format_case_number
from tests.builders import open_case, submit
from tests.readback import count_rows, get_case

from .conftest import Person


async def closed_case(alice: Person) -> int:
    case = await open_case(alice)
    await alice.say(f"close {case.number} resolved Fixed by the patch")
    return case.number


async def test_case_8_the_opener_rates_a_closed_case_once(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    clock.advance(days=1)
    reply = await alice.say(f"survey {number} 5 Quick and friendly help")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, Message) and "5/5" in reply.body.text
    async with store.unit_of_work() as uow:
        answers = await uow.surveys.for_case(number)
        audit = await uow.audit.entries(number)
    assert [(a.rating, a.comment, a.by) for a in answers] == [
        (5, "Quick and friendly help", "alice@acme.example")
    ]
    assert audit[-1].action == "case.survey" and audit[-1].detail == {"rating": 5}
    stored = await get_case(store, number)
    assert stored.events[-1].kind is EventKind.SURVEY
    assert stored.events[-1].body == "Rating: 5/5\nQuick and friendly help"


async def test_case_8_a_second_answer_is_refused_clearly(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    await alice.say(f"survey {number} 4")
    before = await count_rows(store)
    reply = await alice.say(f"survey {number} 1 Changed my mind")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-8"
    assert "already rated 4/5" in reply.body.reason
    assert await count_rows(store) == before


async def test_case_8_only_the_contact_who_opened_the_case_answers_its_survey(chat, store):
    number = await closed_case(chat("alice@acme.example"))
    before = await count_rows(store)
    reply = await chat("dave@acme.example").say(f"survey {number} 3")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-8"
    assert "alice@acme.example" in reply.body.reason
    assert await count_rows(store) == before


async def test_case_8_an_open_case_has_no_survey_yet(chat, store):
    alice: Person = chat("alice@acme.example")
    case = await open_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"survey {case.number} 5")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "CASE-8"
    assert await count_rows(store) == before


async def test_case_8_the_survey_is_open_for_60_days_and_not_a_minute_more(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    first = await closed_case(alice)
    second = await closed_case(alice)
    clock.advance(days=60)
    on_day_60 = await alice.say(f"survey {first} 4")
    assert on_day_60.outcome is Outcome.OK
    clock.advance(minutes=1)
    before = await count_rows(store)
    late = await alice.say(f"survey {second} 4")
    assert isinstance(late.body, Refusal) and late.body.rule == "CASE-8"
    assert "60 days" in late.body.reason
    assert await count_rows(store) == before


@pytest.mark.parametrize("rating", ["0", "6", "five", "4.5", "²", "-1"])
async def test_case_8_the_rating_is_a_whole_number_from_1_to_5(chat, store, rating):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"survey {number} {rating}")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "1 to 5" in reply.body.text
    assert await count_rows(store) == before


async def test_acc_2_a_read_only_contact_cannot_answer_a_survey(chat, store):
    number = await closed_case(chat("alice@acme.example"))
    reply = await chat("rita@acme.example").say(f"survey {number} 5")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"


async def test_case_8_the_survey_notice_has_a_rate_button_on_both_platforms(chat, store, clock):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(100, "test", 60, clock.now + timedelta(days=1))
        await uow.rollback()
    (survey,) = [decode(m.payload) for m in claimed if m.dedup_key.startswith("survey:")]
    card = teams.render_card(survey)
    assert [(a["title"], a["verb"], a["data"]) for a in card["actions"]] == [
        ("Rate", "case:survey", {"case": number})
    ]
    blocks = slack.render_message(survey)["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("case:survey", format_case_number(number))
    ]


async def test_case_8_the_rate_button_opens_a_rating_form_with_five_choices(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    before = await count_rows(store)
    reply = await alice.say(f"survey {number}")
    form = reply.body
    assert isinstance(form, Form) and form.kind is FormKind.SURVEY
    assert await count_rows(store) == before
    card = teams.render_card(reply)
    (rating,) = [item for item in card["body"] if item.get("id") == "rating"]
    assert rating["type"] == "Input.ChoiceSet" and rating["isRequired"] is True
    assert [c["value"] for c in rating["choices"]] == ["5", "4", "3", "2", "1"]
    assert card["actions"][0]["verb"] == "form:survey"
    modal = slack.render_modal(form, "form:survey", "")
    (block,) = [b for b in modal["blocks"] if b.get("block_id") == "rating"]
    assert [o["value"] for o in block["element"]["options"]] == ["5", "4", "3", "2", "1"]


async def test_case_8_a_submitted_rating_form_records_the_rating_once(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    reply = await submit(alice, "survey", number, rating="4", comment="Good, a bit slow")
    assert reply.outcome is Outcome.OK, reply
    async with store.unit_of_work() as uow:
        answers = await uow.surveys.for_case(number)
    assert [(a.rating, a.comment) for a in answers] == [(4, "Good, a bit slow")]


async def test_case_8_a_rating_form_without_a_rating_comes_back_keeping_the_comment(chat, store):
    alice: Person = chat("alice@acme.example")
    number = await closed_case(alice)
    before = await count_rows(store)
    reply = await submit(alice, "survey", number, comment="Typed before choosing")
    assert reply.outcome is Outcome.INVALID
    form = reply.body
    assert isinstance(form, Form) and "rating" in form.errors
    assert {f.name: f.value for f in form.fields}["comment"] == "Typed before choosing"
    assert await count_rows(store) == before
