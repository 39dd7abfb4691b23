"""ACC-4: companies by directory id on accounts and contacts (all optional).

Revision ID: company_ids_for_partner_access
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "company_ids_for_partner_access"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a NOT NULL column with a default through plain ALTER on
    # every version, and the batch copy keeps both dialects on one code path.
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("sold_to_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("end_user_id", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column(
                "end_user_subsidiary", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("company_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("company_id")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("end_user_subsidiary")
        batch.drop_column("end_user_id")
        batch.drop_column("sold_to_id")
