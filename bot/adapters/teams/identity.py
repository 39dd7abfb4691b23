"""ACC-7 for Teams: who sent an activity, from verified identifiers only, with a lookup cache.

First the directory's Teams identity (tenant + AAD object id); otherwise the member lookup
through the connector, whose e-mail (or userPrincipalName) Teams itself vouches for, then the
directory by e-mail, as far as the member's home tenant vouches for it (CONV-6, see
`bot.commands.identity`): the member's own `tenantId` (a shared channel's external member
has their home tenant there), else the activity's tenant. Display names are never used.
Lookups are cached for `ttl`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.adapters.teams.connector import Connector, ConnectorError
from bot.commands import identity
from bot.messages import Actor
from bot.model import Platform
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
    """Maps Teams senders to directory people (ACC-7), caching connector lookups."""

    def __init__(
        self,
        connector: Connector,
        clock: Callable[[], datetime],
        ttl: timedelta = DEFAULT_TTL,
        staff_tenants: frozenset[str] = frozenset(),
    ) -> None:
        self._connector = connector
        self._clock = clock
        self._ttl = ttl
        self._staff_tenants = frozenset(t.lower() for t in staff_tenants)
        self._emails: dict[tuple[str, str], tuple[str | None, datetime]] = {}
        self._homes: dict[tuple[str, str], str] = {}

    async def actor(self, store: Store, asker: Asker) -> Actor:
        """The staff member or contact behind `asker`; unmapped (no grants) when unknown."""
        if asker.tenant and asker.user_id:
            listed = await identity.by_teams(await store.directory(), asker.tenant, asker.user_id)
            if listed is not None:
                return listed
        # The lookup runs outside any transaction: no connection is held during the HTTP call.
        email = await self.email(asker)
        home = self._homes.get((asker.tenant, asker.user_id)) or asker.tenant
        return await identity.by_profile_email(
            await store.directory(),
            Platform.TEAMS,
            asker.user_id,
            email,
            frozenset({home.lower()}) if home else frozenset(),
            self._staff_tenants,
        )

    async def email(self, asker: Asker) -> str | None:
        """The sender's corporate e-mail from the connector's member lookup, cached."""
        key = (asker.tenant, asker.user_id)
        now = self._clock()
        cached = self._emails.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        if not asker.service_url or not asker.account_id:
            return None
        try:
            member = await self._connector.member(
                asker.service_url, asker.conversation_id, asker.account_id
            )
        except ConnectorError as error:
            # Not cached: the next message tries again. Until then the user has no grants.
            log.warning("Teams member lookup failed: %s", error)
            return None
        found = member.get("email") or member.get("userPrincipalName")
        email = found.strip().lower() if isinstance(found, str) and "@" in found else None
        if len(self._emails) >= MAX_ENTRIES:
            self._emails.clear()  # a crude bound; lookups are cheap to redo
            self._homes.clear()
        self._emails[key] = (email, now + self._ttl)
        tenant = member.get("tenantId")
        self._homes.pop(key, None)
        if isinstance(tenant, str) and tenant:
            self._homes[key] = tenant
        return email
