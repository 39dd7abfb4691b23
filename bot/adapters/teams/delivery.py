"""`TeamsDeliverer`: the outbox worker's way to post to Teams channels and 1:1 chats.

Channel posts go to the binding's service URL and channel id: posting to a channel's
conversation id starts a new thread, so a channel known only from the directory needs no prior
message. Private posts go to the user's 1:1 chat (stored, or created in their tenant).

A Teams route (of an outbox row or a channel binding) names the connector endpoint
(`service_url`) and the tenant (`space`); nothing outside this package reads it.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.adapters.teams import activity as convert
from bot.adapters.teams.chats import Place, TeamsChats
from bot.adapters.teams.connector import Connector, ConnectorError
from bot.cards.teams import render_cards
from bot.jobs.delivery import Delivered, DeliveryFailed, RateLimited, RetryLater
from bot.messages import Reply
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage, TargetKind

log = logging.getLogger(__name__)

SERVICE_URL = "service_url"  # route key: the connector endpoint for proactive posts
TENANT = "space"  # route key: the tenant, the space of a Teams identity


class TeamsDeliverer:
    """Posts outbox rows to Teams (bot.jobs.delivery.Deliverer)."""

    platform = Platform.TEAMS

    def __init__(
        self, store: Store, connector: Connector, chats: TeamsChats, app_id: str | None
    ) -> None:
        self._store = store
        # Its own client: a 429 goes straight back to the outbox worker (RateLimited), whose
        # shared budget holds the conversation back on every replica (R3, R4).
        self._connector = connector.without_throttle_retries()
        self._chats = chats
        # Teams addresses bots as "28:{app id}". Without an app id (emulator mode) the bot is
        # whoever the client addressed: the conversation's stored reference, else the last
        # activity's recipient (never a made-up id the client does not know).
        self._app_bot: dict[str, Any] | None = {"id": f"28:{app_id}"} if app_id else None

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        """Post every card of `reply` to the row's target; the first activity id."""
        key = (
            self._chats.conversation_key(message.target)
            if message.target_kind is TargetKind.CHANNEL
            else self._chats.user_key(message.target)
        )
        if await self._chats.retired(key):
            # Not attempted, and not logged again: the removal was logged once when it came.
            raise DeliveryFailed(f"the bot was removed from {message.target} in Teams")
        try:
            place = await self._place(message)
            first: str | None = None
            sender = self._sender(place)
            for card in render_cards(reply):
                for conversation_id in _conversations(message, place.conversation_id):
                    body = convert.message(card) | {"conversation": {"id": conversation_id}}
                    if sender is not None:
                        body["from"] = sender
                    posted = await self._connector.post_activity(
                        place.service_url, conversation_id, body
                    )
                    first = first or posted
        except ConnectorError as error:
            where = f"{message.target_kind.value} {message.target}"
            if error.status == 429:  # back-pressure: slows the conversation, never a dead letter
                raise RateLimited(str(error), error.retry_after) from error
            if error.temporary:
                log.info("Teams post %s to %s will be retried: %s", message.id, where, error)
                raise RetryLater(str(error), error.retry_after) from error
            log.warning("Teams post %s to %s failed: %s", message.id, where, error)
            raise DeliveryFailed(str(error)) from error
        return Delivered(first)

    async def close(self) -> None:
        await self._connector.close()

    async def _place(self, message: OutboxMessage) -> Place:
        if message.target_kind is TargetKind.CHANNEL:
            return await self._channel(message)
        known = await self._chats.known_personal(message.target)
        if known is not None:
            return known
        tenant = message.route.get(TENANT)
        service_url = (
            message.route.get(SERVICE_URL)
            or await self._chats.tenant_service_url(tenant)
            or await self._tenant_service_url(tenant)
        )
        # Without an app id and before any client wrote (emulator mode only) the bot's id is
        # unknown: the connector then goes by the token, and no id is made up.
        bot = self._sender(None) or {}
        return await self._chats.create_personal(message.target, tenant, service_url, bot)

    def _sender(self, place: Place | None) -> dict[str, Any] | None:
        if self._app_bot is not None:
            return self._app_bot
        if place is not None and place.bot_id:
            return {"id": place.bot_id}
        return dict(self._chats.bot_account) if self._chats.bot_account else None

    async def _channel(self, message: OutboxMessage) -> Place:
        if message.route.get(SERVICE_URL):
            return Place(message.route[SERVICE_URL], message.target)
        async with self._store.unit_of_work(read_only=True) as uow:
            binding = await uow.directory.channel(Platform.TEAMS, message.target)
        bound = dict(binding.route) if binding is not None else {}
        if bound.get(SERVICE_URL):
            return Place(bound[SERVICE_URL], message.target)
        stored = await self._chats.channel(message.target)
        if stored is not None:
            return Place(stored.service_url, message.target, stored.bot_id)
        raise ConnectorError(404, f"no service URL is known for Teams channel {message.target}")

    async def _tenant_service_url(self, tenant: str | None) -> str | None:
        """A tenant's connector endpoint, from any Teams channel the directory binds there."""
        if not tenant:
            return None
        async with self._store.unit_of_work(read_only=True) as uow:
            bindings = list(await uow.directory.bridge_channels())
            for account in await uow.directory.accounts():
                bindings += await uow.directory.account_channels(account.id)
        for binding in bindings:
            route = dict(binding.route)
            if binding.platform == Platform.TEAMS and route.get(TENANT) == tenant:
                return route.get(SERVICE_URL)
        return None


def _conversations(message: OutboxMessage, conversation_id: str) -> tuple[str, ...]:
    """CONV-1: where one card goes: the case's channel thread once its root is known.

    A channel thread is the conversation `{channel};messageid={root}`; a 1:1 chat has no
    threads, so private posts stay in the chat. A post without a root is posted top-level and
    its activity id becomes the root (the store records it). Breach notices and incident cards
    (`also_in_channel`) are posted top-level too, after the thread reply.
    """
    route = message.thread
    if route is None or route.root is None or message.target_kind is not TargetKind.CHANNEL:
        return (conversation_id,)
    threaded = f"{conversation_id.split(';', 1)[0]};messageid={route.root}"
    return (threaded, conversation_id) if route.also_in_channel else (threaded,)
