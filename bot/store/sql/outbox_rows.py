"""Outbox rows as records."""

from __future__ import annotations

from sqlalchemy import RowMapping

from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage, OutboxState, TargetKind
from bot.store.sql.threads import route_of


def message_of(row: RowMapping) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        dedup_key=row["dedup_key"],
        platform=Platform(row["platform"]),
        target=row["target"],
        target_kind=TargetKind(row["target_kind"]),
        payload=dict(row["payload"]),
        state=OutboxState(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        route=dict(row["route"] or {}),
        leased_until=row["leased_until"],
        lease_owner=row["lease_owner"],
        last_error=row["last_error"],
        platform_message_id=row["platform_message_id"],
        sent_at=row["sent_at"],
        failing_since=row["failing_since"],
        thread=route_of(row),
    )
