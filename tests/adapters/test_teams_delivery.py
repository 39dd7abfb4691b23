"""`TeamsDeliverer` and the connector client: proactive posts, 1:1 chats, retries (R3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.adapters.teams.chats import TeamsChats
from bot.adapters.teams.connector import ConnectorError
from bot.adapters.teams.delivery import TeamsDeliverer
from bot.jobs.delivery import DeliveryFailed, RateLimited, RetryLater
from bot.messages import Notice, NoticeKind, Reply
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage, OutboxState, TargetKind

from .teams_fixtures import APP_ID, CHANNEL, ConnectorStandIn, fast_connector

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
NOTICE = Reply(Notice(NoticeKind.SLA_WARNING, "Response due in 30 minutes", "Case 0000001001"))


def row(target: str, kind: TargetKind, **extra: object) -> OutboxMessage:
    message = OutboxMessage(
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
    )
    return replace(message, **extra)  # type: ignore[arg-type]


def deliverer(store: Store, stand_in: ConnectorStandIn) -> TeamsDeliverer:
    connector = fast_connector()
    return TeamsDeliverer(store, connector, TeamsChats(store, connector, lambda: T0), APP_ID)


async def test_a_proactive_post_reaches_a_channel_bound_only_in_the_directory(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    delivered = await deliverer(teams_store, teams_connector).deliver(
        row(CHANNEL, TargetKind.CHANNEL), NOTICE
    )
    [posted] = teams_connector.posts
    assert posted.conversation_id == CHANNEL and posted.reply_to is None
    assert "Response due in 30 minutes" in posted.text
    assert delivered.platform_message_id == "act-1"


async def test_acc_9_a_private_notice_creates_the_1_1_chat_in_the_users_tenant_once(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    teams = deliverer(teams_store, teams_connector)
    message = row("aad-alice", TargetKind.PRIVATE, route={"space": "tenant-acme"})
    await teams.deliver(message, NOTICE)
    await teams.deliver(message, NOTICE)
    [created] = teams_connector.created
    assert created["tenantId"] == "tenant-acme" and created["bot"]["id"] == f"28:{APP_ID}"
    assert [p.conversation_id for p in teams_connector.posts] == ["a:1on1-aad-alice"] * 2


async def test_r3_gateway_errors_are_retried_in_the_call_and_the_post_goes_out_once(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    teams_connector.failures = [412, 502, 504]
    await deliverer(teams_store, teams_connector).deliver(row(CHANNEL, TargetKind.CHANNEL), NOTICE)
    assert teams_connector.calls == 4 and len(teams_connector.posts) == 1


async def test_r4_a_429_goes_back_to_the_outbox_at_once_for_the_shared_budget(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    # Not retried inside the call: the worker's RateLimited handling holds the conversation
    # back for Retry-After in the budget every replica reads (R4).
    teams_connector.failures = [429]
    teams_connector.retry_after = "3"
    with pytest.raises(RateLimited) as raised:
        await deliverer(teams_store, teams_connector).deliver(
            row(CHANNEL, TargetKind.CHANNEL), NOTICE
        )
    assert raised.value.after_seconds == 3
    assert teams_connector.calls == 1 and teams_connector.posts == []


async def test_r3_a_reply_within_the_turn_still_rides_out_a_short_429(
    teams_connector: ConnectorStandIn,
):
    # The client the adapter answers a user with keeps its in-call retries (no outbox there).
    connector = fast_connector()
    teams_connector.failures = [429, 502]
    teams_connector.retry_after = "0"
    posted = await connector.post_activity(teams_connector.url, CHANNEL, {"type": "message"})
    await connector.close()
    assert posted is not None and teams_connector.calls == 3


async def test_r3_persistent_throttling_becomes_retry_later_with_retry_after(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    teams_connector.failures = [429] * 10
    teams_connector.retry_after = "120"  # longer than the connector waits in-process
    with pytest.raises(RetryLater) as raised:
        await deliverer(teams_store, teams_connector).deliver(
            row(CHANNEL, TargetKind.CHANNEL), NOTICE
        )
    assert raised.value.after_seconds == 120
    assert teams_connector.posts == []


async def test_a_channel_nobody_knows_is_a_permanent_failure(
    teams_store: Store, teams_connector: ConnectorStandIn
):
    with pytest.raises(DeliveryFailed):
        await deliverer(teams_store, teams_connector).deliver(
            row("19:unknown@thread.tacv2", TargetKind.CHANNEL), NOTICE
        )


async def test_r1_the_connector_never_calls_a_host_outside_the_allow_list(
    teams_connector: ConnectorStandIn,
):
    connector = fast_connector()
    with pytest.raises(ConnectorError) as raised:
        await connector.post_activity("https://evil.example/", "c", {"type": "message"})
    await connector.close()
    assert raised.value.status == 403 and teams_connector.calls == 0
