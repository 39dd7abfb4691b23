"""The schema as SQLAlchemy Core tables; migrations/versions must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from bot.store.sql.column_types import UtcDateTime, json_type

# Stable constraint names so Alembic can alter them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

CASE_NUMBER_SEQUENCE = "case_number_seq"  # PostgreSQL (CASE-5)
CASE_NUMBER_COUNTER = "case_number"  # SQLite: a row of `counters`
DIRECTORY_VERSION_COUNTER = "directory_version"  # bumped by every `directory load`
FIRST_CASE_NUMBER = 1001  # CASE-5

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("sold_to", String(300), nullable=False),
    Column("end_user", String(300), nullable=False),
    Column("partner", Boolean, nullable=False),
    Column("deployment", String(20), nullable=False),
    Column("care_level", String(20), nullable=False),
    Column("region", String(50), nullable=False),
    Column("contract_start", Date, nullable=False),
    Column("contract_end", Date, nullable=False),
    # ACC-4: the companies by directory id (NULL: not given in the directory file).
    Column("sold_to_id", String(100)),
    Column("end_user_id", String(100)),
    Column("end_user_subsidiary", Boolean, nullable=False, server_default=false()),
    Column("timezone", String(64)),  # NOT-1: the account's own IANA zone; NULL: its region's
    Column("agents", Integer),  # INC-6: licensed agents; NULL: not in the directory
    # CONV-6: the customer's own chat spaces, {platform: [space id, ...]}.
    Column("chat_homes", json_type(), nullable=False, server_default="{}"),
    Column("loaded_version", BigInteger, nullable=False, server_default="0"),  # directory_cache
    Index(None, "loaded_version"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("email", String(320), primary_key=True),  # stored lower-case
    Column("name", String(300), nullable=False),
    Column("company", String(300), nullable=False),
    Column("company_id", String(100)),  # ACC-4
    Column("loaded_version", BigInteger, nullable=False, server_default="0"),  # directory_cache
    Index(None, "loaded_version"),
)

grants = Table(
    "grants",
    metadata,
    Column(
        "contact_email",
        String(320),
        ForeignKey("contacts.email", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("account_id", String(100), ForeignKey("accounts.id"), primary_key=True),
    Column("level", String(20), nullable=False),
    Column("approved_by", String(320)),
    Column("approved_at", Date),
    Index(None, "account_id"),
)

staff = Table(
    "staff",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("roles", String(200), nullable=False),  # comma-separated, sorted
    Column("loaded_version", BigInteger, nullable=False, server_default="0"),  # directory_cache
    Index(None, "loaded_version"),
)

# ACC-7: who a chat user is. (platform, space, user) is one user of one platform (a Slack
# workspace's user, a Teams tenant's AAD object id); each maps to one person, a contact or a
# staff member by e-mail. The platform key is opaque to the store.
CONTACT = "contact"
STAFF = "staff"
chat_identities = Table(
    "chat_identities",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("space", String(100), primary_key=True),
    Column("user_id", String(100), primary_key=True),
    Column("person_kind", String(10), nullable=False),  # CONTACT or STAFF
    Column("email", String(320), nullable=False),
    Index(None, "person_kind", "email"),
)

channels = Table(
    "channels",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("channel_id", String(200), primary_key=True),
    Column("purpose", String(20), nullable=False),
    Column("account_id", String(100), ForeignKey("accounts.id")),
    Column("regions", json_type(), nullable=False),  # list of region names; empty = all
    Column("priorities", json_type(), nullable=False),  # list of priorities; empty = all
    # How the platform reaches the channel (name -> value): read only by its deliverer.
    Column("route", json_type(), nullable=False, server_default="{}"),
    Column("loaded_version", BigInteger, nullable=False, server_default="0"),  # directory_cache
    Index(None, "account_id"),
    Index(None, "purpose"),
    Index(None, "loaded_version"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", String(100), ForeignKey("accounts.id"), nullable=False),
    Column("summary", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String(20), nullable=False),
    Column("case_type", String(100), nullable=False),
    Column("case_subtype", String(100), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("status", String(40), nullable=False),
    Column("sub_status", String(60), nullable=False),
    Column("opened_by", String(320), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("production_down", Boolean, nullable=False),
    Column("impact", Text),
    Column("agents", Integer),
    Column("external_ref", String(200)),
    Column("component", String(200)),
    Column("security_threat", Boolean, nullable=False),
    Column("owner", String(320)),
    Column("closed_at", UtcDateTime),
    # Lists: newest update first within (account or opener, status), read in index order.
    Index(None, "account_id", "status", "updated_at", "number"),
    Index(None, "opened_by", "status", "updated_at", "number"),
    Index(None, "account_id", "closed_at"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "case_number", BigInteger, ForeignKey("cases.number", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(40), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("author", String(320), nullable=False),
    Column("platform", String(20)),
    Column("visibility", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(40)),
    Column("sub_status", String(60)),
    Column("priority", String(20)),
    Column("production_down", Boolean),
    Index(None, "case_number", "id"),
)

# SLA-5: the notices a case has had, as long as the case exists (outbox rows are pruned).
sent_notices = Table(
    "sent_notices",
    metadata,
    Column("key", String(300), primary_key=True),
    Column(
        "case_number", BigInteger, ForeignKey("cases.number", ondelete="CASCADE"), nullable=False
    ),
    Column("sent_at", UtcDateTime, nullable=False),
    Index(None, "case_number"),
)

timers = Table(
    "timers",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("payload", json_type(), nullable=False),
    UniqueConstraint("kind", "subject"),
    Index(None, "due_at"),
    # Due timers of one kind in the order they are read (`ORDER BY due_at, id LIMIT n`): the
    # trailing `id` lets PostgreSQL stop the scan at the limit instead of sorting (#18, P9).
    Index(None, "kind", "due_at", "id"),
    Index(None, "subject"),
)

WAITING_ONLY = "state = 'waiting'"

escalations = Table(
    "escalations",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("case_number", BigInteger, ForeignKey("cases.number"), nullable=False),
    Column("requested_by", String(320), nullable=False),
    Column("reason", Text, nullable=False),
    Column("impact", Text),
    Column("rca", Boolean, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    Column("decided_by", String(320)),
    Column("decision_text", Text),
    Column("decided_at", UtcDateTime),
    Index(None, "case_number"),
    Index(None, "state", "requested_at"),
    # ESC-9: at most one open escalation per case, even for two requests at the same instant.
    Index(
        "uq_escalations_one_waiting",
        "case_number",
        unique=True,
        postgresql_where=text(WAITING_ONLY),
        sqlite_where=text(WAITING_ONLY),
    ),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("severity", String(40), nullable=False),
    Column("summary", Text, nullable=False),
    Column("services", Text),
    Column("bridges", json_type(), nullable=False),  # [[platform, channel_id], ...]
    Column("case_number", BigInteger, ForeignKey("cases.number")),
    Column("commander", String(320), nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
    Column("restored_at", UtcDateTime),
    Column("restoration_text", Text),
    Column("agents_affected", Integer),
    Column("all_clear_at", UtcDateTime),
    Column("all_clear_text", Text),
    Column("rca_at", UtcDateTime),
    Column("rca_text", Text),
    Index(None, "all_clear_at"),
)

incident_accounts = Table(
    "incident_accounts",
    metadata,
    Column(
        "incident_id", BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("account_id", String(100), ForeignKey("accounts.id"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index(None, "account_id"),
)

incident_statuses = Table(
    "incident_statuses",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "incident_id", BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("text", Text, nullable=False),
    Column("next_steps", Text),
    Column("by", String(320), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "incident_id", "id"),
)

incident_posts = Table(
    "incident_posts",
    metadata,
    Column(
        "incident_id", BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("slot", Integer, primary_key=True),  # INC-3: the n-th 30-minute post
    Column("posted_at", UtcDateTime, nullable=False),
)

notices = Table(
    "notices",
    metadata,
    # AUTOINCREMENT on SQLite: NOT-1 references are never reused, even after a delete.
    Column(
        "reference",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
    ),
    Column("kind", String(40), nullable=False),
    Column("account_ids", json_type(), nullable=False),  # empty = all accounts
    Column("text", Text, nullable=False),
    Column("impact", Text),
    Column("posted_by", String(320), nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("starts_at", UtcDateTime),
    Column("ends_at", UtcDateTime),
    Index(None, "posted_at"),
    sqlite_autoincrement=True,
)

surveys = Table(
    "surveys",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("case_number", BigInteger, ForeignKey("cases.number"), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("by", String(320), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "case_number"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("dedup_key", String(300), nullable=False, unique=True),
    Column("platform", String(20), nullable=False),
    Column("target", String(200), nullable=False),
    Column("target_kind", String(20), nullable=False),
    # How the platform reaches `target` (name -> value): read only by its deliverer.
    Column("route", json_type(), nullable=False, server_default="{}"),
    Column("payload", json_type(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("leased_until", UtcDateTime),
    Column("lease_owner", String(200)),
    Column("last_error", Text),
    Column("platform_message_id", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("failing_since", UtcDateTime),  # first error that was not rate limiting (R3 budget)
    # CONV-1: a post about a case goes in its thread; the root is filled in once known.
    Column("thread_case", BigInteger),
    Column("thread_kind", String(20)),
    Column("thread_root", String(200)),
    Column("thread_broadcast", Boolean, nullable=False, server_default=false()),
    Column("thread_starts", Boolean, nullable=False, server_default=false()),
    Index(None, "status", "next_attempt_at"),
    Index(None, "thread_case"),
    Index(None, "status", "sent_at"),  # housekeeping: forget old sent posts
)

# R4/P6: the next instant a post may go to a channel, shared by every replica.
channel_pacing = Table(
    "channel_pacing",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("channel", String(200), primary_key=True),
    Column("next_at", UtcDateTime, nullable=False),
)

inbound = Table(
    "inbound",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "received_at"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("actor", String(320), nullable=False),
    Column("platform", String(20)),
    Column("action", String(100), nullable=False),
    Column("case_number", BigInteger),  # no foreign key: the trail outlives what it names
    Column("detail", json_type(), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "case_number", "id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("reference", json_type(), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# CONV-1: where each case's customer and support threads start, per platform and place.
case_threads = Table(
    "case_threads",
    metadata,
    Column(
        "case_number", BigInteger, ForeignKey("cases.number", ondelete="CASCADE"), primary_key=True
    ),
    Column("platform", String(20), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("route", String(200), primary_key=True),
    Column("message_id", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index(None, "platform", "message_id"),  # a reply names its thread by the root's id
)

# CONV-4: offers to open a case from a message, and one row per person offered lately.
captures = Table(
    "captures",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("channel_id", String(200), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("account_id", String(100), nullable=False),
    Column("author", String(320), nullable=False),
    Column("offered_to", String(320), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "created_at"),
)

capture_prompts = Table(
    "capture_prompts",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("user_id", String(200), primary_key=True),
    Column("offered_at", UtcDateTime, nullable=False),
)

# CONV-5: attachment metadata; the content lives in the attachment storage under storage_key.
attachments = Table(
    "attachments",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "case_number", BigInteger, ForeignKey("cases.number", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(500), nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("uploaded_by", String(320), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("file_id", String(200), nullable=False),
    Column("storage_key", String(300), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("purged_at", UtcDateTime),
    UniqueConstraint("case_number", "platform", "file_id"),
    Index(None, "purged_at", "case_number"),
)
