"""Incidents (INC-2..INC-6) and service notices (NOT-1): what is announced to many accounts at
once, rather than said about one case.

`ChannelRef` names an incident's bridge channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model import Platform


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel on a platform, e.g. an incident bridge."""

    platform: Platform
    channel_id: str


@dataclass(frozen=True, slots=True)
class IncidentStatus:
    """One status an incident commander posted (INC-3)."""

    text: str
    next_steps: str | None
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Incident:
    """A declared incident (INC-2..INC-6) with its status history, oldest first."""

    id: int
    severity: str
    summary: str
    account_ids: tuple[str, ...]
    services: str | None
    bridges: tuple[ChannelRef, ...]
    case_number: int | None
    commander: str
    declared_at: datetime
    restored_at: datetime | None = None
    restoration_text: str | None = None
    agents_affected: int | None = None  # INC-6
    all_clear_at: datetime | None = None
    all_clear_text: str | None = None
    rca_at: datetime | None = None
    rca_text: str | None = None
    statuses: tuple[IncidentStatus, ...] = ()

    @property
    def is_open(self) -> bool:
        """INC-4: the 30-minute posts run until the all-clear."""
        return self.all_clear_at is None


class IncidentRepository(Protocol):
    """Incidents, their statuses and the INC-3 slot posts."""

    async def declare(
        self,
        severity: str,
        summary: str,
        account_ids: Sequence[str],
        services: str | None,
        bridges: Sequence[ChannelRef],
        case_number: int | None,
        commander: str,
        at: datetime,
    ) -> Incident: ...
    async def get(self, incident_id: int) -> Incident | None: ...
    async def add_status(
        self, incident_id: int, text: str, next_steps: str | None, by: str, at: datetime
    ) -> None: ...
    async def restore(
        self, incident_id: int, text: str | None, agents_affected: int | None, at: datetime
    ) -> Incident: ...
    async def all_clear(self, incident_id: int, instructions: str, at: datetime) -> Incident: ...
    async def rca(self, incident_id: int, text: str, at: datetime) -> Incident: ...
    async def open_incidents(self) -> list[Incident]: ...
    async def for_account(self, account_id: str, start: datetime, end: datetime) -> list[Incident]:
        """Incidents affecting the account declared before `end` and not restored before `start`."""
        ...

    async def claim_slot(self, incident_id: int, slot: int, at: datetime) -> bool:
        """INC-3: record that 30-minute post `slot` was made; False if it already was."""
        ...


@dataclass(frozen=True, slots=True)
class ServiceNotice:
    """A maintenance notice or advisory (NOT-1); `reference` is unique and never reused."""

    reference: int
    kind: str  # "maintenance" | "emergency" | "advisory"
    account_ids: tuple[str, ...]  # empty means all accounts
    text: str
    posted_by: str
    posted_at: datetime
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    impact: str | None = None


class NoticeRepository(Protocol):
    """NOT-1 maintenance notices and advisories."""

    async def add(
        self,
        kind: str,
        account_ids: Sequence[str],
        text: str,
        posted_by: str,
        posted_at: datetime,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        impact: str | None = None,
    ) -> ServiceNotice: ...
    async def get(self, reference: int) -> ServiceNotice | None: ...
    async def for_account(self, account_id: str, since: datetime) -> list[ServiceNotice]:
        """Notices to the account (or to all) posted at or after `since`, newest first."""
        ...
