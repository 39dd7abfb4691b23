"""Initial schema: directory, cases, timers, escalations, incidents, notices, outbox, audit.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("sold_to", sa.String(length=300), nullable=False),
        sa.Column("end_user", sa.String(length=300), nullable=False),
        sa.Column("partner", sa.Boolean(), nullable=False),
        sa.Column("deployment", sa.String(length=20), nullable=False),
        sa.Column("care_level", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=False),
        sa.Column("contract_end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=True),
        sa.Column(
            "detail", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_case_number_id"), "audit", ["case_number", "id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("company", sa.String(length=300), nullable=False),
        sa.Column("slack_team", sa.String(length=50), nullable=True),
        sa.Column("slack_user", sa.String(length=50), nullable=True),
        sa.Column("teams_tenant", sa.String(length=100), nullable=True),
        sa.Column("teams_aad_object_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_contacts")),
        sa.UniqueConstraint(
            "slack_team", "slack_user", name=op.f("uq_contacts_slack_team_slack_user")
        ),
        sa.UniqueConstraint(
            "teams_tenant",
            "teams_aad_object_id",
            name=op.f("uq_contacts_teams_tenant_teams_aad_object_id"),
        ),
    )
    op.create_table(
        "conversations",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column(
            "reference", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_conversations")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "inbound",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inbound")),
    )
    op.create_index(op.f("ix_inbound_received_at"), "inbound", ["received_at"], unique=False)

    op.create_table(
        "notices",
        sa.Column(
            "reference", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "account_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("posted_by", sa.String(length=320), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_notices")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_notices_posted_at"), "notices", ["posted_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=True),
        sa.Column("tenant", sa.String(length=100), nullable=True),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("platform_message_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_dedup_key")),
    )
    op.create_index(
        op.f("ix_outbox_status_next_attempt_at"),
        "outbox",
        ["status", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "staff",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("slack_team", sa.String(length=50), nullable=True),
        sa.Column("slack_user", sa.String(length=50), nullable=True),
        sa.Column("teams_tenant", sa.String(length=100), nullable=True),
        sa.Column("teams_aad_object_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_staff")),
        sa.UniqueConstraint(
            "slack_team", "slack_user", name=op.f("uq_staff_slack_team_slack_user")
        ),
        sa.UniqueConstraint(
            "teams_tenant",
            "teams_aad_object_id",
            name=op.f("uq_staff_teams_tenant_teams_aad_object_id"),
        ),
    )
    op.create_table(
        "timers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_timers_kind_subject")),
    )
    op.create_index(op.f("ix_timers_due_at"), "timers", ["due_at"], unique=False)
    op.create_index(op.f("ix_timers_kind_due_at"), "timers", ["kind", "due_at"], unique=False)
    op.create_index(op.f("ix_timers_subject"), "timers", ["subject"], unique=False)

    op.create_table(
        "cases",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("case_type", sa.String(length=100), nullable=False),
        sa.Column("case_subtype", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("sub_status", sa.String(length=60), nullable=False),
        sa.Column("opened_by", sa.String(length=320), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("production_down", sa.Boolean(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("agents", sa.Integer(), nullable=True),
        sa.Column("external_ref", sa.String(length=200), nullable=True),
        sa.Column("component", sa.String(length=200), nullable=True),
        sa.Column("security_threat", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_cases_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_cases")),
    )
    op.create_index(
        op.f("ix_cases_account_id_closed_at"), "cases", ["account_id", "closed_at"], unique=False
    )
    op.create_index(
        op.f("ix_cases_account_id_status"), "cases", ["account_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_cases_opened_by_status"), "cases", ["opened_by", "status"], unique=False
    )

    op.create_table(
        "channels",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column(
            "regions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "priorities", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("service_url", sa.String(length=500), nullable=True),
        sa.Column("tenant", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_channels_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("platform", "channel_id", name=op.f("pk_channels")),
    )
    op.create_index(op.f("ix_channels_account_id"), "channels", ["account_id"], unique=False)
    op.create_index(op.f("ix_channels_purpose"), "channels", ["purpose"], unique=False)

    op.create_table(
        "grants",
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("approved_by", sa.String(length=320), nullable=True),
        sa.Column("approved_at", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_grants_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_email"],
            ["contacts.email"],
            name=op.f("fk_grants_contact_email_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_email", "account_id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_account_id"), "grants", ["account_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=True),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("sub_status", sa.String(length=60), nullable=True),
        sa.Column("priority", sa.String(length=20), nullable=True),
        sa.Column("production_down", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_number"],
            ["cases.number"],
            name=op.f("fk_case_events_case_number_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(
        op.f("ix_case_events_case_number_id"), "case_events", ["case_number", "id"], unique=False
    )

    op.create_table(
        "escalations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("requested_by", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("rca", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decision_text", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_number"], ["cases.number"], name=op.f("fk_escalations_case_number_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index(
        op.f("ix_escalations_case_number"), "escalations", ["case_number"], unique=False
    )
    op.create_index(
        op.f("ix_escalations_state_requested_at"),
        "escalations",
        ["state", "requested_at"],
        unique=False,
    )

    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("severity", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("services", sa.Text(), nullable=True),
        sa.Column(
            "bridges", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("case_number", sa.BigInteger(), nullable=True),
        sa.Column("commander", sa.String(length=320), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restoration_text", sa.Text(), nullable=True),
        sa.Column("agents_affected", sa.Integer(), nullable=True),
        sa.Column("all_clear_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_clear_text", sa.Text(), nullable=True),
        sa.Column("rca_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rca_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_number"], ["cases.number"], name=op.f("fk_incidents_case_number_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_all_clear_at"), "incidents", ["all_clear_at"], unique=False)

    op.create_table(
        "surveys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_number", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_number"], ["cases.number"], name=op.f("fk_surveys_case_number_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_index(op.f("ix_surveys_case_number"), "surveys", ["case_number"], unique=False)

    op.create_table(
        "incident_accounts",
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_incident_accounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_accounts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "account_id", name=op.f("pk_incident_accounts")),
    )
    op.create_index(
        op.f("ix_incident_accounts_account_id"), "incident_accounts", ["account_id"], unique=False
    )

    op.create_table(
        "incident_posts",
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_posts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "slot", name=op.f("pk_incident_posts")),
    )
    op.create_table(
        "incident_statuses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_statuses_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_statuses")),
    )
    op.create_index(
        op.f("ix_incident_statuses_incident_id_id"),
        "incident_statuses",
        ["incident_id", "id"],
        unique=False,
    )

    # CASE-5: case numbers start at 1001 and are never reused. PostgreSQL hands them out from a
    # SEQUENCE (safe under concurrent opens, never rolled back); SQLite from a counter row
    # updated under the write lock.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE case_number_seq START WITH 1001 MINVALUE 1001")
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "case_number", "value": 1000}])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE case_number_seq")
    op.drop_index(op.f("ix_incident_statuses_incident_id_id"), table_name="incident_statuses")

    op.drop_table("incident_statuses")
    op.drop_table("incident_posts")
    op.drop_index(op.f("ix_incident_accounts_account_id"), table_name="incident_accounts")

    op.drop_table("incident_accounts")
    op.drop_index(op.f("ix_surveys_case_number"), table_name="surveys")

    op.drop_table("surveys")
    op.drop_index(op.f("ix_incidents_all_clear_at"), table_name="incidents")

    op.drop_table("incidents")
    op.drop_index(op.f("ix_escalations_state_requested_at"), table_name="escalations")
    op.drop_index(op.f("ix_escalations_case_number"), table_name="escalations")

    op.drop_table("escalations")
    op.drop_index(op.f("ix_case_events_case_number_id"), table_name="case_events")

    op.drop_table("case_events")
    op.drop_index(op.f("ix_grants_account_id"), table_name="grants")

    op.drop_table("grants")
    op.drop_index(op.f("ix_channels_purpose"), table_name="channels")
    op.drop_index(op.f("ix_channels_account_id"), table_name="channels")

    op.drop_table("channels")
    op.drop_index(op.f("ix_cases_opened_by_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_account_id_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_account_id_closed_at"), table_name="cases")

    op.drop_table("cases")
    op.drop_index(op.f("ix_timers_subject"), table_name="timers")
    op.drop_index(op.f("ix_timers_kind_due_at"), table_name="timers")
    op.drop_index(op.f("ix_timers_due_at"), table_name="timers")

    op.drop_table("timers")
    op.drop_table("staff")
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")

    op.drop_table("outbox")
    op.drop_index(op.f("ix_notices_posted_at"), table_name="notices")

    op.drop_table("notices")
    op.drop_index(op.f("ix_inbound_received_at"), table_name="inbound")

    op.drop_table("inbound")
    op.drop_table("counters")
    op.drop_table("conversations")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_audit_case_number_id"), table_name="audit")

    op.drop_table("audit")
    op.drop_table("accounts")
