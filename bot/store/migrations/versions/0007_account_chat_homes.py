"""CONV-6: accounts list their customers' own Slack workspaces and Teams tenants.

Revision ID: account_chat_homes
Revises: directory_versions
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "account_chat_homes"
down_revision: str | None = "directory_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("slack_workspaces", _JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("teams_tenants", _JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("teams_tenants")
        batch.drop_column("slack_workspaces")
