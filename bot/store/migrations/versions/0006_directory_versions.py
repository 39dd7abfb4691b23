"""The directory's version counter: every row remembers the `directory load` that last changed it.

A process holding the directory in memory compares the `directory_version` counter with its own
and, when it moved, reads only the rows whose `loaded_version` is newer (#18).

Revision ID: directory_versions
Revises: channel_pacing
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "directory_versions"
down_revision: str | None = "channel_pacing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("accounts", "contacts", "staff", "channels")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(
            table,
            sa.Column("loaded_version", sa.BigInteger(), nullable=False, server_default="0"),
        )
        op.create_index(f"ix_{table}_loaded_version", table, ["loaded_version"])


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(f"ix_{table}_loaded_version", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("loaded_version")
