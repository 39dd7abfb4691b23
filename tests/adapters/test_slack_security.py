"""R1 (signed requests only), R2 (no doubles) and R6 (user text shown literally) over HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from tests.adapters.slack_fixtures import SlackHarness

pytestmark = pytest.mark.security

FORM = "application/x-www-form-urlencoded"
LOG_NEEDLES = ("written by nobody",)  # a forged request's text: never logged (test_log_secrets)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=" + "0" * 64},
            id="wrong",
        ),
        pytest.param({}, id="missing"),
        pytest.param("stale", id="over-5-minutes-old"),
    ],
)
async def test_r1_a_bad_signature_gets_401_and_writes_nothing(
    slack: SlackHarness, headers: dict[str, str] | str
) -> None:
    body = slack.slash_body("open medium Unsigned case --description written by nobody")
    if headers == "stale":
        sent = slack.signed_headers(body, timestamp=int(time.time()) - 5 * 60 - 10)
    else:
        assert isinstance(headers, dict)
        sent = {k: v.replace("{now}", str(int(time.time()))) for k, v in headers.items()}
    response = await slack.post(body, FORM, sent)
    await slack.adapter.drain()
    assert response.status == 401
    assert await slack.count_cases() == 0
    assert slack.api.posted() == []


async def test_r1_a_body_changed_after_signing_gets_401(slack: SlackHarness) -> None:
    body = slack.slash_body("help")
    headers = slack.signed_headers(body)
    response = await slack.post(body.replace("help", "list"), FORM, headers)
    assert response.status == 401


async def test_r2_the_same_slash_command_delivered_three_times_opens_one_case(
    slack: SlackHarness,
) -> None:
    body = slack.slash_body("open medium Login fails --description 'agents see error 503 at login'")
    responses = await asyncio.gather(*(slack.signed(body, FORM) for _ in range(3)))
    await slack.adapter.drain()
    assert [r.status for r in responses] == [200, 200, 200]
    assert await slack.count_cases() == 1
    # One answer in all: the case card, posted in the bound channel (CONV-1: it starts the
    # case's thread, so it is posted rather than riding on an acknowledgement).
    inline = [body for r in responses if (body := await r.read()).strip()]
    cards = slack.api.calls_to("chat.postMessage")
    assert inline == [] and slack.api.calls_to("response_url") == []
    assert [c.body["channel"] for c in cards] == ["CACME"]


async def test_r2_a_retried_event_is_answered_once(slack: SlackHarness) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "UALICE",
        "text": "help",
        "channel": "DALICE",
        "ts": "1700000002.000100",
    }
    await slack.event(event, event_id="EvSAME")
    await slack.event(event, event_id="EvSAME", retry=1)
    await slack.event(event, event_id="EvSAME", retry=2)
    assert len(slack.api.calls_to("chat.postMessage")) == 1


async def test_r2_a_retry_of_an_event_never_handled_is_not_dropped(slack: SlackHarness) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "UALICE",
        "text": "help",
        "channel": "DALICE",
        "ts": "1700000002.000200",
    }
    response = await slack.event(event, event_id="EvLOST", retry=1)
    assert response.status == 200
    assert len(slack.api.calls_to("chat.postMessage")) == 1


def _strings_outside_plain_text(node: Any, inside: bool = False) -> list[str]:
    """Every string a Slack client would parse as mrkdwn: all but plain_text objects' text."""
    if isinstance(node, dict):
        plain = node.get("type") == "plain_text"
        found: list[str] = []
        for key, value in node.items():
            found += _strings_outside_plain_text(value, inside or (plain and key == "text"))
        return found
    if isinstance(node, list):
        return [s for item in node for s in _strings_outside_plain_text(item, inside)]
    if isinstance(node, str) and not inside:
        return [node]
    return []


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("<!channel> <http://evil|bank>", id="raw"),
        pytest.param("&lt;!channel&gt; &lt;http://evil|bank&gt;", id="slack-entities"),
    ],
)
async def test_r6_mentions_and_links_in_a_summary_reach_slack_escaped(
    slack: SlackHarness, typed: str
) -> None:
    await slack.slash(f"open medium Outage {typed} --description 'agents see error 503 at login'")
    case = await slack.case(1001)
    assert case is not None
    assert case.summary == "Outage <!channel> <http://evil|bank>"
    posted = slack.api.calls_to("chat.postMessage")[-1].body  # the card starts the thread
    assert posted["mrkdwn"] is False
    assert "&lt;!channel&gt;" in posted["text"]
    for text in _strings_outside_plain_text(posted):
        assert "<!channel>" not in text
        assert "<http://evil|bank>" not in text
    assert "Outage <!channel> <http://evil|bank>" in json.dumps(posted["blocks"])
