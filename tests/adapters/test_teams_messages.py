"""Teams activities over HTTP through the real app: the issue's done-when, in emulator mode."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from bot.cards.actions import CASE_ESCALATE, form_action_id
from bot.messages import FormKind
from bot.model import Status
from bot.standins.teams_connector import card_text
from bot.store.interface import Store
from bot.store.interface.cases import CaseState

from .teams_fixtures import CHANNEL, TeamsWorld

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"
REASON = "The export still fails for the finance reports with the same error as before"


async def acme_cases(store: Store, state: CaseState = CaseState.ALL) -> list[int]:
    async with store.unit_of_work() as uow:
        return sorted(c.number for c in await uow.cases.for_account("acme", state))


async def audit_count(store: Store) -> int:
    async with store.unit_of_work() as uow:
        return len(await uow.audit.entries())


async def test_case_2_a_designated_contact_opens_a_case_from_text_in_a_1_1_chat(teams: TeamsWorld):
    activity = teams.personal(
        f'case open medium "Reports export fails" --description "{DESCRIPTION}"'
    )
    response = await teams.send(activity)
    assert response.status == 200
    [number] = await acme_cases(teams.store)
    [posted] = teams.connector.posts
    assert posted.conversation_id == "a:1on1-29:alice"
    assert posted.reply_to == activity["id"]
    assert f"{number:010d}" in posted.text and "Reports export fails" in posted.text


async def test_case_2_a_designated_contact_opens_a_case_from_the_card_form(teams: TeamsWorld):
    await teams.send(teams.personal("open"))
    [form] = teams.connector.posts[0].cards
    submit = form["actions"][0]
    assert submit["type"] == "Action.Execute" and submit["verb"] == form_action_id(FormKind.OPEN)
    inputs = {
        "priority": "medium",
        "summary": "Reports export fails",
        "description": DESCRIPTION,
        "type": "Support/Problem",
        "stage": "production",
        "security": "false",
    }
    response = await teams.send(teams.invoke(submit["verb"], submit["data"] | inputs))
    assert response.status == 200
    answer = await response.json()
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    [number] = await acme_cases(teams.store)
    assert f"{number:010d}" in card_text(answer["value"])


async def test_case_2_a_form_with_errors_comes_back_in_the_invoke_answer(teams: TeamsWorld):
    # CASE-2: business impact is required for High.
    data = {"form": "open", "case": None, "priority": "high", "summary": "Export"}
    response = await teams.send(teams.invoke(form_action_id(FormKind.OPEN), data))
    answer = await response.json()
    assert response.status == 200 and answer["statusCode"] == 200
    card = answer["value"]
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    impact = next(i for i in card["body"] if i.get("id") == "impact")
    assert impact["type"] == "Input.Text"
    assert any(b.get("color") == "Accent" for b in card["body"])  # the inline error (WCAG AA)
    assert next(i for i in card["body"] if i.get("id") == "summary")["value"] == "Export"
    assert await acme_cases(teams.store) == []


async def test_the_whole_case_life_over_teams_update_refused_escalation_close_reopen(
    teams: TeamsWorld,
):
    await teams.send(teams.personal(f'open low "Small thing" --description "{DESCRIPTION}"'))
    [number] = await acme_cases(teams.store)
    await teams.send(teams.personal(f"update {number} We also see it on the staging server"))
    assert "staging server" in teams.connector.posts[-1].text
    teams.advance(days=20)
    before = await audit_count(teams.store)
    await teams.send(teams.personal(f"escalate {number} Please look at it"))
    assert "ESC-4" in teams.connector.posts[-1].text
    assert await audit_count(teams.store) == before  # R5: a refusal writes nothing
    await teams.send(teams.personal(f"close {number} resolved Looked fixed after the patch"))
    assert await acme_cases(teams.store, CaseState.CLOSED) == [number]
    teams.advance(days=2)
    await teams.send(teams.personal(f"reopen {number} {REASON}"))
    async with teams.store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    assert case is not None and case.status is Status.OPEN


async def test_acc_7_a_read_only_user_found_by_member_lookup_is_refused_opening(
    teams: TeamsWorld,
):
    activity = teams.personal(
        f'open medium "Reports export fails" --description "{DESCRIPTION}"',
        user="rita",
        aad="aad-rita",
    )
    await teams.send(activity)
    assert await acme_cases(teams.store) == []
    assert teams.connector.lookups == 1
    assert "ACC-" in teams.connector.posts[-1].text
    await teams.send(teams.personal("whoami", user="rita", aad="aad-rita"))
    assert teams.connector.lookups == 1  # cached
    assert "rita@acme.example" in teams.connector.posts[-1].text


async def test_an_action_execute_button_answers_200_with_an_updated_card(teams: TeamsWorld):
    await teams.send(teams.personal(f'open medium "Export" --description "{DESCRIPTION}"'))
    [number] = await acme_cases(teams.store)
    response = await teams.send(teams.invoke(CASE_ESCALATE, {"case": number}))
    assert response.status == 200
    answer = await response.json()
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    card = answer["value"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["actions"][0]["verb"] == form_action_id(FormKind.ESCALATE)


async def test_action_submit_fallback_values_are_handled_like_buttons(teams: TeamsWorld):
    await teams.send(teams.personal(f'open medium "Export" --description "{DESCRIPTION}"'))
    [number] = await acme_cases(teams.store)
    await teams.send(teams.personal(value={"verb": "case:close", "case": number}))
    assert teams.connector.posts[-1].cards[0]["actions"][0]["verb"] == "form:close"


async def test_r2_the_same_activity_delivered_twice_opens_one_case(teams: TeamsWorld):
    activity = teams.personal(f'open medium "Export" --description "{DESCRIPTION}"')
    first = await teams.send(activity)
    second = await teams.send(activity)
    assert (first.status, second.status) == (200, 200)
    assert len(await acme_cases(teams.store)) == 1
    assert len(teams.connector.posts) == 1  # the repeat posts nothing


async def test_channel_mentions_are_stripped_and_case_details_stay_in_the_bound_channel(
    teams: TeamsWorld,
):
    await teams.send(teams.personal(f'open medium "Export" --description "{DESCRIPTION}"'))
    [number] = await acme_cases(teams.store)
    await teams.send(teams.in_channel(f"show {number}"))
    posted = teams.connector.posts[-1]
    assert posted.conversation_id.startswith(CHANNEL)
    assert f"{number:010d}" in posted.text


async def test_acc_9_private_answers_in_a_channel_go_to_the_1_1_chat(teams: TeamsWorld):
    await teams.send(teams.in_channel("whoami"))
    private, note = teams.connector.posts[-2:]
    assert private.conversation_id == "a:1on1-29:alice"
    assert "alice@acme.example" in private.text
    assert note.conversation_id.startswith(CHANNEL)
    assert "alice@acme.example" not in note.text and "1:1" in note.text
    assert teams.connector.created[0]["members"] == [{"id": "29:alice", "aadObjectId": "aad-alice"}]


async def test_r6_markdown_typed_by_users_is_shown_literally_in_every_card(teams: TeamsWorld):
    summary = "[x](http://evil) **bold**"
    await teams.send(teams.personal(f'open medium "{summary}" --description "{DESCRIPTION}"'))
    [number] = await acme_cases(teams.store)
    await teams.send(teams.personal(f"show {number}"))
    for posted in teams.connector.posts:
        for card in posted.cards:
            # Teams renders TextBlocks as (a subset of) CommonMark: render them the same way.
            shown = MarkdownIt("commonmark").render(card_text(card))
            assert "<a " not in shown and "<strong>" not in shown and "<em>" not in shown
    shown = MarkdownIt("commonmark").render(teams.connector.posts[-1].text)
    assert summary in html.unescape(shown)  # literally, as typed


async def test_conversation_update_stores_references_for_the_user_and_the_channel(
    teams_secure: TeamsWorld,
):
    teams = teams_secure
    personal = teams.personal(None, type="conversationUpdate", membersAdded=[{"id": "28:bot"}])
    assert (await teams.send(personal)).status == 200
    channel = teams.in_channel("x") | {"type": "installationUpdate", "action": "add"}
    assert (await teams.send(channel)).status == 200
    async with teams.store.unit_of_work() as uow:
        user = await uow.conversations.get("teams:user:aad-alice")
        bound = await uow.conversations.get(f"teams:conversation:{CHANNEL}")
    assert user is not None and user["serviceUrl"] == teams.service_url
    assert bound is not None and bound["conversation"]["id"].startswith(CHANNEL)


async def test_emulator_mode_keeps_its_references_apart_from_production_ones(teams: TeamsWorld):
    personal = teams.personal(None, type="conversationUpdate", membersAdded=[{"id": "28:bot"}])
    assert (await teams.send(personal)).status == 200
    async with teams.store.unit_of_work() as uow:
        production = await uow.conversations.get("teams:user:aad-alice")
        emulator = await uow.conversations.get("teams-emulator:user:aad-alice")
    assert production is None
    assert emulator is not None and emulator["serviceUrl"] == teams.service_url


async def test_a_failing_turn_is_answered_politely_without_the_exception(teams: TeamsWorld):
    teams.connector.failures = [400]  # the reply itself is refused by the connector
    response = await teams.send(teams.personal("help"))
    assert response.status == 200
    [sorry] = teams.connector.posts
    assert "Something went wrong" in sorry.text and "ConnectorError" not in sorry.text
