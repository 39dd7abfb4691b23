"""Slash commands: a quick answer rides on the acknowledgement; a slow one follows it."""

from __future__ import annotations

import json

import pytest

from bot.adapters.slack import adapter as slack_adapter
from bot.conversation import ThreadKind

from .slack_fixtures import SlackHarness

FORM = "application/x-www-form-urlencoded"


async def test_a_quick_answer_is_the_acknowledgement_itself(slack: SlackHarness) -> None:
    body = slack.slash_body("whoami")
    response = await slack.signed(body, FORM)
    await slack.adapter.drain()
    answer = json.loads(await response.read())
    assert response.status == 200
    assert answer["response_type"] == "ephemeral"
    assert "alice@acme.example" in json.dumps(answer["blocks"])
    assert slack.api.calls_to("response_url") == []  # no second call to Slack


async def test_conv_1_a_new_case_card_in_its_channel_is_posted_and_starts_the_case_thread(
    slack: SlackHarness,
) -> None:
    body = slack.slash_body("open medium Login fails --description 'agents see error 503'")
    response = await slack.signed(body, FORM)
    await slack.adapter.drain()
    assert response.status == 200
    assert not (await response.read()).strip()  # the card does not ride on the ack: no ts there
    (card,) = slack.api.calls_to("chat.postMessage")
    assert card.body["channel"] == "CACME"  # acme's own channel (ACC-9)
    assert "0000001001" in json.dumps(card.body["blocks"])
    async with slack.store.unit_of_work(read_only=True) as uow:
        (root,) = await uow.threads.roots(1001)
    assert (root.kind, root.route) == (ThreadKind.CUSTOMER, "CACME")
    assert root.message_id == slack.api.posted_ts(card)


async def test_a_slow_answer_is_acknowledged_empty_and_posted_to_the_response_url(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_adapter, "INLINE_ANSWER_SECONDS", 0.0)
    body = slack.slash_body("whoami")
    response = await slack.signed(body, FORM)
    assert response.status == 200
    assert not (await response.read()).strip()  # acknowledged at once, nothing lost
    await slack.adapter.drain()
    (posted,) = slack.api.calls_to("response_url")
    assert posted.body["response_type"] == "ephemeral"
    assert "alice@acme.example" in json.dumps(posted.body["blocks"])
