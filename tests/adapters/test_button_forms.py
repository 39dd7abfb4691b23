"""Buttons that need input open a form on both platforms, after the permission check, and a
rejected form keeps what was typed (#15). Real app over HTTP, stand-ins on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cards.actions import CASE_CLOSE, CASE_REOPEN, CASE_UPDATE, form_action_id
from bot.messages import FormKind
from bot.model import EventKind, Status
from bot.standins.teams_connector import card_text

from .slack_fixtures import SlackHarness
from .teams_fixtures import TeamsWorld

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"
SHORT = "too short"


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        item["id"]: item for item in card["body"] if str(item.get("type", "")).startswith("Input.")
    }


async def _events(world: Any, number: int) -> list[Any]:
    async with world.store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    assert case is not None
    return list(case.events)


async def _teams_case(teams: TeamsWorld, description: str = DESCRIPTION) -> int:
    await teams.send(teams.personal(f'open medium "Reports export" --description "{description}"'))
    async with teams.store.unit_of_work() as uow:
        [case] = await uow.cases.for_account("acme")
    return case.number


@pytest.mark.usefixtures("loopback_only")
async def test_teams_update_button_opens_the_update_form_and_its_submission_adds_the_update(
    teams: TeamsWorld,
) -> None:
    number = await _teams_case(teams, SHORT)  # CASE-2: a short description gets the nudge
    case_card = teams.connector.posts[-1].cards[0]
    assert "short" in card_text(case_card)
    verbs = [a.get("verb") for a in case_card.get("actions", [])]
    assert CASE_UPDATE in verbs  # the nudge's way forward is the card's Update button

    response = await teams.send(teams.invoke(CASE_UPDATE, {"case": number}))
    answer = await response.json()
    form = answer["value"]
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "missing" not in card_text(form)
    [submit] = form["actions"]
    assert submit["verb"] == form_action_id(FormKind.UPDATE)
    assert _inputs(form)["text"]["type"] == "Input.Text"

    before = len(await _events(teams, number))
    data = submit["data"] | {"text": "It also fails for the CSV export."}
    response = await teams.send(teams.invoke(submit["verb"], data))
    answer = await response.json()
    assert "It also fails for the CSV export." in card_text(answer["value"])
    events = await _events(teams, number)
    assert len(events) == before + 1
    assert events[-1].kind is EventKind.CUSTOMER_UPDATE
    assert events[-1].body == "It also fails for the CSV export."


@pytest.mark.usefixtures("loopback_only")
async def test_teams_an_empty_update_form_comes_back_with_an_error_and_writes_nothing(
    teams: TeamsWorld,
) -> None:
    number = await _teams_case(teams)
    before = len(await _events(teams, number))
    data = {"form": "update", "case": number, "text": "   "}
    response = await teams.send(teams.invoke(form_action_id(FormKind.UPDATE), data))
    card = (await response.json())["value"]
    assert "Write the update" in card_text(card)  # the inline error
    assert "text" in _inputs(card)
    assert len(await _events(teams, number)) == before


@pytest.mark.usefixtures("loopback_only")
async def test_teams_a_read_only_user_pressing_update_is_refused_without_a_form(
    teams: TeamsWorld,
) -> None:
    number = await _teams_case(teams)
    response = await teams.send(
        teams.invoke(CASE_UPDATE, {"case": number}, user="rita", aad="aad-rita")
    )
    card = (await response.json())["value"]
    assert not _inputs(card)
    assert "ACC-" in card_text(card)


@pytest.mark.usefixtures("loopback_only")
async def test_reo_1_teams_a_rejected_reopen_form_keeps_the_typed_reason(teams: TeamsWorld) -> None:
    number = await _teams_case(teams)
    await teams.send(teams.personal(f"close {number} resolved Fixed after the patch"))
    teams.advance(days=1)
    response = await teams.send(teams.invoke(CASE_REOPEN, {"case": number}))
    [submit] = (await response.json())["value"]["actions"]
    data = submit["data"] | {"reason": "still broken"}  # REO-1 wants ten words
    response = await teams.send(teams.invoke(submit["verb"], data))
    card = (await response.json())["value"]
    assert _inputs(card)["reason"]["value"] == "still broken"
    assert "REO-1" in card_text(card) or "words" in card_text(card)  # the inline error
    async with teams.store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    assert case is not None and case.status is Status.CLOSED


async def _slack_case(slack: SlackHarness) -> int:
    await slack.slash("open")
    await slack.submit(
        slack.last_view(),
        {
            "priority": "medium",
            "summary": "Agents cannot log in",
            "description": DESCRIPTION,
            "type": "Support/Problem",
            "stage": "production",
        },
    )
    return 1001


@pytest.mark.parametrize("button", [CASE_CLOSE, "case:escalate", CASE_UPDATE])
async def test_acc_2_slack_a_read_only_user_is_refused_before_any_form_opens(
    slack: SlackHarness, button: str
) -> None:
    number = await _slack_case(slack)
    opened = len(slack.api.calls_to("views.open"))
    events = len(await _events(slack, number))
    await slack.button(button, number, user="URITA")
    assert len(slack.api.calls_to("views.open")) == opened  # no form to fill in for nothing
    refusal = json.dumps(slack.api.calls_to("response_url")[-1].body)
    assert "ACC-" in refusal
    assert len(await _events(slack, number)) == events


async def test_reo_1_slack_the_reopen_button_checks_first_and_a_rejected_form_keeps_the_reason(
    slack: SlackHarness,
) -> None:
    number = await _slack_case(slack)
    await slack.slash(f"close {number} resolved Fixed after the patch")
    await slack.button(CASE_REOPEN, number, user="URITA")
    assert not any(
        json.loads(c.body["view"]).get("callback_id") == "modal:form:reopen"
        if isinstance(c.body["view"], str)
        else c.body["view"].get("callback_id") == "modal:form:reopen"
        for c in slack.api.calls_to("views.open")
    )
    await slack.button(CASE_REOPEN, number)
    view = slack.last_view()
    assert view["callback_id"] == "modal:form:reopen"
    response = await slack.submit(view, {"reason": "still broken"})
    answer = await response.json()
    assert answer["response_action"] == "errors" and "reason" in answer["errors"]
    case = await _events(slack, number)
    assert case[-1].kind is EventKind.CLOSED
