"""Outbox posts through SlackDeliverer: DMs, rate limits (Retry-After), 5xx and dead letters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.delivery import SlackDeliverer, web_client
from bot.jobs.delivery import Delivered, DeliveryFailed, RetryLater
from bot.messages import Audience, Notice, NoticeKind, Reply
from bot.model import Platform
from bot.standins.slack_api import SlackStandIn
from bot.store.interface.outbox import OutboxMessage, OutboxState, TargetKind

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
REPLY = Reply(Notice(NoticeKind.NEW_CASE, "New case 0000001001: <!channel> down"), Audience.CHANNEL)


def _outbox(target: str, kind: TargetKind = TargetKind.CHANNEL) -> OutboxMessage:
    return OutboxMessage(
        id=1,
        dedup_key="new:1001:slack:" + target,
        platform=Platform.SLACK,
        target=target,
        target_kind=kind,
        payload={},
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=NOW,
        created_at=NOW,
    )


@pytest.fixture
async def api() -> AsyncIterator[SlackStandIn]:
    stand_in = SlackStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.close()


def _bare(api: SlackStandIn) -> SlackDeliverer:
    """A deliverer whose client does not retry, so each failure maps straight through."""
    return SlackDeliverer(
        AsyncWebClient(token="xoxb-test", base_url=api.base_url, retry_handlers=[])
    )


async def test_r3_a_channel_post_is_delivered_with_its_ts(api: SlackStandIn) -> None:
    delivered = await SlackDeliverer(web_client("xoxb-test", api.base_url)).deliver(
        _outbox("CQUEUE"), REPLY
    )
    posts = api.calls_to("chat.postMessage")
    assert delivered == Delivered("1700000000.000001")
    assert posts[0].body["channel"] == "CQUEUE"
    assert "&lt;!channel&gt;" in posts[0].body["text"]


async def test_acc_9_a_private_post_goes_to_a_dm_opened_with_the_user(api: SlackStandIn) -> None:
    delivered = await _bare(api).deliver(_outbox("UALICE", TargetKind.PRIVATE), REPLY)
    assert [c.method for c in api.calls] == ["conversations.open", "chat.postMessage"]
    assert api.calls[0].body["users"] == "UALICE"
    assert api.calls[1].body["channel"] == "D-UALICE"
    assert delivered.platform_message_id is not None


async def test_p6_a_429_with_retry_after_2_delays_the_next_attempt_and_delivers(
    api: SlackStandIn,
) -> None:
    api.fail_next(1, 429, retry_after=2)
    delivered = await SlackDeliverer(web_client("xoxb-test", api.base_url)).deliver(
        _outbox("CQUEUE"), REPLY
    )
    first, second = api.calls_to("chat.postMessage")
    assert first.status == 429
    assert second.status == 200
    assert second.at - first.at >= 2.0
    assert delivered.platform_message_id is not None


async def test_p6_a_429_left_after_the_sdk_retries_is_retry_later_with_its_delay(
    api: SlackStandIn,
) -> None:
    api.fail_next(1, 429, retry_after=7)
    with pytest.raises(RetryLater) as raised:
        await _bare(api).deliver(_outbox("CQUEUE"), REPLY)
    assert raised.value.after_seconds == 7.0


async def test_r3_a_server_error_is_retry_later(api: SlackStandIn) -> None:
    api.fail_next(1, 500)
    with pytest.raises(RetryLater):
        await _bare(api).deliver(_outbox("CQUEUE"), REPLY)


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "invalid_auth", "account_inactive"]
)
async def test_r3_a_permanent_error_is_delivery_failed(api: SlackStandIn, error: str) -> None:
    api.fail_next(1, 200, error=error)
    with pytest.raises(DeliveryFailed, match=error):
        await _bare(api).deliver(_outbox("CGONE"), REPLY)


async def test_r3_an_unreachable_slack_is_retry_later() -> None:
    deliverer = SlackDeliverer(
        AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    )
    with pytest.raises(RetryLater):
        await deliverer.deliver(_outbox("CQUEUE"), REPLY)
