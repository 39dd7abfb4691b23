"""ESC-9 in the schema (one waiting escalation per case); indexes for housekeeping and lists.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = sa.text("state = 'waiting'")


def upgrade() -> None:
    op.create_index(
        "uq_escalations_one_waiting",
        "escalations",
        ["case_number"],
        unique=True,
        postgresql_where=_WAITING,
        sqlite_where=_WAITING,
    )
    op.create_index("ix_outbox_status_sent_at", "outbox", ["status", "sent_at"])
    # Case lists read newest-first straight from the index instead of sorting every case.
    for column in ("account_id", "opened_by"):
        op.drop_index(f"ix_cases_{column}_status", table_name="cases")
        op.create_index(
            f"ix_cases_{column}_status_updated_at_number",
            "cases",
            [column, "status", "updated_at", "number"],
        )


def downgrade() -> None:
    for column in ("account_id", "opened_by"):
        op.drop_index(f"ix_cases_{column}_status_updated_at_number", table_name="cases")
        op.create_index(f"ix_cases_{column}_status", "cases", [column, "status"])
    op.drop_index("ix_outbox_status_sent_at", table_name="outbox")
    op.drop_index("uq_escalations_one_waiting", table_name="escalations")
