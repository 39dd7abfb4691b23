"""The due-timer index holds the order its readers ask for: (kind, due_at, id) (#18, P9).

Both readers of due timers of one kind, the scheduler's claim (`timers.due`) and `queue`'s
candidates (`cases.with_due_timer`), ask for `kind = ? AND due_at <= ? ORDER BY due_at, id
LIMIT n`. With the index on (kind, due_at) PostgreSQL could not take that order from it, so it
read every due timer and sorted them to keep the first n (250-490 ms at 1,000,000 due). With
`id` at the end the index scan delivers the rows in order and the LIMIT stops it. SQLite keeps
the rowid (`id`) at the end of every index already, so nothing changes there. No other
statement needs the old index: (kind, due_at, id) serves whatever (kind, due_at) served.

Existing data: nothing moves. The new index is built before the old one is dropped, so the
readers always have one; on PostgreSQL the build holds writes to `timers` back while it runs
(a few seconds at a million timers).

Revision ID: timers_due_order
Revises: conversations
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "timers_due_order"
down_revision: str | None = "conversations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_timers_kind_due_at_id"), "timers", ["kind", "due_at", "id"], unique=False
    )
    op.drop_index(op.f("ix_timers_kind_due_at"), table_name="timers")


def downgrade() -> None:
    op.create_index(op.f("ix_timers_kind_due_at"), "timers", ["kind", "due_at"], unique=False)
    op.drop_index(op.f("ix_timers_kind_due_at_id"), table_name="timers")
