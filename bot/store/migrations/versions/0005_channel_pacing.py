"""Delivery (R3, R4): a shared send budget per channel, and when a post started failing.

`channel_pacing` holds the next instant a post may go to each channel; replicas reserve send
slots from it in the transaction that claims the posts, so together they keep the platform's
per-channel rate. `outbox.failing_since` starts the retry time budget at the first error that is
not rate limiting (429 never counts towards a dead letter).

Revision ID: channel_pacing
Revises: account_timezone_and_agents
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "channel_pacing"
down_revision: str | None = "account_timezone_and_agents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_pacing",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel", name=op.f("pk_channel_pacing")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("failing_since")
    op.drop_table("channel_pacing")
