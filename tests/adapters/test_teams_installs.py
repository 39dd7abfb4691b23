"""Teams installs, removals, channel messages without a mention and the bot's own id (#15).

The real app over HTTP in emulator mode, the connector stand-in on 127.0.0.1, real SQLite.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.teams.delivery import TeamsDeliverer
from bot.jobs.delivery import DeliveryFailed
from bot.messages import Notice, NoticeKind, Reply
from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage, OutboxState, TargetKind

from .teams_fixtures import BOT, CHANNEL, TeamsWorld

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
NOTICE = Reply(Notice(NoticeKind.SLA_WARNING, "Response due in 30 minutes", "Case 0000001001"))
TEAM = "19:team@thread.tacv2"


def row(target: str, kind: TargetKind, **extra: Any) -> OutboxMessage:
    return OutboxMessage(
        id=1,
        dedup_key="k",
        platform=Platform.TEAMS,
        target=target,
        target_kind=kind,
        payload={},
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=T0,
        created_at=T0,
        **extra,
    )


def install(teams: TeamsWorld, action: str = "add", **who: Any) -> dict[str, Any]:
    return teams.personal(None, **who) | {"type": "installationUpdate", "action": action}


def channel_update(teams: TeamsWorld, key: str) -> dict[str, Any]:
    """The bot added to (membersAdded) or removed from (membersRemoved) a team."""
    activity = teams.in_channel("x")
    del activity["text"], activity["entities"]
    activity["conversation"]["id"] = CHANNEL
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity | {"type": "conversationUpdate", key: [BOT]}


def deliverer(teams: TeamsWorld, app_id: str | None = None) -> TeamsDeliverer:
    adapter = teams.adapter
    return TeamsDeliverer(teams.store, adapter.connector, adapter.chats, app_id)


async def test_installing_the_app_in_a_1_1_chat_welcomes_the_user_once_with_their_access(
    teams: TeamsWorld,
) -> None:
    response = await teams.send(install(teams))
    assert response.status == 200
    update = install(teams) | {"type": "conversationUpdate", "membersAdded": [BOT]}
    del update["action"]
    await teams.send(update)  # Teams announces the same installation a second time
    posts = teams.connector.to("a:1on1-29:alice")
    welcome = "\n".join(p.text for p in posts)
    assert "support bot" in welcome and "help" in welcome
    assert "alice@acme.example" in welcome and "acme" in welcome  # whoami: who they are to it
    assert sum("Welcome to Support" in p.text for p in posts) == 1


async def test_adding_the_bot_to_a_team_welcomes_the_channel_and_tells_the_adder_privately(
    teams: TeamsWorld,
) -> None:
    await teams.send(channel_update(teams, "membersAdded"))
    [in_channel] = teams.connector.to(CHANNEL)
    assert "Welcome to Support" in in_channel.text and "case help" in in_channel.text
    assert "alice@acme.example" not in in_channel.text  # ACC-9: accounts are the user's own
    private = "\n".join(p.text for p in teams.connector.posts if p.conversation_id != CHANNEL)
    assert "alice@acme.example" in private


async def test_removing_the_bot_from_a_team_retires_the_channel_so_notices_are_not_attempted(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    teams_out = deliverer(teams)
    await teams.send(channel_update(teams, "membersAdded"))
    await teams_out.deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    posted, calls = len(teams.connector.posts), teams.connector.calls
    with caplog.at_level(logging.INFO, logger="bot.adapters.teams.installs"):
        await teams.send(channel_update(teams, "membersRemoved"))
        uninstall = teams.in_channel("x") | {"type": "installationUpdate", "action": "remove"}
        del uninstall["text"], uninstall["entities"]
        await teams.send(uninstall)  # the same removal announced again: logged once
    assert (
        sum("removed from" in r.getMessage() and CHANNEL in r.getMessage() for r in caplog.records)
        == 1
    )
    with pytest.raises(DeliveryFailed, match="removed"):
        await teams_out.deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    assert len(teams.connector.posts) == posted  # nothing was attempted
    assert teams.connector.calls == calls

    await teams.send(channel_update(teams, "membersAdded"))  # added again: posts resume
    await teams_out.deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    assert "Response due in 30 minutes" in teams.connector.posts[-1].text
    assert any("Welcome to Support" in p.text for p in teams.connector.posts[posted:])


async def test_a_user_uninstalling_the_personal_app_stops_private_notices_to_them(
    teams: TeamsWorld,
) -> None:
    await teams.send(teams.personal("whoami"))  # stores the 1:1 chat
    await teams.send(install(teams, "remove"))
    before = teams.connector.calls
    with pytest.raises(DeliveryFailed, match="removed"):
        await deliverer(teams).deliver(
            row("aad-alice", TargetKind.PRIVATE, route={"space": "tenant-acme"}), NOTICE
        )
    assert teams.connector.calls == before and teams.connector.created == []


async def test_channel_talk_not_for_the_bot_gets_no_answer_in_the_channel_and_case_verb_works(
    teams: TeamsWorld,
) -> None:
    chatter = teams.in_channel("x")
    chatter["text"], chatter["entities"] = "<p>lunch at noon, anyone?</p>", []
    assert (await teams.send(chatter)).status == 200
    # No "unknown command" for people talking; at most the private capture offer (CONV-4).
    assert teams.connector.to(chatter["conversation"]["id"]) == []
    assert {p.conversation_id for p in teams.connector.posts} <= {"a:1on1-29:alice"}
    teams.connector.posts.clear()

    typed = teams.in_channel("x")
    typed["text"], typed["entities"] = "<p>case help</p>", []
    await teams.send(typed)
    pointer = teams.connector.to(typed["conversation"]["id"])
    assert [p.body.get("text") for p in pointer] == ["I've sent you my answer in our 1:1 chat."]
    assert "whoami" in "\n".join(p.text for p in teams.connector.to("a:1on1-29:alice"))


async def test_posts_the_bot_starts_come_from_the_id_clients_address_it_by(
    teams: TeamsWorld,
) -> None:
    agent = {"id": "28:playground-agent", "name": "Support"}
    await teams.send(teams.personal("whoami") | {"recipient": agent})
    await teams.send(channel_update(teams, "membersAdded") | {"recipient": agent})
    await deliverer(teams).deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    assert teams.connector.posts[-1].body["from"]["id"] == "28:playground-agent"
    assert all(p.body.get("from", {}).get("id") != "28:supportbot" for p in teams.connector.posts)

    app_id = "0f6e6d2c-1111-4a4a-9b9b-123456789abc"
    await deliverer(teams, app_id).deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    assert teams.connector.posts[-1].body["from"]["id"] == f"28:{app_id}"
