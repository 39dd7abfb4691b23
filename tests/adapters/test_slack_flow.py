"""Issue 6 done-when, over HTTP with signed requests: the case lifecycle through Slack."""

from __future__ import annotations

import json
from typing import Any

from bot.model import Status, SubStatus
from tests.adapters.slack_fixtures import SlackHarness

DESCRIPTION = (
    "Since the 09:00 deployment agents cannot log in to the desktop; error 503 from the "
    "authentication service. We restarted the gateway without effect."
)


def _text_of(call_body: dict[str, Any]) -> str:
    """Everything a post would show, as one string (fallback text and blocks)."""
    return json.dumps(call_body, ensure_ascii=False)


async def _open_through_modal(slack: SlackHarness, summary: str = "Agents cannot log in") -> int:
    await slack.slash("open")
    view = slack.last_view()
    assert view["callback_id"] == "modal:form:open"
    response = await slack.submit(
        view,
        {
            "priority": "medium",
            "summary": summary,
            "description": DESCRIPTION,
            "type": "Support/Problem",
            "stage": "production",
        },
    )
    assert response.status == 200
    assert await response.text() == ""
    return 1001


async def test_case_2_a_case_opened_through_the_modal_is_posted_in_the_bound_channel(
    slack: SlackHarness,
) -> None:
    number = await _open_through_modal(slack)
    case = await slack.case(number)
    assert case is not None
    assert case.summary == "Agents cannot log in"
    assert case.opened_by == "alice@acme.example"
    # CONV-1: posted (not answered through response_url), so it starts the case's thread.
    answers = slack.api.calls_to("chat.postMessage")
    assert answers[-1].body["channel"] == "CACME"
    assert "0000001001" in _text_of(answers[-1].body)


async def test_case_2_a_modal_with_problems_is_answered_with_inline_errors(
    slack: SlackHarness,
) -> None:
    await slack.slash("open")
    response = await slack.submit(
        slack.last_view(),
        {
            "priority": "high",
            "summary": "Down",
            "description": DESCRIPTION,
            "type": "Support/Problem",
            "stage": "production",
        },
    )
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert "impact" in answer["errors"]
    assert await slack.count_cases() == 0


async def test_case_lifecycle_update_escalation_refused_close_and_reopen(
    slack: SlackHarness,
) -> None:
    number = await _open_through_modal(slack)

    await slack.button("case:update", number)
    update_view = slack.last_view()
    assert update_view["callback_id"] == "modal:form:update"
    await slack.submit(update_view, {"text": "Also affects the mobile app."})
    case = await slack.case(number)
    assert case is not None
    assert any(e.body == "Also affects the mobile app." for e in case.events)

    await slack.slash(f"escalate {number} nobody has answered us yet")
    refusal = slack.api.calls_to("response_url")[-1].body
    assert refusal["response_type"] == "ephemeral"
    assert "ESC-5" in _text_of(refusal)

    await slack.button("case:close", number)
    close_view = slack.last_view()
    assert close_view["callback_id"] == "modal:form:close"
    await slack.submit(close_view, {"resolution": "resolved", "comment": "Fixed by the hotfix."})
    case = await slack.case(number)
    assert case is not None
    assert case.status is Status.CLOSED
    assert case.sub_status is SubStatus.RESOLVED

    reason = "the hotfix did not help and agents still cannot log in this morning at all"
    await slack.slash(f"reopen {number} {reason}")
    case = await slack.case(number)
    assert case is not None
    assert case.status is Status.OPEN


async def test_acc_2_a_read_only_user_is_refused_and_nothing_is_written(
    slack: SlackHarness,
) -> None:
    await slack.slash("open medium Printer on fire --description it is on fire", user="URITA")
    answer = slack.api.calls_to("response_url")[-1].body
    assert answer["response_type"] == "ephemeral"
    assert "ACC-2" in _text_of(answer)
    assert await slack.count_cases() == 0


async def test_acc_9_a_channel_not_bound_to_the_account_gets_ephemeral_replies(
    slack: SlackHarness,
) -> None:
    number = await _open_through_modal(slack)
    await slack.slash(f"show {number}", channel="CRANDOM")
    answer = slack.api.calls_to("response_url")[-1].body
    assert answer["response_type"] == "ephemeral"
    assert "0000001001" in _text_of(answer)
    await slack.slash(f"show {number}", channel="CACME")
    assert slack.api.calls_to("chat.postMessage")[-1].body["channel"] == "CACME"


async def test_acc_9_an_event_in_an_unbound_channel_is_answered_ephemerally(
    slack: SlackHarness,
) -> None:
    number = await _open_through_modal(slack)
    await slack.event(
        {
            "type": "app_mention",
            "user": "UALICE",
            "text": f"<@UBOT> show {number}",
            "channel": "CRANDOM",
            "ts": "1700000001.000100",
            "event_ts": "1700000001.000100",
        }
    )
    ephemeral = slack.api.calls_to("chat.postEphemeral")
    assert len(ephemeral) == 1
    assert ephemeral[0].body["user"] == "UALICE"
    assert ephemeral[0].body["channel"] == "CRANDOM"
    posted = slack.api.calls_to("chat.postMessage")
    assert [c.body["channel"] for c in posted] == ["CACME"]  # only the card of `open`


async def test_typed_commands_in_a_dm_are_answered_in_the_dm(slack: SlackHarness) -> None:
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "user": "UALICE",
            "text": "whoami",
            "channel": "DALICE",
            "ts": "1700000001.000200",
            "event_ts": "1700000001.000200",
        }
    )
    posted = slack.api.calls_to("chat.postMessage")
    assert len(posted) == 1
    assert posted[0].body["channel"] == "DALICE"
    assert "Alice Able" in _text_of(posted[0].body)


async def test_the_bots_own_messages_and_edits_are_not_commands(slack: SlackHarness) -> None:
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "subtype": "message_changed",
            "channel": "DALICE",
            "ts": "1700000001.000300",
            "event_ts": "1700000001.000300",
        }
    )
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": "help",
            "channel": "DALICE",
            "ts": "1700000001.000400",
        }
    )
    assert slack.api.posted() == []
