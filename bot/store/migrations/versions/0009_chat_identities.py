"""#16: chat identities in one table; channel and outbox routes opaque to all but their platform.

Contacts and staff carried a Slack (team, user) and a Teams (tenant, AAD object id) pair each;
they move into `chat_identities` as (platform, space, user_id) -> person. The Teams-only
`service_url` and `tenant` of channels and outbox rows move into a `route` object
(`service_url`, `space`) that only the Teams deliverer reads. An account's `slack_workspaces`
and `teams_tenants` (CONV-6) become one `chat_homes` object keyed by platform. A chat id that old
data gave to both a staff member and a contact stays with the staff member (ACC-7: one id, one
person).

Revision ID: chat_identities
Revises: sent_notices
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "chat_identities"
down_revision: str | None = "sent_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BATCH = 500  # rows per statement, far below PostgreSQL's 32,767 parameters
# The pairs each person table carried, by the platform key they become.
_PAIRS = (("slack", "slack_team", "slack_user"), ("teams", "teams_tenant", "teams_aad_object_id"))
_WIDTHS = {"slack_team": 50, "slack_user": 50, "teams_tenant": 100, "teams_aad_object_id": 100}
_PEOPLE = (("staff", "staff"), ("contacts", "contact"))  # staff first: it keeps a shared id

_grants = sa.table(
    "grants",
    sa.column("contact_email", sa.String),
    sa.column("account_id", sa.String),
    sa.column("level", sa.String),
    sa.column("approved_by", sa.String),
    sa.column("approved_at", sa.Date),
)
_HOME_COLUMNS = {"slack": "slack_workspaces", "teams": "teams_tenants"}
_accounts = sa.table(
    "accounts",
    sa.column("id", sa.String),
    sa.column("chat_homes", _JSON),
    *(sa.column(c, _JSON) for c in _HOME_COLUMNS.values()),
)
_identities = sa.table(
    "chat_identities",
    sa.column("platform", sa.String),
    sa.column("space", sa.String),
    sa.column("user_id", sa.String),
    sa.column("person_kind", sa.String),
    sa.column("email", sa.String),
)


def _person_table(name: str) -> sa.TableClause:
    return sa.table(name, sa.column("email", sa.String), *(sa.column(c) for c in _WIDTHS))


def _routed_table(name: str, key: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column(key),
        sa.column("service_url", sa.String),
        sa.column("tenant", sa.String),
        sa.column("route", _JSON),
    )


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


def upgrade() -> None:
    op.create_table(
        "chat_identities",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("space", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("person_kind", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("platform", "space", "user_id", name=op.f("pk_chat_identities")),
    )
    op.create_index(
        op.f("ix_chat_identities_person_kind_email"),
        "chat_identities",
        ["person_kind", "email"],
        unique=False,
    )
    _move_identities()
    with _grants_kept():
        for table, _kind in _PEOPLE:
            with op.batch_alter_table(table) as batch:
                batch.drop_constraint(f"uq_{table}_slack_team_slack_user", type_="unique")
                batch.drop_constraint(
                    f"uq_{table}_teams_tenant_teams_aad_object_id", type_="unique"
                )
                for column in _WIDTHS:
                    batch.drop_column(column)
    for table, key in (("channels", "channel_id"), ("outbox", "id")):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("route", _JSON, nullable=False, server_default="{}"))
        _move_routes(table, key)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tenant")
            batch.drop_column("service_url")
    op.add_column("accounts", sa.Column("chat_homes", _JSON, nullable=False, server_default="{}"))
    _move_homes()
    # Plain ALTER TABLE ... DROP COLUMN on both (SQLite 3.35+): batch mode would recreate
    # `accounts`, and dropping it fails the foreign keys of grants, channels and cases.
    for column in _HOME_COLUMNS.values():
        op.drop_column("accounts", column)


@contextmanager
def _grants_kept() -> Iterator[None]:
    """Grants survive SQLite's batch mode, which drops and recreates `contacts`.

    Dropping the old table deletes its grants through their ON DELETE CASCADE (the engine
    turns foreign keys on, and SQLite ignores turning them off inside a transaction), so
    they are read first and written back after. PostgreSQL alters in place: nothing to do.
    """
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        yield
        return
    kept = [dict(r) for r in conn.execute(sa.select(_grants)).mappings()]
    yield
    conn.execute(sa.delete(_grants))
    for batch in _batches(kept):
        conn.execute(_grants.insert(), list(batch))


def _move_identities() -> None:
    conn = op.get_bind()
    held: dict[tuple[str, str, str], dict[str, Any]] = {}
    for table, kind in _PEOPLE:
        people = _person_table(table)
        for row in conn.execute(sa.select(people).order_by(people.c.email)).mappings():
            for platform, space, user in _PAIRS:
                if row[space] is None or row[user] is None:
                    continue
                key = (platform, row[space], row[user])
                held.setdefault(
                    key,
                    {
                        "platform": platform,
                        "space": row[space],
                        "user_id": row[user],
                        "person_kind": kind,
                        "email": row["email"],
                    },
                )
    for batch in _batches(list(held.values())):
        conn.execute(_identities.insert(), list(batch))


def _route(service_url: str | None, tenant: str | None) -> dict[str, str]:
    route = {"service_url": service_url, "space": tenant}
    return {name: value for name, value in route.items() if value}


def _move_routes(table: str, key: str) -> None:
    conn = op.get_bind()
    routed = _routed_table(table, key)
    # A channel's key is (platform, channel_id): the update names both.
    keys = [routed.c[key], sa.column("platform")] if table == "channels" else [routed.c[key]]
    found = conn.execute(
        sa.select(*keys, routed.c.service_url, routed.c.tenant)
        .select_from(routed)
        .where(sa.or_(routed.c.service_url.is_not(None), routed.c.tenant.is_not(None)))
    ).all()
    stmt = (
        sa.update(routed)
        .where(*(k == sa.bindparam(f"k{i}") for i, k in enumerate(keys)))
        .values(route=sa.bindparam("r"))
    )
    rows = [
        {**{f"k{i}": row[i] for i in range(len(keys))}, "r": _route(row[-2], row[-1])}
        for row in found
    ]
    for batch in _batches(rows):
        conn.execute(stmt, list(batch))


def _move_homes() -> None:
    conn = op.get_bind()
    rows = []
    for row in conn.execute(sa.select(_accounts)).mappings():
        homes = {p: sorted(row[c]) for p, c in _HOME_COLUMNS.items() if row[c]}
        if homes:
            rows.append({"k": row["id"], "h": homes})
    stmt = (
        sa.update(_accounts)
        .where(_accounts.c.id == sa.bindparam("k"))
        .values(chat_homes=sa.bindparam("h"))
    )
    for batch in _batches(rows):
        conn.execute(stmt, list(batch))


def _restore_homes() -> None:
    conn = op.get_bind()
    rows = [
        {"k": row["id"]}
        | {f"v_{c}": list(row["chat_homes"].get(p, ())) for p, c in _HOME_COLUMNS.items()}
        for row in conn.execute(sa.select(_accounts)).mappings()
        if row["chat_homes"]
    ]
    stmt = (
        sa.update(_accounts)
        .where(_accounts.c.id == sa.bindparam("k"))
        .values({c: sa.bindparam(f"v_{c}") for c in _HOME_COLUMNS.values()})
    )
    for batch in _batches(rows):
        conn.execute(stmt, list(batch))


def downgrade() -> None:
    for column in _HOME_COLUMNS.values():
        op.add_column("accounts", sa.Column(column, _JSON, nullable=False, server_default="[]"))
    _restore_homes()
    op.drop_column("accounts", "chat_homes")
    for table in ("outbox", "channels"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("service_url", sa.String(length=500), nullable=True))
            batch.add_column(sa.Column("tenant", sa.String(length=100), nullable=True))
        _restore_routes(table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("route")
    for table, _kind in _PEOPLE:
        with op.batch_alter_table(table) as batch:
            for column, width in _WIDTHS.items():
                batch.add_column(sa.Column(column, sa.String(length=width), nullable=True))
    _restore_identities()
    with _grants_kept():
        for table, _kind in _PEOPLE:
            with op.batch_alter_table(table) as batch:
                batch.create_unique_constraint(
                    f"uq_{table}_slack_team_slack_user", ["slack_team", "slack_user"]
                )
                batch.create_unique_constraint(
                    f"uq_{table}_teams_tenant_teams_aad_object_id",
                    ["teams_tenant", "teams_aad_object_id"],
                )
    op.drop_index(op.f("ix_chat_identities_person_kind_email"), table_name="chat_identities")
    op.drop_table("chat_identities")


def _restore_routes(table: str) -> None:
    conn = op.get_bind()
    routed = sa.table(
        table,
        sa.column("route", _JSON),
        sa.column("service_url", sa.String),
        sa.column("tenant", sa.String),
    )
    # Few distinct routes (one per Teams endpoint and tenant): one update per route.
    distinct = {
        (r.get("service_url"), r.get("space"))
        for (r,) in conn.execute(sa.select(routed.c.route)).all()
        if r
    }
    for url, tenant in distinct:
        conn.execute(
            sa.update(routed)
            .where(routed.c.route == sa.bindparam("r", type_=_JSON))
            .values(service_url=url, tenant=tenant),
            {"r": _route(url, tenant)},
        )


def _restore_identities() -> None:
    """Each person gets back one id per platform (the old columns had room for one)."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_identities).order_by(_identities.c.space, _identities.c.user_id))
    for row in rows.mappings():
        table = "staff" if row["person_kind"] == "staff" else "contacts"
        people = _person_table(table)
        space, user = next((s, u) for p, s, u in _PAIRS if p == row["platform"])
        conn.execute(
            sa.update(people)
            .where(people.c.email == row["email"], people.c[space].is_(None))
            .values({space: row["space"], user: row["user_id"]})
        )
