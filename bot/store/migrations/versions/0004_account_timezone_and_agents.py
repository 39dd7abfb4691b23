"""Optional account fields of the directory: the account's own time zone (NOT-1) and its
licensed agents (INC-6).

Revision ID: account_timezone_and_agents
Revises: company_ids_for_partner_access
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "account_timezone_and_agents"
down_revision: str | None = "company_ids_for_partner_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot drop columns in place on downgrade; harmless on PostgreSQL.
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("agents", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("agents")
        batch.drop_column("timezone")
