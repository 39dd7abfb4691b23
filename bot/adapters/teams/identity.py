"""ACC-7 and CONV-6 on Teams: who sent an activity, through the shared resolver.

Only the Teams part is here: the member lookup through the connector, whose e-mail (or
userPrincipalName) Teams itself vouches for, and the member's home tenant, as far as which the
e-mail is trusted (CONV-6, see `bot.commands.identity`): the member's own `tenantId` (a shared
channel's external member has their home tenant there), else the activity's tenant. Display
names are never used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.adapters.teams.connector import Connector, ConnectorError
from bot.commands.identity import ChatIdentities, Profile
from bot.messages import Actor
from bot.model import ChatIdentity, Platform
from bot.store.interface import Store

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=1)
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Asker:
    """The verified identifiers of an activity's sender and where to look them up."""

    tenant: str
    user_id: str  # the AAD object id when Teams sent one, else the channel account id
    account_id: str  # the channel account id ("29:...") the connector knows
    service_url: str
    conversation_id: str


class TeamsIdentities:
    """Who a Teams sender is: the shared resolver, with the member lookup as the profile."""

    def __init__(
        self,
        connector: Connector,
        clock: Callable[[], datetime],
        ttl: timedelta = DEFAULT_TTL,
        staff_tenants: frozenset[str] = frozenset(),
    ) -> None:
        self._connector = connector
        # Tenant ids are GUIDs, compared case-insensitively.
        staff_homes = frozenset(t.lower() for t in staff_tenants)
        self.identities = ChatIdentities(clock, staff_homes, ttl, MAX_ENTRIES)

    async def actor(self, store: Store, asker: Asker) -> Actor:
        """The staff member or contact behind `asker`; unmapped (no grants) when unknown."""
        chat = ChatIdentity(Platform.TEAMS.value, asker.tenant, asker.user_id)
        return await self.identities.actor(
            await store.directory(), chat, lambda: self._lookup(asker)
        )

    async def _lookup(self, asker: Asker) -> Profile | None:
        """The sender's corporate e-mail and home tenant from the connector's member lookup."""
        if not asker.service_url or not asker.account_id:
            return None
        try:
            member = await self._connector.member(
                asker.service_url, asker.conversation_id, asker.account_id
            )
        except ConnectorError as error:
            log.warning("Teams member lookup failed: %s", error)
            return None
        found = member.get("email") or member.get("userPrincipalName")
        email = found.strip().lower() if isinstance(found, str) and "@" in found else None
        tenant = member.get("tenantId")
        home = tenant if isinstance(tenant, str) and tenant else asker.tenant
        return Profile(email, frozenset({home.lower()}) if home else frozenset())
