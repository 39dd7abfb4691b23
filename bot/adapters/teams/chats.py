"""Where to post in Teams: stored conversation references and 1:1 chats created on demand.

Teams has no ephemeral messages, so private replies (ACC-9) and private notices go to the
user's 1:1 chat with the bot. Its reference is stored whenever the user writes to the bot in
that chat, and when the app is installed (`teams:user:{aad object id}`); the tenant's latest
service URL is kept too (`teams:tenant:{tenant id}`). When no 1:1 chat is known, it is created
through the connector (`POST /v3/conversations` with the tenant id and the user's id), which
Teams allows for users of a tenant where the app is installed.

References are written only from authenticated activities. Emulator mode keeps its own under
`teams-emulator:` keys, which a production process never reads, so unauthenticated activities
can never re-point where a real user's private notices go.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.adapters.teams.activity import PERSONAL
from bot.adapters.teams.connector import Connector, ConnectorError
from bot.store.interface import Store
from bot.store.interface.json_values import JsonValue

log = logging.getLogger(__name__)

PRODUCTION = "teams"
EMULATOR = "teams-emulator"
MAX_REMEMBERED = 10_000
RETIRED = "retired"  # a stored reference replaced by this marker: the bot was removed there


@dataclass(frozen=True, slots=True)
class Place:
    """A conversation to post into: the connector endpoint and the conversation id."""

    service_url: str
    conversation_id: str
    bot_id: str | None = None  # the id the conversation knows the bot by (its stored reference)


class TeamsChats:
    """Finds (or creates) the conversation for a user's 1:1 chat or a channel."""

    def __init__(
        self,
        store: Store,
        connector: Connector,
        clock: Callable[[], datetime],
        *,
        namespace: str = PRODUCTION,
        first_contact_url: str | None = None,
    ) -> None:
        self._store = store
        self._connector = connector
        self._clock = clock
        self.namespace = namespace
        # The cloud's well-known endpoint, for users and tenants never heard from (R1-allowed).
        self._first_contact_url = first_contact_url
        self._saved: dict[str, str] = {}  # what this process last wrote under each key
        # The bot's own account as clients address it (an activity's recipient): the sender of
        # posts the bot starts when no app id is configured (emulator mode).
        self.bot_account: dict[str, str] | None = None

    def user_key(self, user_id: str) -> str:
        return f"{self.namespace}:user:{user_id}"

    def conversation_key(self, channel_id: str) -> str:
        return f"{self.namespace}:conversation:{channel_id}"

    def tenant_key(self, tenant: str) -> str:
        return f"{self.namespace}:tenant:{tenant}"

    async def save(self, key: str, reference: Mapping[str, JsonValue]) -> None:
        """Store a conversation reference under `key`, unless this process just wrote the same."""
        text = json.dumps(reference, sort_keys=True)
        if self._saved.get(key) == text:
            return  # a user writing ten messages costs one write, not ten
        async with self._store.unit_of_work() as uow:
            await uow.conversations.save(key, reference, self._clock())
            await uow.commit()
        if len(self._saved) >= MAX_REMEMBERED:
            self._saved.clear()
        self._saved[key] = text

    async def remember_user(self, user_id: str, reference: Mapping[str, JsonValue]) -> None:
        """The user's 1:1 chat, from an authenticated activity in it."""
        if user_id:
            await self.save(self.user_key(user_id), reference)

    async def remember_channel(self, channel_id: str, reference: Mapping[str, JsonValue]) -> None:
        """A channel's reference, from an authenticated installation or conversation update."""
        if channel_id:
            await self.save(self.conversation_key(channel_id), reference)

    async def remember_tenant(self, tenant: str, service_url: str) -> None:
        """The service URL Teams last used for a tenant: where its users' chats can be created."""
        if tenant and service_url:
            await self.save(self.tenant_key(tenant), {"serviceUrl": service_url})

    async def stored(self, key: str) -> Place | None:
        """The stored reference under `key` as a place to post, if any (none once retired)."""
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(key)
        return _place(found) if found is not None and RETIRED not in found else None

    async def retire(self, key: str) -> bool:
        """Mark `key` as removed (an uninstall): later posts are not attempted. False if it was."""
        if await self.retired(key):
            return False
        await self.save(key, {RETIRED: self._clock().isoformat()})
        return True

    async def retired(self, key: str) -> bool:
        """Whether the bot was removed from the conversation under `key` (and not added since)."""
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(key)
        return found is not None and RETIRED in found

    async def first_welcome(self, conversation_id: str) -> bool:
        """True once per installation of the bot in a conversation (Teams announces it twice)."""
        key = f"{self.namespace}:welcomed:{conversation_id}"
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(key)
        if found is not None and RETIRED not in found:
            return False
        await self.save(key, {"welcomed": self._clock().isoformat()})
        return True

    async def forget_welcome(self, conversation_id: str) -> None:
        """After a removal, a new installation is welcomed again."""
        await self.save(f"{self.namespace}:welcomed:{conversation_id}", {RETIRED: True})

    async def channel(self, channel_id: str) -> Place | None:
        """A channel's stored reference (from installation or conversation updates)."""
        return await self.stored(self.conversation_key(channel_id))

    async def known_personal(self, user_id: str) -> Place | None:
        """The user's stored 1:1 chat, if any."""
        return await self.stored(self.user_key(user_id))

    async def tenant_service_url(self, tenant: str | None) -> str | None:
        """The service URL of the tenant's latest authenticated activity, if any."""
        if not tenant:
            return None
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(self.tenant_key(tenant))
        url = found.get("serviceUrl") if found is not None else None
        return url if isinstance(url, str) else None

    async def personal(
        self,
        user_id: str,
        tenant: str | None,
        service_url: str | None,
        bot: Mapping[str, Any],
        member_id: str | None = None,
    ) -> Place:
        """The user's 1:1 chat with the bot, created (and stored) when none is known yet."""
        known = await self.known_personal(user_id)
        if known is not None:
            return known
        return await self.create_personal(user_id, tenant, service_url, bot, member_id)

    async def create_personal(
        self,
        user_id: str,
        tenant: str | None,
        service_url: str | None,
        bot: Mapping[str, Any],
        member_id: str | None = None,
    ) -> Place:
        """Create the 1:1 chat through the connector (POST /v3/conversations) and store it."""
        url = service_url or await self.tenant_service_url(tenant) or self._first_contact_url
        if not url:
            raise ConnectorError(
                404,
                f"no 1:1 chat is known for Teams user {user_id} and no service URL for tenant "
                f"{tenant or '(none)'} (the user never wrote to the bot, and no Teams channel of "
                "the tenant is bound in the directory)",
            )
        return await self._create(user_id, tenant, url, bot, member_id)

    async def _create(
        self,
        user_id: str,
        tenant: str | None,
        service_url: str,
        bot: Mapping[str, Any],
        member_id: str | None,
    ) -> Place:
        member: dict[str, Any] = {"id": member_id or user_id}
        if not user_id.startswith("29:"):
            member["aadObjectId"] = user_id  # Teams accepts the AAD object id as the member
        parameters: dict[str, Any] = {"isGroup": False, "bot": dict(bot), "members": [member]}
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
        await self.save(self.user_key(user_id), reference)
        log.info("created the Teams 1:1 chat of user %s in tenant %s", user_id, tenant)
        return place


def _place(reference: Mapping[str, Any]) -> Place | None:
    service_url = reference.get("serviceUrl")
    conversation = reference.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, Mapping) else None
    bot = reference.get("bot")
    bot_id = bot.get("id") if isinstance(bot, Mapping) else None
    if isinstance(service_url, str) and isinstance(conversation_id, str):
        return Place(service_url, conversation_id, bot_id if isinstance(bot_id, str) else None)
    return None
