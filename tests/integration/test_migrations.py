"""Migrations: an empty database upgrades to exactly the schema the code expects, on both."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from bot.model import (
    AccessLevel,
    CaseEvent,
    ChatIdentity,
    Contact,
    EventKind,
    Grant,
    Platform,
    Staff,
    StaffRole,
)
from bot.store.interface.errors import SchemaOutdated
from bot.store.sql import SqlStore, open_store, upgrade
from bot.store.sql.column_types import UtcDateTime, json_type
from bot.store.sql.directory_rows import account_row
from bot.store.sql.engine import create_engine
from bot.store.sql.schema import alembic_config, current_revision, head_revision
from bot.store.sql.tables import chat_identities, grants, metadata, outbox
from tests.builders import T0, add_case, contracted_account
from tests.integration.conftest import create_database, drop_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_server(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, server URL) of a database kind; the database itself is made by `empty_url`."""
    if request.param == "sqlite":
        return "sqlite", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    server: str = request.getfixturevalue("pg_server")
    return "postgres", server


@pytest.fixture
async def empty_url(empty_database_server: tuple[str, str]) -> AsyncIterator[str]:
    kind, server = empty_database_server
    if kind == "sqlite":
        yield server
        return
    name = f"supportbot_empty_{secrets.token_hex(4)}"
    url = await create_database(server, name)
    try:
        yield url
    finally:
        await drop_database(server, name)


# Tables as revision `sent_notices` (0008) had them, before chat identities had their own.
_OLD_PEOPLE_COLUMNS = ("slack_team", "slack_user", "teams_tenant", "teams_aad_object_id")
_OLD_CONTACTS = sa.table(
    "contacts", *(sa.column(c) for c in ("email", "name", "company", *_OLD_PEOPLE_COLUMNS))
)
_OLD_STAFF = sa.table(
    "staff", *(sa.column(c) for c in ("email", "name", "roles", *_OLD_PEOPLE_COLUMNS))
)
_OLD_CHANNELS = sa.table(
    "channels",
    *(sa.column(c) for c in ("platform", "channel_id", "purpose", "account_id")),
    sa.column("regions", json_type()),
    sa.column("priorities", json_type()),
    *(sa.column(c) for c in ("service_url", "tenant")),
)
_OLD_OUTBOX = sa.table(
    "outbox",
    *(sa.column(c) for c in ("dedup_key", "platform", "target", "target_kind", "status")),
    *(sa.column(c) for c in ("service_url", "tenant", "attempts")),
    sa.column("payload", json_type()),
    sa.column("next_attempt_at", UtcDateTime()),
    sa.column("created_at", UtcDateTime()),
)
_OLD_ACCOUNTS = sa.table(
    "accounts",
    *(sa.column(c) for c in account_row(contracted_account()) if c != "chat_homes"),
    sa.column("slack_workspaces", json_type()),
    sa.column("teams_tenants", json_type()),
)
TEAMS_URL = "https://smba.trafficmanager.net/amer/"
TENANT = "00000000-0000-0000-0000-0000000000aa"


def _old_account(account_id: str, workspaces: list[str], tenants: list[str]) -> dict[str, object]:
    values = {
        k: v for k, v in account_row(contracted_account(account_id)).items() if k != "chat_homes"
    }
    return values | {"slack_workspaces": workspaces, "teams_tenants": tenants}


def _old_post(
    key: str,
    platform: str,
    target: str,
    at: datetime,
    kind: str = "channel",
    service_url: str | None = None,
    tenant: str | None = None,
) -> dict[str, object]:
    return {
        "dedup_key": key,
        "platform": platform,
        "target": target,
        "target_kind": kind,
        "status": "pending",
        "service_url": service_url,
        "tenant": tenant,
        "attempts": 0,
        "payload": {"n": key},
        "next_attempt_at": at,
        "created_at": at,
    }


def _person(
    email: str, slack: tuple[str, str] | None, teams: tuple[str, str] | None
) -> dict[str, object]:
    values = dict.fromkeys(_OLD_PEOPLE_COLUMNS) | {"email": email, "name": email.split("@")[0]}
    if slack is not None:
        values |= {"slack_team": slack[0], "slack_user": slack[1]}
    if teams is not None:
        values |= {"teams_tenant": teams[0], "teams_aad_object_id": teams[1]}
    return values


async def _seed_revision_0008(url: str) -> None:
    """Contacts, staff, channels and posts as 0008 stored them, identities on both platforms."""
    await _upgrade_to(url, "sent_notices")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(_OLD_ACCOUNTS.insert(), _old_account("acme", ["T0ACME"], [TENANT]))
            await conn.execute(_OLD_ACCOUNTS.insert(), _old_account("globex", [], []))
            await conn.execute(
                _OLD_CONTACTS.insert(),
                [
                    _person("alice@acme.example", ("T0ACME", "UALICE"), (TENANT, "aad-alice"))
                    | {"company": "Acme"},
                    _person("bob@acme.example", ("T0ACME", "UBOB"), None) | {"company": "Acme"},
                    _person("dora@acme.example", ("T0VEND", "USHARED"), None) | {"company": "Acme"},
                ],
            )
            await conn.execute(
                grants.insert(),
                {
                    "contact_email": "alice@acme.example",
                    "account_id": "acme",
                    "level": "designated",
                },
            )
            await conn.execute(
                _OLD_STAFF.insert(),
                [
                    _person("ivan@vendor.example", ("T0VEND", "UIVAN"), (TENANT, "aad-ivan"))
                    | {"roles": "incident_commander"},
                    # 0008 let one Slack id sit on a staff row and a contact row at once.
                    _person("sam@vendor.example", ("T0VEND", "USHARED"), None)
                    | {"roles": "analyst"},
                ],
            )
            no_filters: dict[str, object] = {"regions": [], "priorities": []}
            await conn.execute(
                _OLD_CHANNELS.insert(),
                [
                    {"platform": "slack", "channel_id": "CACME", "purpose": "account"}
                    | {"account_id": "acme", "service_url": None, "tenant": None}
                    | no_filters,
                    {"platform": "teams", "channel_id": "19:bridge@thread.tacv2"}
                    | {"purpose": "bridge", "account_id": None}
                    | {"service_url": TEAMS_URL, "tenant": TENANT}
                    | no_filters,
                ],
            )
            await conn.execute(
                _OLD_OUTBOX.insert(),
                [
                    _old_post("a:slack:CACME", "slack", "CACME", T0),
                    _old_post("b:teams:19", "teams", "19:bridge@thread.tacv2", T0)
                    | {"service_url": TEAMS_URL, "tenant": TENANT},
                    _old_post("c:teams:aad-alice", "teams", "aad-alice", T0, "private")
                    | {"tenant": TENANT},
                ],
            )
    finally:
        await engine.dispose()


async def test_acc_7_upgrade_moves_chat_identities_and_teams_routes_out_of_the_old_columns(
    empty_url: str,
) -> None:
    """0009: every stored identity resolves to the same person; Teams posts keep their route."""
    await _seed_revision_0008(empty_url)
    await upgrade(empty_url)
    store = await open_store(empty_url)
    try:
        directory = await store.directory()
        alice_slack = await directory.person_by_chat(ChatIdentity("slack", "T0ACME", "UALICE"))
        alice_teams = await directory.person_by_chat(ChatIdentity("teams", TENANT, "aad-alice"))
        ivan_slack = await directory.person_by_chat(ChatIdentity("slack", "T0VEND", "UIVAN"))
        ivan_teams = await directory.person_by_chat(ChatIdentity("teams", TENANT, "aad-ivan"))
        shared = await directory.person_by_chat(ChatIdentity("slack", "T0VEND", "USHARED"))
        bob = await directory.contact_by_email("bob@acme.example")
        dora = await directory.contact_by_email("dora@acme.example")
        teams_bridge = await directory.channel(Platform.TEAMS, "19:bridge@thread.tacv2")
        slack_account = await directory.channel(Platform.SLACK, "CACME")
        acme = await directory.account("acme")
        globex = await directory.account("globex")
        async with store.engine.connect() as conn:
            routes = dict((await conn.execute(sa.select(outbox.c.dedup_key, outbox.c.route))).all())
            identities = (await conn.execute(sa.select(chat_identities))).all()
            columns = await conn.run_sync(
                lambda c: {
                    t: {col["name"] for col in inspect(c).get_columns(t)}
                    for t in ("contacts", "staff", "channels", "outbox", "accounts")
                }
            )
    finally:
        await store.close()
    both = (ChatIdentity("slack", "T0ACME", "UALICE"), ChatIdentity("teams", TENANT, "aad-alice"))
    assert isinstance(alice_slack, Contact) and alice_slack.chats == both
    assert alice_teams == alice_slack
    assert alice_slack.grants == (Grant("acme", AccessLevel.DESIGNATED),)
    assert isinstance(ivan_slack, Staff) and ivan_teams == ivan_slack
    assert ivan_slack.roles == frozenset({StaffRole.INCIDENT_COMMANDER})
    assert bob is not None and bob.chats == (ChatIdentity("slack", "T0ACME", "UBOB"),)
    # ACC-7: one id, one person; the staff member keeps the id old data gave to both.
    assert isinstance(shared, Staff) and shared.email == "sam@vendor.example"
    assert dora is not None and dora.chats == ()
    assert len(identities) == 6
    # CONV-6: the account's own homes, now keyed by platform.
    assert acme is not None and acme.homes == {("slack", "T0ACME"), ("teams", TENANT)}
    assert acme.homes_on("teams") == {TENANT}
    assert globex is not None and globex.homes == frozenset()
    assert teams_bridge is not None
    assert teams_bridge.route == (("service_url", TEAMS_URL), ("space", TENANT))
    assert slack_account is not None and slack_account.route == ()
    assert routes == {
        "a:slack:CACME": {},
        "b:teams:19": {"service_url": TEAMS_URL, "space": TENANT},
        "c:teams:aad-alice": {"space": TENANT},
    }
    old = set(_OLD_PEOPLE_COLUMNS) | {"service_url", "tenant", "slack_workspaces", "teams_tenants"}
    assert all(not (found & old) for found in columns.values()), columns


async def test_downgrade_from_0009_puts_identities_and_routes_back_in_the_old_columns(
    empty_url: str,
) -> None:
    await _seed_revision_0008(empty_url)
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    config = alembic_config(empty_url)

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.downgrade(config, "sent_notices")

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
        async with engine.connect() as conn:
            people = {
                r.email: (r.slack_team, r.slack_user, r.teams_tenant, r.teams_aad_object_id)
                for r in (await conn.execute(sa.select(_OLD_CONTACTS))).all()
            }
            posts = {
                r.dedup_key: (r.service_url, r.tenant)
                for r in (await conn.execute(sa.select(_OLD_OUTBOX))).all()
            }
            homes = {
                r.id: (r.slack_workspaces, r.teams_tenants)
                for r in (await conn.execute(sa.select(_OLD_ACCOUNTS))).all()
            }
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert people == {
        "alice@acme.example": ("T0ACME", "UALICE", TENANT, "aad-alice"),
        "bob@acme.example": ("T0ACME", "UBOB", None, None),
        "dora@acme.example": (None, None, None, None),
    }
    assert posts == {
        "a:slack:CACME": (None, None),
        "b:teams:19": (TEAMS_URL, TENANT),
        "c:teams:aad-alice": (None, TENANT),
    }
    assert homes == {"acme": (["T0ACME"], [TENANT]), "globex": ([], [])}
    assert "chat_identities" not in tables


def _schema_differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_upgrade_brings_an_empty_database_to_exactly_the_tables_of_the_code(
    empty_url: str,
) -> None:
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []
            names = await conn.run_sync(_table_names)
    finally:
        await engine.dispose()
    assert names == {t.name for t in metadata.sorted_tables} | {"alembic_version"}


async def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    await upgrade(empty_url)
    await upgrade(empty_url)
    store = await open_store(empty_url)
    try:
        async with store.unit_of_work() as uow:
            assert await uow.cases.next_number() == 1001
    finally:
        await store.close()


async def test_sqlite_is_upgraded_automatically_on_first_use(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    store = await open_store(url)
    try:
        assert await current_revision(store.engine) == head_revision()
        async with store.unit_of_work() as uow:
            assert await uow.directory.accounts() == []
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgresql_behind_the_code_is_refused_with_the_upgrade_command(
    pg_server: str,
) -> None:
    name = f"supportbot_empty_{secrets.token_hex(4)}"
    url = await create_database(pg_server, name)
    try:
        with pytest.raises(SchemaOutdated, match="supportbot db upgrade"):
            await open_store(url)
        store = await open_store(url, auto_upgrade=True)
        await store.close()
        store = await open_store(url)
        await store.close()
    finally:
        await drop_database(pg_server, name)


async def test_an_in_memory_sqlite_database_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="in-memory SQLite"):
        await open_store("sqlite+aiosqlite:///:memory:")


async def _upgrade_to(url: str, revision: str) -> None:
    engine = create_engine(url)
    config = alembic_config(url)

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def test_sla_5_upgrade_remembers_the_sla_notices_still_in_the_outbox_by_cycle(
    empty_url: str,
) -> None:
    """Notices queued before the memory existed are not sent again after the upgrade."""
    script = ScriptDirectory.from_config(alembic_config(empty_url)).get_revision("sent_notices")
    assert script is not None and isinstance(script.down_revision, str)
    await _upgrade_to(empty_url, script.down_revision)
    old = SqlStore(create_engine(empty_url))
    try:
        # The rows as that revision held them: the outbox and directory of today differ.
        async with old.engine.begin() as conn:
            await conn.execute(_OLD_ACCOUNTS.insert(), _old_account("acme", [], []))
        made = await add_case(old)
        n = made.number
        async with old.unit_of_work() as uow:
            await uow.cases.get_for_change(n)
            reopened = CaseEvent(EventKind.REOPENED, T0 + timedelta(days=2), "a@acme.example")
            await uow.cases.add_event(n, reopened)
            await uow.commit()
        async with old.engine.begin() as conn:
            for key, hours in (
                (f"sla:{n}:response:0.75:slack:CQUEUE", 1),
                (f"sla:{n}:response:0.75:teams:19:queue@thread.tacv2", 1),
                (f"sla5b:{n}:response:slack:CACME", 2),
                (f"sla:{n}:response:1.0:slack:CQUEUE", 72),  # after the reopen: cycle 1
                (f"update:{n}:7:slack:CQUEUE", 3),  # not an SLA notice
                ("sla:9999:response:1.0:slack:CQUEUE", 3),  # no such case
            ):
                at = T0 + timedelta(hours=hours)
                await conn.execute(_OLD_OUTBOX.insert(), _old_post(key, "slack", "C", at))
    finally:
        await old.close()
    await upgrade(empty_url)
    store = await open_store(empty_url)
    try:
        async with store.unit_of_work(read_only=True) as uow:
            remembered = await uow.sent_notices.for_cases([n, 9999])
    finally:
        await store.close()
    assert remembered == {
        n: {f"sla:{n}:c0:response:0.75", f"sla5b:{n}:c0:response", f"sla:{n}:c1:response:1.0"}
    }


def _timer_indexes(conn: Connection) -> dict[str, list[str | None]]:
    return {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("timers") if i["name"]}


async def test_timers_due_order_downgrades_to_the_kind_due_at_index_and_upgrades_again(
    empty_url: str,
) -> None:
    """0011 swaps (kind, due_at) for (kind, due_at, id) and back; the timers stay due."""
    script = ScriptDirectory.from_config(alembic_config(empty_url)).get_revision("timers_due_order")
    assert script is not None and isinstance(script.down_revision, str)
    await _upgrade_to(empty_url, script.down_revision)
    store = SqlStore(create_engine(empty_url))  # open_store would refuse an old schema
    try:
        async with store.unit_of_work() as uow:
            await uow.timers.set("sla_watch", "1001", T0)
            await uow.timers.set("sla_watch", "1002", T0 - timedelta(minutes=1))
            await uow.commit()
    finally:
        await store.close()
    engine = create_engine(empty_url)
    config = alembic_config(empty_url)

    def run_downgrade(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.downgrade(config, "conversations")

    async def due_and_indexes() -> tuple[list[str], dict[str, list[str | None]]]:
        opened = SqlStore(create_engine(empty_url))
        try:
            async with opened.unit_of_work(read_only=True) as uow:
                due = [t.subject for t in await uow.timers.due(T0, kind="sla_watch")]
            async with opened.engine.connect() as conn:
                return due, await conn.run_sync(_timer_indexes)
        finally:
            await opened.close()

    try:
        await upgrade(empty_url)
        upgraded = await due_and_indexes()
        async with engine.begin() as conn:
            await conn.run_sync(run_downgrade)
        downgraded = await due_and_indexes()
        await upgrade(empty_url)
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []
    finally:
        await engine.dispose()
    assert upgraded[0] == downgraded[0] == ["1002", "1001"]
    assert upgraded[1]["ix_timers_kind_due_at_id"] == ["kind", "due_at", "id"]
    assert "ix_timers_kind_due_at" not in upgraded[1]
    assert downgraded[1]["ix_timers_kind_due_at"] == ["kind", "due_at"]
    assert "ix_timers_kind_due_at_id" not in downgraded[1]
