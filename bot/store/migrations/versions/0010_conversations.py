"""Conversations (#17): case thread roots, thread routes on outbox posts, capture offers and
attachment metadata (CONV-1, CONV-4, CONV-5).

Existing data: outbox rows queued before this revision have no thread (posted as before);
existing cases have no thread root yet and get one at their next post (CONV-1). Nothing else
moves.

Revision ID: conversations
Revises: chat_identities
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "conversations"
down_revision: str | None = "chat_identities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_number"],
        ["cases.number"],
        name=op.f(f"fk_{table}_case_number_cases"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("thread_case", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("thread_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("thread_root", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("thread_broadcast", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("thread_starts", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index(batch.f("ix_outbox_thread_case"), ["thread_case"], unique=False)
    op.create_table(
        "case_threads",
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("case_threads"),
        sa.PrimaryKeyConstraint(
            "case_number", "platform", "kind", "route", name=op.f("pk_case_threads")
        ),
    )
    op.create_index(
        op.f("ix_case_threads_platform_message_id"),
        "case_threads",
        ["platform", "message_id"],
        unique=False,
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("offered_to", sa.String(length=320), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    op.create_index(op.f("ix_captures_created_at"), "captures", ["created_at"], unique=False)
    op.create_table(
        "capture_prompts",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_capture_prompts")),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=320), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("file_id", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        _case_fk("attachments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint(
            "case_number",
            "platform",
            "file_id",
            name=op.f("uq_attachments_case_number_platform_file_id"),
        ),
    )
    op.create_index(
        op.f("ix_attachments_purged_at_case_number"),
        "attachments",
        ["purged_at", "case_number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attachments_purged_at_case_number"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("capture_prompts")
    op.drop_index(op.f("ix_captures_created_at"), table_name="captures")
    op.drop_table("captures")
    op.drop_index(op.f("ix_case_threads_platform_message_id"), table_name="case_threads")
    op.drop_table("case_threads")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_thread_case"))
        batch.drop_column("thread_starts")
        batch.drop_column("thread_broadcast")
        batch.drop_column("thread_root")
        batch.drop_column("thread_kind")
        batch.drop_column("thread_case")
