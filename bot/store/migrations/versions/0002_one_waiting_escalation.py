"""ESC-9 in the schema: at most one waiting escalation per case.

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


def downgrade() -> None:
    op.drop_index("uq_escalations_one_waiting", table_name="escalations")
