"""POLICY section 7 over HTTP on Slack: signed events through the real app, the Web API stand-in.

The case card of `/case open` in #acme starts the customer thread; the queue alert, delivered by
the outbox worker through the Slack deliverer, starts the support thread. Everything else here
is what people do in those threads, as Slack sends it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.capture import CAPTURE_CALLBACK, OFFER_ACTION
from bot.jobs.housekeeping_sweep import sweep_housekeeping
from bot.jobs.outbox_worker import OutboxWorker
from bot.model import EventKind, Platform, Status, SubStatus, Visibility
from bot.policy.config import PolicyConfig
from bot.standins.slack_api import BOT_USER_ID, Call, HostedFile, SlackStandIn
from bot.store.files import FolderStorage
from bot.store.interface import Store

from .slack_fixtures import SlackHarness, running_slack

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

PAYLOADS = Path(__file__).parent / "payloads" / "slack"
DESCRIPTION = "'Exports fail with error 500 for every report since the upgrade'"


@pytest.fixture
async def slack(
    slack_api: SlackStandIn, slack_store: Store, tmp_path: Path
) -> AsyncIterator[SlackHarness]:
    slack_api.token = "xoxb-test-token"  # files are served for the bot token only
    async with running_slack(slack_api, slack_store, attachments=tmp_path / "files") as harness:
        yield harness


async def open_case(slack: SlackHarness) -> str:
    """Alice opens a case in #acme; the card's ts (the customer thread's root)."""
    await slack.slash(f"open medium Reports export fails --description {DESCRIPTION}")
    (card,) = [c for c in slack.api.calls_to("chat.postMessage") if c.body["channel"] == "CACME"]
    return slack.api.posted_ts(card)


async def deliver(slack: SlackHarness) -> None:
    worker = OutboxWorker(slack.store, {Platform.SLACK: slack.adapter.deliverer})
    await worker.drain(slack.clock.now + timedelta(minutes=1))


def alert_ts(slack: SlackHarness) -> str:
    """The new-case alert in the queue: the support thread's root."""
    first = next(c for c in slack.api.calls_to("chat.postMessage") if c.body["channel"] == "CQUEUE")
    assert "thread_ts" not in first.body
    return slack.api.posted_ts(first)


def said(
    user: str, text: str, ts: str, thread_ts: str | None, channel: str = "CACME"
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "team": "T0" if user.startswith(("UANA", "UADAM")) else "T1",
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


def ephemeral_to(slack: SlackHarness, user: str) -> list[Call]:
    return [c for c in slack.api.calls_to("chat.postEphemeral") if c.body["user"] == user]


def posts_to(slack: SlackHarness, channel: str) -> list[Call]:
    return [c for c in slack.api.calls_to("chat.postMessage") if c.body["channel"] == channel]


async def updates_of(slack: SlackHarness, number: int = 1001) -> list[tuple[str, str]]:
    case = await slack.case(number)
    assert case is not None
    return [(e.author, e.body) for e in case.events if e.kind is EventKind.CUSTOMER_UPDATE]


async def test_conv_2_designated_contacts_thread_reply_is_one_update_even_redelivered_or_edited(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    await deliver(slack)
    await slack.slash(
        "request-info 1001 Please send the server log", user="UANA", team="T0", channel="CQUEUE"
    )
    async with slack.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", "1001") is not None  # FUP-1 running
    slack.clock.now += timedelta(minutes=30)
    reply = said("UALICE", "Here is the log excerpt", "1700000500.000100", root)
    assert (await slack.event(reply, event_id="EvR1")).status == 200
    case = await slack.case(1001)
    assert case is not None
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    async with slack.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", "1001") is None  # FUP-3: stopped
    assert await updates_of(slack) == [("alice@acme.example", "Here is the log excerpt")]
    (told,) = ephemeral_to(slack, "UALICE")
    assert told.body["thread_ts"] == root  # the confirmation stays in the thread, privately
    # Slack's retry of the same event, an edit, and the bot's own post in the thread.
    await slack.event(reply, event_id="EvR1", retry=1)
    await slack.event(reply, event_id="EvR1-other-delivery")
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "CACME",
        "channel_type": "channel",
        "hidden": True,
        "ts": "1700000600.000001",
        "message": {
            "type": "message",
            "user": "UALICE",
            "text": "Here is the full log",
            "ts": "1700000500.000100",
            "thread_ts": root,
            "edited": {"user": "UALICE", "ts": "1700000600.000001"},
        },
        "previous_message": {"type": "message", "user": "UALICE", "ts": "1700000500.000100"},
    }
    await slack.event(edited)
    bots = said(BOT_USER_ID, "Case 0000001001 updated", "1700000700.000001", root)
    await slack.event(bots | {"bot_id": "BBOT", "subtype": "bot_message"})
    assert await updates_of(slack) == [("alice@acme.example", "Here is the log excerpt")]
    assert len(ephemeral_to(slack, "UALICE")) == 1


async def test_conv_2_read_only_contacts_reply_changes_nothing_and_gets_the_hint(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    before = await slack.case(1001)
    async with slack.store.unit_of_work(read_only=True) as uow:
        audit = len(await uow.audit.entries(1001))
    await slack.event(said("URITA", "Any news on this?", "1700000500.000200", root))
    assert await slack.case(1001) == before
    async with slack.store.unit_of_work(read_only=True) as uow:
        assert len(await uow.audit.entries(1001)) == audit
    (hint,) = ephemeral_to(slack, "URITA")
    assert (hint.body["channel"], hint.body["thread_ts"]) == ("CACME", root)
    assert "Nothing changed" in json.dumps(hint.body)
    assert "ACC-2" in json.dumps(hint.body)


async def test_conv_3_staff_reply_stays_internal_and_the_explicit_reply_reaches_the_customer_once(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    await deliver(slack)
    alert = alert_ts(slack)
    note = said("UANA", "Patch 1.2.3 fixes it", "1700000800.000001", alert, channel="CQUEUE")
    await slack.event(note)
    await deliver(slack)
    assert len(posts_to(slack, "CACME")) == 1  # only the card: the note never reaches #acme
    case = await slack.case(1001)
    assert case is not None
    notes = [(e.body, e.visibility) for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert notes == [("Patch 1.2.3 fixes it", Visibility.INTERNAL)]
    shortcut = {
        "type": "message_action",
        "callback_id": "reply_to_customer",
        "team": {"id": "T0"},
        "user": {"id": "UANA", "team_id": "T0"},
        "channel": {"id": "CQUEUE"},
        "message_ts": note["ts"],
        "message": {
            "type": "message",
            "user": "UANA",
            "text": note["text"],
            "ts": note["ts"],
            "thread_ts": alert,
        },
        "response_url": slack.api.response_url("shortcut"),
    }
    for attempt in ("trig-s1", "trig-s2"):  # used twice on the same message
        assert (await slack.interaction(shortcut | {"trigger_id": attempt})).status == 200
        await deliver(slack)
    to_customer = posts_to(slack, "CACME")[1:]
    assert len(to_customer) == 1
    assert to_customer[0].body["thread_ts"] == root  # in the case's customer thread (CONV-1)
    assert "Patch 1.2.3 fixes it" in json.dumps(to_customer[0].body)


async def test_conv_4_capture_offer_at_most_once_per_10_minutes_and_only_the_form_opens(
    slack: SlackHarness,
) -> None:
    await slack.event(said("UALICE", "Exports fail since this morning", "1700000900.000001", None))
    await slack.event(said("UALICE", "Also PDF exports", "1700000900.000002", None))
    slack.clock.now += timedelta(minutes=9)
    await slack.event(said("UALICE", "Still failing", "1700000900.000003", None))
    offers = [c for c in ephemeral_to(slack, "UALICE") if OFFER_ACTION in json.dumps(c.body)]
    assert len(offers) == 1
    slack.clock.now += timedelta(minutes=2)
    await slack.event(said("UALICE", "Anyone?", "1700000900.000004", None))
    offers = [c for c in ephemeral_to(slack, "UALICE") if OFFER_ACTION in json.dumps(c.body)]
    assert len(offers) == 2
    assert await slack.count_cases() == 0  # an offer opens nothing
    button = offers[0].body["blocks"][1]["elements"][0]
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": slack.user("UALICE"),
        "channel": {"id": "CACME"},
        "trigger_id": "trig-offer",
        "actions": [{"type": "button", "action_id": OFFER_ACTION, "value": button["value"]}],
    }
    await slack.interaction(click)
    view = slack.last_view()
    assert view["callback_id"] == CAPTURE_CALLBACK
    assert "Exports fail since this morning" in json.dumps(view)  # prefilled from the message
    assert await slack.count_cases() == 0
    response = await slack.submit(
        view,
        {
            "summary": "Exports fail since this morning",
            "description": "Exports fail with error 500 for every report since this morning",
            "priority": "medium",
            "type": "Support/Problem",
            "stage": "production",
        },
    )
    assert response.status == 200
    assert await slack.count_cases() == 1


@pytest.mark.parametrize("reactor", ["URITA", "UGINA", "USTRANGER"])
async def test_conv_4_reaction_by_an_unentitled_person_opens_nothing(
    slack: SlackHarness, reactor: str
) -> None:
    message = slack.api.said("CACME", "UALICE", "Exports fail since this morning")
    reaction = {
        "type": "reaction_added",
        "user": reactor,
        "reaction": "ticket",
        "item": {"type": "message", "channel": "CACME", "ts": message["ts"]},
        "item_user": "UALICE",
        "event_ts": "1700001000.000001",
    }
    assert (await slack.event(reaction)).status == 200
    assert await slack.count_cases() == 0
    assert slack.api.calls_to("views.open") == []
    assert OFFER_ACTION not in json.dumps([c.body for c in slack.api.calls])


async def test_conv_4_a_designated_contacts_reaction_offers_the_prefilled_form(
    slack: SlackHarness,
) -> None:
    message = slack.api.said("CACME", "UDAVE", "Exports fail since this morning")
    other = {
        "type": "reaction_added",
        "user": "UALICE",
        "reaction": "thumbsup",
        "item": {"type": "message", "channel": "CACME", "ts": message["ts"]},
    }
    await slack.event(other)
    assert slack.api.calls_to("conversations.replies") == []  # other emoji: nothing is read
    await slack.event(other | {"reaction": "ticket"})
    (offer,) = [c for c in ephemeral_to(slack, "UALICE") if OFFER_ACTION in json.dumps(c.body)]
    assert "on behalf of dave@acme.example" not in json.dumps(offer.body)  # Alice may herself
    assert await slack.count_cases() == 0


async def test_conv_5_a_file_in_the_thread_is_stored_listed_and_purged_30_days_after_close(
    slack: SlackHarness, tmp_path: Path
) -> None:
    root = await open_case(slack)
    hosted = slack.api.share(HostedFile("F1", "server.log", "text/plain", b"ERROR 500 at export"))
    event = said("UALICE", "", "1700001100.000001", root) | {
        "subtype": "file_share",
        "files": [hosted],
    }
    await slack.event(event)
    await slack.event(event, retry=1)  # Slack's retry: stored once
    stored = sorted(p for p in (tmp_path / "files").rglob("*") if p.is_file())
    assert [p.read_bytes() for p in stored] == [b"ERROR 500 at export"]
    downloads = slack.api.calls_to("files.download")
    assert downloads and {c.status for c in downloads} == {200}  # served for the bot token
    (reminder,) = ephemeral_to(slack, "UALICE")
    assert "sanitised" in json.dumps(reminder.body)
    await slack.slash("show 1001", user="UANA", team="T0", channel="CQUEUE")
    staff_card = slack.api.calls_to("chat.postMessage")[-1]
    assert staff_card.body["channel"] == "CQUEUE" and "server.log" in json.dumps(staff_card.body)
    await slack.slash("close 1001 resolved The patch fixed it")
    closed_at = slack.clock.now
    storage = FolderStorage(tmp_path / "files")
    await sweep_housekeeping(slack.store, PolicyConfig(), closed_at + timedelta(days=29), storage)
    assert [p.read_bytes() for p in stored if p.exists()] == [b"ERROR 500 at export"]
    await sweep_housekeeping(slack.store, PolicyConfig(), closed_at + timedelta(days=31), storage)
    assert not any(p.exists() for p in stored)
    async with slack.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(1001) == []
        (kept,) = await uow.attachments.for_case(1001, include_purged=True)
    assert kept.name == "server.log" and kept.purged_at is not None


async def test_conv_5_a_file_off_slacks_file_host_is_never_fetched_with_the_token(
    slack: SlackHarness,
) -> None:
    root = await open_case(slack)
    event = said("UALICE", "", "1700001200.000001", root) | {
        "subtype": "file_share",
        "files": [
            {
                "id": "F9",
                "name": "x.log",
                "mimetype": "text/plain",
                "size": 3,
                "url_private_download": "https://attacker.example/x.log",
            }
        ],
    }
    await slack.event(event)
    assert slack.api.calls_to("files.download") == []
    async with slack.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(1001, include_purged=True) == []


async def test_conv_2_bolt_pythons_thread_reply_shape_in_the_case_thread_is_an_update(
    slack: SlackHarness,
) -> None:
    """The shape of a thread reply from bolt-python's tests (payloads/slack/message_in_thread);
    only what routes it here changes: the channel, the thread, the user and team."""
    root = await open_case(slack)
    doc = json.loads((PAYLOADS / "message_in_thread.json").read_text("utf-8"))
    body = doc["payload"]
    body["team_id"] = "T1"
    body["event"] |= {
        "channel": "CACME",
        "channel_type": "channel",
        "thread_ts": root,
        "user": "UALICE",
        "team": "T1",
        "user_team": "T1",
        "parent_user_id": BOT_USER_ID,
    }
    response = await slack.signed(json.dumps(body), "application/json")
    await slack.adapter.drain()
    assert response.status == 200
    assert await updates_of(slack) == [("alice@acme.example", "When Slack was released?")]
