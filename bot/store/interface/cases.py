"""Cases and what hangs off one case: its events (CASE-1..CASE-8), escalation requests
(ESC-1..ESC-10) and survey answers (CASE-8).

Everything here is keyed by a case number and kept as long as the case. `CaseState` (which
cases a list returns) and `CaseCounts` (report figures) are what the case lists take and give.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.model import Case, CaseEvent


class CaseState(StrEnum):
    """Which cases a list returns."""

    OPEN = "open"  # every status but Closed
    CLOSED = "closed"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """Report figures for one account over [start, end) (NOT-2)."""

    opened: int
    closed: int
    open_at_end: int


class CaseRepository(Protocol):
    """Cases and their event history (CASE-1..CASE-8)."""

    async def next_number(self) -> int:
        """CASE-5: a fresh number, unique across the deployment and never reused (from 1001)."""
        ...

    async def add(self, case: Case) -> None:
        """Insert a case (its number from `next_number`) together with `case.events`."""
        ...

    async def get(self, number: int) -> Case | None:
        """The case with all its events, oldest first; to read, not to change (see R9 below)."""
        ...

    async def get_for_change(self, number: int) -> Case | None:
        """R9: the case as `get`, locked against other changes until the unit of work ends.

        A concurrent change of the same case waits for this one and then reads its result, so no
        update, alert or field is lost. `update` and `add_event` accept only cases read this way
        (or added) in the same unit of work.
        """
        ...

    async def get_many(self, numbers: Collection[int]) -> dict[int, Case]:
        """The cases among `numbers` that exist, by number, each with all its events (P3)."""
        ...

    async def get_many_for_change(self, numbers: Collection[int]) -> dict[int, Case]:
        """R9 for sweeps: as `get_many`, locked; cases being changed right now are left out."""
        ...

    async def update(self, case: Case) -> None:
        """Write the case's fields (not its events); raises CaseNotFound, StoreError if unlocked."""
        ...

    async def add_event(self, number: int, event: CaseEvent) -> int:
        """Append an event to a case read for change; its id, never reused (R9 notice keys)."""
        ...

    async def for_account(
        self, account_id: str, state: CaseState = CaseState.OPEN, limit: int | None = None
    ) -> list[Case]:
        """The account's cases, most recently updated first, without events."""
        ...

    async def opened_by(
        self,
        email: str,
        state: CaseState = CaseState.OPEN,
        limit: int | None = None,
        account_id: str | None = None,
    ) -> list[Case]:
        """Cases the contact opened (on one account if given), newest update first, no events."""
        ...

    async def count(
        self, account_id: str, state: CaseState = CaseState.OPEN, opened_by: str | None = None
    ) -> int:
        """How many of the account's cases (opened by `opened_by` if given) are in `state`."""
        ...

    async def page(
        self,
        account_id: str,
        state: CaseState = CaseState.OPEN,
        opened_by: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> tuple[list[Case], int]:
        """A page of the account's cases (opened by `opened_by` if given), newest update first,
        with their events, and the total: two statements whatever the number of cases."""
        ...

    async def with_due_timer(self, kind: str, until: datetime, limit: int) -> list[Case]:
        """Open cases whose `kind` timer (subject: the case number) is due by `until`, the
        earliest `limit` timers, with their events; reads without locking the timers."""
        ...

    async def open_for_accounts(self, account_ids: Sequence[str]) -> list[Case]:
        """Open cases of several accounts, most recently updated first, without events."""
        ...

    async def closed_between(self, account_id: str, start: datetime, end: datetime) -> list[Case]:
        """Cases closed in [start, end), with events (SLA-6 attainment)."""
        ...

    async def counts(self, account_id: str, start: datetime, end: datetime) -> CaseCounts: ...


class EscalationState(StrEnum):
    """ESC-9: a request is open while waiting, and once accepted until its case closes."""

    WAITING = "waiting"  # no decision yet; at most one per case (a unique index)
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CLOSED = "closed"  # the case closed while the request was still waiting


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation request (ESC-1..ESC-10) and, once decided, the staff decision."""

    id: int
    case_number: int
    requested_by: str
    reason: str
    impact: str | None
    rca: bool
    requested_at: datetime
    state: EscalationState = EscalationState.WAITING
    decided_by: str | None = None
    decision_text: str | None = None
    decided_at: datetime | None = None


class EscalationRepository(Protocol):
    """Escalation requests (ESC-9: at most one waiting per case)."""

    async def open_for(self, case_number: int) -> Escalation | None: ...
    async def add(
        self,
        case_number: int,
        requested_by: str,
        reason: str,
        impact: str | None,
        rca: bool,
        at: datetime,
    ) -> Escalation: ...
    async def decide(
        self, escalation_id: int, state: EscalationState, by: str, text: str, at: datetime
    ) -> Escalation: ...
    async def waiting(self) -> list[Escalation]:
        """Escalations waiting for a staff decision, oldest first (the queue)."""
        ...

    async def for_case(self, case_number: int) -> list[Escalation]: ...


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """CASE-8: a satisfaction rating (1-5) and comment."""

    case_number: int
    rating: int
    comment: str
    by: str
    at: datetime


class SurveyRepository(Protocol):
    """CASE-8 survey answers."""

    async def record(
        self, case_number: int, rating: int, comment: str, by: str, at: datetime
    ) -> None: ...
    async def for_case(self, case_number: int) -> list[SurveyAnswer]: ...
