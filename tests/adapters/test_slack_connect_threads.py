"""CONV-6 over HTTP on Slack: case threads in a Slack Connect channel.

The vendor (workspace T0) installed the app; #acme and the queue are Slack Connect channels, so
an event arrives through the vendor's installation (envelope and event `team` T0, as in
bolt-python's shared-channel tests) while the author's own workspace is in `user_team` and
`source_team`. Account acme lists T1 as its own; T9 is a workspace nobody lists. Who a profile
e-mail belongs to is decided from `users.info` (the stand-in's `emails` and `homes`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.model import EventKind
from bot.standins.slack_api import SlackStandIn
from bot.store.interface import Store

from .slack_fixtures import SlackHarness, running_slack
from .test_slack_threads import alert_ts, deliver, ephemeral_to, open_case, posts_to, updates_of

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

VENDOR, ACME, FOREIGN = "T0", "T1", "T9"


@pytest.fixture
async def slack(slack_api: SlackStandIn, slack_store: Store) -> AsyncIterator[SlackHarness]:
    for user, email, home in [
        ("UCONNALICE", "alice@acme.example", ACME),  # Alice, not listed by chat id
        ("UEVILALICE", "alice@acme.example", FOREIGN),
        ("UEVILANA", "ana@vendor.example", FOREIGN),
    ]:
        slack_api.emails[user] = email
        slack_api.homes[user] = (home, None)
    async with running_slack(slack_api, slack_store) as harness:
        yield harness


async def connect_event(
    slack: SlackHarness, user: str, home: str, text: str, ts: str, root: str, channel: str
) -> int:
    """A thread reply in a Slack Connect channel, as the vendor's installation receives it."""
    body = {
        "token": "legacy",
        "team_id": VENDOR,
        "api_app_id": "A1",
        "event": {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": user,
            "team": VENDOR,
            "user_team": home,
            "source_team": home,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "thread_ts": root,
        },
        "type": "event_callback",
        "event_id": slack.next_id("EvConnect"),
        "event_time": 1700000000,
        "is_ext_shared_channel": True,
    }
    response = await slack.signed(json.dumps(body), "application/json")
    await slack.adapter.drain()
    return response.status


async def written(slack: SlackHarness) -> tuple[Any, int]:
    """The case and its audit trail length: what a refusal must leave as it was."""
    async with slack.store.unit_of_work(read_only=True) as uow:
        return await uow.cases.get(1001), len(await uow.audit.entries(1001))


@pytest.mark.parametrize("user", ["UALICE", "UCONNALICE"])
async def test_conv_6_a_contact_of_the_accounts_own_workspace_replying_in_a_connect_thread_is_one_update(
    slack: SlackHarness, user: str
) -> None:
    """Listed by chat id (UALICE in T1) or mapped by a profile e-mail whose home acme lists."""
    root = await open_case(slack)
    assert await connect_event(slack, user, ACME, "Log attached", "1700000500.1", root, "CACME")
    assert await updates_of(slack) == [("alice@acme.example", "Log attached")]
    (told,) = ephemeral_to(slack, user)
    assert told.body["thread_ts"] == root


async def test_conv_6_a_contact_email_from_a_foreign_workspace_is_not_mapped_and_writes_nothing(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    before = await written(slack)
    await connect_event(slack, "UEVILALICE", FOREIGN, "Close it", "1700000500.2", root, "CACME")
    assert await written(slack) == before
    assert await updates_of(slack) == []
    (hint,) = ephemeral_to(slack, "UEVILALICE")
    assert (hint.body["channel"], hint.body["thread_ts"]) == ("CACME", root)
    assert "Nothing changed" in json.dumps(hint.body)


async def test_conv_6_a_foreign_workspace_user_with_a_staff_email_is_never_staff_in_a_thread(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    await deliver(slack)
    alert = alert_ts(slack)
    before = await written(slack)
    note = "Fixed, closing"
    await connect_event(slack, "UEVILANA", FOREIGN, note, "1700000800.1", alert, "CQUEUE")
    await connect_event(slack, "UEVILANA", FOREIGN, note, "1700000800.2", root, "CACME")
    shortcut = {
        "type": "message_action",
        "callback_id": "reply_to_customer",
        "team": {"id": VENDOR},
        "user": {"id": "UEVILANA", "team_id": FOREIGN},
        "channel": {"id": "CQUEUE"},
        "message_ts": "1700000800.1",
        "message": {
            "type": "message",
            "user": "UEVILANA",
            "text": note,
            "ts": "1700000800.1",
            "thread_ts": alert,
        },
        "trigger_id": "trig-evil",
        "response_url": slack.api.response_url("evil"),
    }
    await slack.interaction(shortcut)
    await deliver(slack)
    after = await written(slack)
    assert after == before
    case, _ = after
    assert not [e for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert len(posts_to(slack, "CACME")) == 1  # only the card: nothing reached the customer
