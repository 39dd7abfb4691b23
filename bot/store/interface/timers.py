"""Due times the scheduler acts on, of every kind (P3).

A timer's kind says whose it is (SLA warnings, follow-ups, incident posts, RCA reminders), so
it is a group of its own rather than part of cases or incidents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.store.interface.json_values import JsonObject, JsonValue


@dataclass(frozen=True, slots=True)
class Timer:
    """A due time the scheduler acts on, found by index (P3); unique per (kind, subject)."""

    kind: str  # e.g. "sla_warning", "follow_up", "incident_post", "rca_reminder"
    subject: str  # e.g. the case number or incident id as text
    due_at: datetime
    payload: JsonObject


class TimerRepository(Protocol):
    """Indexed due times: the scheduler finds work by `due_at`, never by scanning cases (P3)."""

    async def set(
        self,
        kind: str,
        subject: str,
        due_at: datetime | None,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """Create or move the (kind, subject) timer; `due_at=None` removes it."""
        ...

    async def set_many(self, due: Sequence[Timer]) -> None:
        """Create or move many timers at once (P3); for a repeated (kind, subject) the last wins."""
        ...

    async def remove_many(self, kind: str, subjects: Sequence[str]) -> None:
        """Remove the `kind` timers of `subjects`; absent ones are no error."""
        ...

    async def get(self, kind: str, subject: str) -> Timer | None: ...
    async def for_subject(self, subject: str) -> list[Timer]: ...
    async def due(self, until: datetime, kind: str | None = None, limit: int = 100) -> list[Timer]:
        """Timers due at or before `until`, earliest first; on PostgreSQL locked (SKIP LOCKED)."""
        ...
