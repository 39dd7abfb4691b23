"""R7: the audit trail, written in the unit of work of the change it records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model import Platform
from bot.store.interface.json_values import JsonObject, JsonValue


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """R7: who did what, where, on which case."""

    id: int
    actor: str
    platform: Platform | None
    action: str
    case_number: int | None
    detail: JsonObject
    at: datetime


class AuditRepository(Protocol):
    """R7: the audit trail."""

    async def add(
        self,
        actor: str,
        platform: Platform | None,
        action: str,
        case_number: int | None,
        detail: Mapping[str, JsonValue],
        at: datetime,
    ) -> None: ...
    async def entries(
        self, case_number: int | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Entries oldest first; only the case's when given; `limit` keeps the newest."""
        ...
