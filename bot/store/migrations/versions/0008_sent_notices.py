"""SLA-5: the memory of sent notices, kept as long as the case (housekeeping prunes the outbox).

Existing SLA notices are remembered from the outbox rows still there, under the clock cycle
(SLA-4: each reopen starts one) in which they were queued, so none is sent again after upgrade.

Revision ID: sent_notices
Revises: account_chat_homes
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "sent_notices"
down_revision: str | None = "account_chat_homes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_outbox = sa.table(
    "outbox", sa.column("dedup_key", sa.String), sa.column("created_at", sa.DateTime(True))
)
_events = sa.table(
    "case_events",
    sa.column("case_number", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("at", sa.DateTime(True)),
)
_cases = sa.table("cases", sa.column("number", sa.BigInteger))
_sent = sa.table(
    "sent_notices",
    sa.column("key", sa.String),
    sa.column("case_number", sa.BigInteger),
    sa.column("sent_at", sa.DateTime(True)),
)


def upgrade() -> None:
    op.create_table(
        "sent_notices",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_number"],
            ["cases.number"],
            name=op.f("fk_sent_notices_case_number_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sent_notices")),
    )
    op.create_index(
        op.f("ix_sent_notices_case_number"), "sent_notices", ["case_number"], unique=False
    )
    _remember_queued_notices()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _remember_queued_notices() -> None:
    """Old keys `sla:{case}:{target}:{threshold}:...` and `sla5b:{case}:{target}:...`."""
    conn = op.get_bind()
    queued = conn.execute(
        sa.select(_outbox.c.dedup_key, _outbox.c.created_at).where(
            sa.or_(_outbox.c.dedup_key.like("sla:%"), _outbox.c.dedup_key.like("sla5b:%"))
        )
    ).all()
    if not queued:
        return
    existing = set(conn.execute(sa.select(_cases.c.number)).scalars())
    reopens: dict[int, list[datetime]] = {}
    for number, at in conn.execute(
        sa.select(_events.c.case_number, _events.c.at).where(_events.c.kind == "reopened")
    ):
        reopens.setdefault(number, []).append(_utc(at))
    rows: dict[str, dict[str, object]] = {}
    for dedup_key, created_at in queued:
        parts = dedup_key.split(":")
        if len(parts) < 4 or not parts[1].isdigit() or int(parts[1]) not in existing:
            continue
        number = int(parts[1])
        cycle = sum(1 for at in reopens.get(number, []) if at <= _utc(created_at))
        if parts[0] == "sla" and len(parts) >= 5:
            key = f"sla:{number}:c{cycle}:{parts[2]}:{parts[3]}"
        elif parts[0] == "sla5b":
            key = f"sla5b:{number}:c{cycle}:{parts[2]}"
        else:
            continue
        rows.setdefault(key, {"key": key, "case_number": number, "sent_at": created_at})
    if rows:
        conn.execute(sa.insert(_sent), list(rows.values()))


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_notices_case_number"), table_name="sent_notices")
    op.drop_table("sent_notices")
