"""ACC-7 identity, the App Home tab, the message shortcut and the app manifest."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.manifest import PLACEHOLDER, build_slack_manifest, slack_manifest
from tests.adapters.slack_fixtures import SlackHarness

MANIFEST = Path(__file__).parents[2] / "manifest" / "slack" / "manifest.yaml"


async def test_acc_7_a_directory_slack_id_needs_no_users_info(slack: SlackHarness) -> None:
    actor = await slack.adapter.users.actor("T1", "UALICE")
    assert actor.contact is not None
    assert actor.contact.email == "alice@acme.example"
    assert slack.api.calls_to("users.info") == []


async def test_acc_7_an_unlisted_user_is_found_by_verified_email_and_cached(
    slack: SlackHarness,
) -> None:
    first = await slack.adapter.users.actor("T1", "UNEWALICE")
    again = await slack.adapter.users.actor("T1", "UNEWALICE")
    assert first.contact is not None
    assert first.contact.email == "alice@acme.example"
    assert first.user_id == "UNEWALICE"
    assert again == first
    assert len(slack.api.calls_to("users.info")) == 1
    slack.clock.now += timedelta(minutes=11)
    await slack.adapter.users.actor("T1", "UNEWALICE")
    assert len(slack.api.calls_to("users.info")) == 2


async def test_acc_7_an_unmapped_user_has_no_grants_and_is_told_how_to_get_access(
    slack: SlackHarness,
) -> None:
    await slack.slash(
        "open medium Something --description 'it broke badly'", user="USTRANGER", team="T9"
    )
    stranger = await slack.adapter.users.actor("T9", "USTRANGER")
    assert not stranger.is_mapped
    assert await slack.count_cases() == 0
    answer = slack.api.calls_to("response_url")[-1].body
    assert answer["response_type"] == "ephemeral"


async def test_acc_7_a_failed_users_info_is_not_cached(slack: SlackHarness) -> None:
    slack.api.fail_next(1, 200, error="user_not_allowed")
    assert not (await slack.adapter.users.actor("T1", "UNEWALICE")).is_mapped
    assert (await slack.adapter.users.actor("T1", "UNEWALICE")).is_mapped


async def test_app_home_lists_the_viewers_open_cases_with_an_open_a_case_button(
    slack: SlackHarness,
) -> None:
    await slack.slash("open medium Reports are slow --description 'since Monday'")
    await slack.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}
    )
    published = slack.api.calls_to("views.publish")[-1].body
    view = (
        published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    )
    assert published["user_id"] == "UALICE"
    shown = json.dumps(view)
    assert "Reports are slow" in shown
    assert '"action_id": "case:open"' in shown

    await slack.button("case:open", None, channel=None)
    assert slack.last_view()["callback_id"] == "modal:form:open"


async def test_acc_2_a_read_only_viewer_gets_no_open_a_case_button(slack: SlackHarness) -> None:
    await slack.event(
        {"type": "app_home_opened", "user": "URITA", "channel": "DRITA", "tab": "home"}
    )
    view = slack.api.calls_to("views.publish")[-1].body["view"]
    assert "case:open" not in json.dumps(view)


async def test_case_2_the_message_shortcut_prefills_the_description(slack: SlackHarness) -> None:
    trigger = slack.next_id("trig-")
    await slack.interaction(
        {
            "type": "message_action",
            "callback_id": "open_case_from_message",
            "team": {"id": "T1"},
            "user": slack.user("UALICE"),
            "channel": {"id": "CACME"},
            "trigger_id": trigger,
            "response_url": slack.api.response_url(trigger),
            "message_ts": "1700000000.000100",
            "message": {
                "type": "message",
                "text": "Exports fail with &lt;timeout&gt; since 8am",
                "ts": "1700000000.000100",
            },
        }
    )
    view = slack.last_view()
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"] == "Exports fail with <timeout> since 8am"


def test_the_manifest_file_is_the_built_manifest_with_placeholders() -> None:
    assert yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) == slack_manifest(PLACEHOLDER)


def test_the_manifest_points_every_url_at_the_deployment() -> None:
    built = yaml.safe_load(build_slack_manifest("https://support.example.com/"))
    url = "https://support.example.com/slack/events"
    assert built["features"]["slash_commands"][0]["url"] == url
    assert built["settings"]["event_subscriptions"]["request_url"] == url
    assert built["settings"]["interactivity"]["request_url"] == url
    assert "chat:write.public" not in built["oauth_config"]["scopes"]["bot"]
    assert "users:read.email" in built["oauth_config"]["scopes"]["bot"]


@pytest.mark.parametrize(
    "url", ["http://support.example.com", "ftp://x", "support.example.com", "https://x/?a=1"]
)
def test_the_manifest_refuses_a_url_slack_cannot_call_safely(url: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        build_slack_manifest(url)


def test_the_manifest_accepts_plain_http_on_localhost() -> None:
    built = yaml.safe_load(build_slack_manifest("http://127.0.0.1:8080"))
    assert built["settings"]["interactivity"]["request_url"] == "http://127.0.0.1:8080/slack/events"
