"""Where to post in Teams: stored conversation references and 1:1 chats created on demand.

Teams has no ephemeral messages, so private replies (ACC-9) and private notices go to the
user's 1:1 chat with the bot. Its reference is stored when the app is installed or the chat
starts (`teams:user:{aad object id}`); when none is stored yet, the chat is created through
the connector, which Teams allows for users of a tenant where the app is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.adapters.teams_activity import CONVERSATION_KEY, PERSONAL, USER_KEY
from bot.adapters.teams_connector import Connector, ConnectorError
from bot.store.interface import JsonValue, Store


@dataclass(frozen=True, slots=True)
class Place:
    """A conversation to post into: the connector endpoint and the conversation id."""

    service_url: str
    conversation_id: str


class TeamsChats:
    """Finds (or creates) the conversation for a user's 1:1 chat or a channel."""

    def __init__(self, store: Store, connector: Connector, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._connector = connector
        self._clock = clock

    async def save(self, key: str, reference: Mapping[str, JsonValue]) -> None:
        """Store a conversation reference under `key` (one small transaction)."""
        async with self._store.unit_of_work() as uow:
            await uow.conversations.save(key, reference, self._clock())
            await uow.commit()

    async def stored(self, key: str) -> Place | None:
        """The stored reference under `key` as a place to post, if any."""
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(key)
        return _place(found) if found is not None else None

    async def channel(self, channel_id: str) -> Place | None:
        """A channel's stored reference (from installation or conversation updates)."""
        return await self.stored(CONVERSATION_KEY.format(channel_id))

    async def personal(
        self,
        user_id: str,
        tenant: str | None,
        service_url: str | None,
        bot: Mapping[str, Any],
        member_id: str | None = None,
    ) -> Place:
        """The user's 1:1 chat with the bot, created (and stored) when none is known yet."""
        known = await self.stored(USER_KEY.format(user_id))
        if known is not None:
            return known
        if not service_url:
            raise ConnectorError(404, f"no 1:1 chat is known for Teams user {user_id}")
        parameters: dict[str, Any] = {
            "isGroup": False,
            "bot": dict(bot),
            "members": [{"id": member_id or user_id}],
        }
        if tenant:
            parameters |= {"tenantId": tenant, "channelData": {"tenant": {"id": tenant}}}
        created = await self._connector.create_conversation(service_url, parameters)
        place = Place(service_url, created["id"])
        conversation: dict[str, JsonValue] = {
            "id": place.conversation_id,
            "conversationType": PERSONAL,
        }
        if tenant:
            conversation["tenantId"] = tenant
        reference: dict[str, JsonValue] = {
            "bot": {k: v for k, v in bot.items() if isinstance(v, str)},
            "user": {"id": member_id or user_id, "aadObjectId": user_id},
            "conversation": conversation,
            "channelId": "msteams",
            "serviceUrl": service_url,
        }
        await self.save(USER_KEY.format(user_id), reference)
        return place


def _place(reference: Mapping[str, Any]) -> Place | None:
    service_url = reference.get("serviceUrl")
    conversation = reference.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, Mapping) else None
    if isinstance(service_url, str) and isinstance(conversation_id, str):
        return Place(service_url, conversation_id)
    return None
