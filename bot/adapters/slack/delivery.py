"""Posting to Slack: answers to requests (ACC-9 visibility) and outbox posts (R3).

Outbound calls go through `slack_sdk`'s AsyncWebClient with its rate-limit, server-error and
connection retry handlers; what still fails after them becomes RetryLater or DeliveryFailed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.installs import SlackInstalls
from bot.adapters.slack.sessions import SharedSession, SharedSessionWebClient
from bot.cards.slack import render_messages
from bot.jobs.delivery import Delivered, DeliveryFailed, RateLimited, RetryLater
from bot.messages import Audience, CaseView, Outcome, Reply
from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage, TargetKind

log = logging.getLogger(__name__)

# Errors that no retry can fix: the post is dead-lettered (R3).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "not_authed",
        "user_not_found",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
    }
)
RATE_LIMIT_RETRIES = 2
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


def retry_handlers() -> list[Any]:
    """The sdk's own retries: 429 after `Retry-After`, 500/503 and dropped connections."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
    ]


def web_client(token: str, base_url: str, shared: SharedSession | None = None) -> AsyncWebClient:
    """The Web API client every Slack call of the bot goes through: over `shared` when given
    (the adapter's, kept open), else over a session of slack_sdk's own per call."""
    return _client(token, base_url, retry_handlers(), shared)


def outbox_client(token: str, base_url: str, shared: SharedSession | None = None) -> AsyncWebClient:
    """The client for outbox posts: no 429 retries inside the call (R3, R4).

    A 429 goes back to the outbox worker as `RateLimited`, which holds the channel back for
    every replica through the shared budget; sleeping on it inside one call would not.
    """
    handlers = [
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
    ]
    return _client(token, base_url, handlers, shared)


def _client(
    token: str, base_url: str, handlers: list[Any], shared: SharedSession | None
) -> AsyncWebClient:
    if shared is None:
        return AsyncWebClient(token=token, base_url=base_url, retry_handlers=handlers)
    return SharedSessionWebClient(shared, token=token, base_url=base_url, retry_handlers=handlers)


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an answer to one request goes."""

    user_id: str
    channel_id: str | None = None  # None: App Home, answer in a DM
    response_url: str | None = None  # slash commands and interactions
    is_direct: bool = False  # a DM with the bot
    thread_ts: str | None = None


# CONV-1: (case number, route, root ts) of a case card the bot posted where the case lives.
RecordRoot = Callable[[int, str, str], Awaitable[None]]


class SlackPoster:
    """Posts a reply where ACC-9 says it goes; posts nothing for a duplicate (R2)."""

    def __init__(self, client: AsyncWebClient, record_root: RecordRoot | None = None) -> None:
        self.client = client
        self.record_root = record_root

    async def post(self, reply: Reply, to: Destination) -> None:
        """Post the reply body and its follow-ups in order."""
        if reply.outcome is Outcome.DUPLICATE:
            return
        public = reply.audience is Audience.CHANNEL
        card = reply.body if isinstance(reply.body, CaseView) else None
        for payload in render_messages(reply):
            if card is not None and to.channel_id is not None and (public or to.is_direct):
                # CONV-1: a case card in its channel or DM is posted (not answered through
                # response_url) so its ts is known: it starts the case's customer thread.
                posted = await self.client.chat_postMessage(
                    channel=to.channel_id, thread_ts=to.thread_ts, **payload
                )
                await self._root(card, to, posted.get("ts"))
                card = None
            elif to.response_url is not None:
                await self._respond(to.response_url, payload, public)
            elif to.channel_id is None:
                ts = await self.direct(to.user_id, payload)
                if card is not None:
                    await self._root(card, replace(to, is_direct=True), ts)
                    card = None
            elif public or to.is_direct:
                await self.client.chat_postMessage(
                    channel=to.channel_id, thread_ts=to.thread_ts, **payload
                )
            else:
                await self.client.chat_postEphemeral(
                    channel=to.channel_id, user=to.user_id, thread_ts=to.thread_ts, **payload
                )

    async def _root(self, card: CaseView, to: Destination, ts: object) -> None:
        if self.record_root is None or not isinstance(ts, str):
            return
        # A card answering a mention sits in the mention's thread: replies go there. Private
        # posts are delivered to the user id, so a DM's route is the user (bot.conversation).
        route = to.user_id if to.is_direct else (to.channel_id or to.user_id)
        await self.record_root(card.case.number, route, to.thread_ts or ts)

    async def direct(
        self, user_id: str, payload: dict[str, Any], thread_ts: str | None = None
    ) -> str | None:
        """Post in the bot's DM with the user (in the thread under `thread_ts`); the message ts."""
        opened = await self.client.conversations_open(users=user_id)
        channel = opened["channel"]["id"]
        posted = await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)
        ts = posted.get("ts")
        return ts if isinstance(ts, str) else None

    async def _respond(self, url: str, payload: dict[str, Any], public: bool) -> None:
        client = self.client
        session = client.shared.current() if isinstance(client, SharedSessionWebClient) else None
        hook = AsyncWebhookClient(url, session=session, retry_handlers=retry_handlers())
        body = {
            **payload,
            "response_type": "in_channel" if public else "ephemeral",
            "replace_original": False,
        }
        response = await hook.send_dict(body)
        if response.status_code >= 400:
            log.warning("response_url answered %s", response.status_code)


class SlackDeliverer:
    """`bot.jobs.delivery.Deliverer` for Slack: channel posts and DMs from the outbox."""

    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient, installs: SlackInstalls | None = None) -> None:
        self.poster = SlackPoster(client)
        self.installs = installs

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        """Post `reply` to `message.target`; raise RetryLater or DeliveryFailed on failure."""
        refusal = await self.installs.refusal(message) if self.installs else None
        if refusal is not None:
            raise DeliveryFailed(refusal)  # not attempted; the removal was logged once
        first: str | None = None
        # CONV-1: a post about a case goes into its thread once the thread's root is known;
        # without a root it is posted top-level and its ts becomes the root (the store's job).
        route = message.thread
        root = route.root if route is not None else None
        broadcast = route is not None and route.also_in_channel and root is not None
        try:
            for payload in render_messages(reply):
                if message.target_kind is TargetKind.PRIVATE:
                    ts = await self.poster.direct(message.target, payload, root)
                else:
                    # Breach notices and incident cards are also shown in the channel.
                    posted = await self.poster.client.chat_postMessage(
                        channel=message.target,
                        thread_ts=root,
                        reply_broadcast=True if broadcast else None,
                        **payload,
                    )
                    found = posted.get("ts")
                    ts = found if isinstance(found, str) else None
                first = first or ts
        except SlackApiError as err:
            raise _classify(err) from err
        except (TimeoutError, aiohttp.ClientError) as err:
            raise RetryLater(f"Slack unreachable: {type(err).__name__}") from err
        return Delivered(first)


def _classify(err: SlackApiError) -> RetryLater | DeliveryFailed:
    # 429 is back-pressure (RateLimited: never a dead letter); 5xx counts against the budget.
    response = err.response
    status = response.status_code
    error = str(response.get("error", "")) if isinstance(response.data, dict) else ""
    if status == 429:
        return RateLimited("rate limited (429)", _retry_after(response.headers))
    if status >= 500:
        return RetryLater(f"Slack answered {status}")
    if error in PERMANENT_ERRORS:
        return DeliveryFailed(error)
    if error == "ratelimited":
        return RateLimited(error, _retry_after(response.headers))
    if error in ("service_unavailable", "fatal_error", "internal_error"):
        return RetryLater(error)
    # Anything else is a request Slack will keep refusing: retrying would only repeat it.
    return DeliveryFailed(error or f"HTTP {status}")


def _retry_after(headers: Any) -> float | None:
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None
