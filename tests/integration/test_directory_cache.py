"""The in-memory directory (#18): reloaded only when a load changed it, once, in the background.

Another process is played by a second store on its own engine (its own cache), or by the real
`supportbot directory load` in a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.commands import identity
from bot.commands.router import Router
from bot.messages import Actor, ChatRequest, Command, Outcome
from bot.model import AccessLevel, Contact, Grant, Platform
from bot.policy.config import PolicyConfig
from bot.store.interface.directory import Directory
from bot.store.sql import SqlStore, open_store
from bot.store.sql.directory_cache import DirectoryCache
from tests.builders import T0, contracted_account
from tests.integration.sql_counter import statements

REPO = Path(__file__).resolve().parents[2]


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def contact(email: str, account_id: str = "acme", name: str = "Alice") -> Contact:
    return Contact(email, name, "Acme", (Grant(account_id, AccessLevel.DESIGNATED),))


async def load(store: SqlStore, directory: Directory) -> None:
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(directory)
        await uow.commit()


async def load_elsewhere(database_url: str, directory: Directory) -> None:
    """A load by another process: its own engine, its own in-memory directory."""
    other = await open_store(database_url, auto_upgrade=True)
    try:
        await load(other, directory)
    finally:
        await other.close()


def whoami(actor: Actor) -> ChatRequest:
    return ChatRequest(
        platform=Platform.SLACK,
        workspace="T1",
        channel_id="D1",
        actor=actor,
        command=Command.unparsed("whoami"),
        now=T0,
        is_direct=True,
    )


async def test_a_directory_loaded_in_this_process_is_seen_at_once_by_every_store(
    store: SqlStore,
) -> None:
    other = SqlStore(store.engine)  # a second store of this process on the same engine
    async with other.unit_of_work(read_only=True) as uow:
        assert await uow.directory.account("acme") is None
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(Directory(accounts=(contracted_account("acme"),)))
        assert await uow.directory.account("acme") is not None  # its own uncommitted row
        async with other.unit_of_work(read_only=True) as peek:
            assert await peek.directory.account("acme") is None  # not shared before commit
        await uow.commit()
    async with other.unit_of_work(read_only=True) as uow:
        found = await uow.directory.account("acme")
    assert found is not None
    assert found.region == "NA"


async def test_a_rolled_back_directory_change_is_never_seen(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(Directory(accounts=(contracted_account("acme"),)))
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.directory.account("acme") is None
    assert await (await store.directory()).account("acme") is None


async def test_a_load_by_another_process_is_picked_up_at_the_next_check_without_waiting(
    store: SqlStore, database_url: str
) -> None:
    await load(store, Directory(accounts=(contracted_account("acme", region="NA"),)))
    ticks = Ticks()
    cache = DirectoryCache(store.engine, check_every=5.0, monotonic=ticks)
    assert (await cache.snapshot()).accounts["acme"].region == "NA"
    await load_elsewhere(
        database_url, Directory(accounts=(contracted_account("acme", region="EMEA"),))
    )
    ticks.now = 4.9
    assert (await cache.snapshot()).accounts["acme"].region == "NA"
    assert cache.refreshing is None  # not due: no statement at all
    ticks.now = 5.0
    # Due: the request is answered from the copy it has; one task reads the new version.
    assert (await cache.snapshot()).accounts["acme"].region == "NA"
    assert cache.refreshing is not None
    await cache.settle()
    assert (await cache.snapshot()).accounts["acme"].region == "EMEA"
    assert cache.reloads == 2
    await cache.close()


@pytest.mark.slow
async def test_a_directory_load_run_as_another_process_is_picked_up(
    store: SqlStore, database_url: str, tmp_path: Path
) -> None:
    await load(
        store,
        Directory(accounts=(contracted_account("acme"),), contacts=(contact("a@acme.example"),)),
    )
    assert await (await store.directory()).contact_by_email("b@acme.example") is None
    example = (REPO / "examples" / "directory.yaml").read_text(encoding="utf-8")
    path = tmp_path / "directory.yaml"
    path.write_text(example, encoding="utf-8")
    env = dict(os.environ, SUPPORTBOT_DATABASE_URL=database_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "directory", "load", str(path), env=env, cwd=REPO
    )
    assert await process.wait() == 0
    store.directory_cache.check_every = 0.0  # due at once, instead of waiting for the interval
    await store.directory()  # starts the check
    await store.directory_cache.settle()
    listed = await (await store.directory()).accounts()
    assert {"acme"} < {a.id for a in listed}  # the example's accounts arrived next to ours


async def test_concurrent_requests_during_a_reload_share_one_reload(
    store: SqlStore, database_url: str
) -> None:
    people = tuple(contact(f"user{i}@acme.example") for i in range(20))
    await load(store, Directory(accounts=(contracted_account("acme"),), contacts=people))
    router = Router(store, PolicyConfig())
    directory = await store.directory()
    actors = []
    for person in people:
        found = await directory.contact_by_email(person.email)
        assert found is not None
        actors.append(found)
    renamed = tuple(contact(p.email, name="Renamed") for p in people)
    await load_elsewhere(
        database_url, Directory(accounts=(contracted_account("acme"),), contacts=renamed)
    )
    cache = store.directory_cache
    cache.check_every = 0.0  # every request finds a check due
    before = cache.reloads
    with statements(store) as sent:
        replies = await asyncio.gather(
            *(
                router.handle(whoami(Actor(Platform.SLACK, f"U{i}", contact=p)))
                for i, p in enumerate(actors)
            )
        )
        await cache.settle()
    assert all(r.outcome is Outcome.OK for r in replies)
    assert cache.reloads == before + 1
    contact_reads = [s for s in sent if "FROM contacts" in s and s.lstrip().startswith("SELECT")]
    assert len(contact_reads) == 1  # one reload read the changed contacts, not twenty
    found = await (await store.directory()).contact_by_email("user7@acme.example")
    assert found is not None
    assert found.name == "Renamed"


async def test_a_reload_reads_only_what_the_load_changed(
    store: SqlStore, database_url: str
) -> None:
    people = (contact("a@acme.example"), contact("b@acme.example"))
    await load(store, Directory(accounts=(contracted_account("acme"),), contacts=people))
    first = await store.directory_cache.snapshot()
    changed = (people[0], contact("b@acme.example", name="Bea"))
    await load_elsewhere(
        database_url, Directory(accounts=(contracted_account("acme"),), contacts=changed)
    )
    store.directory_cache.check_every = 0.0
    await store.directory()
    await store.directory_cache.settle()
    second = await store.directory_cache.snapshot()
    assert second.version == first.version + 1
    assert second.contacts["a@acme.example"] is first.contacts["a@acme.example"]  # not re-read
    assert second.contacts["b@acme.example"].name == "Bea"
    assert second.accounts["acme"] is first.accounts["acme"]


async def test_the_callers_identity_is_read_without_a_database_connection(
    store: SqlStore,
) -> None:
    await load(
        store,
        Directory(accounts=(contracted_account("acme"),), contacts=(contact("a@acme.example"),)),
    )
    await store.directory()  # the first read of this process fills the snapshot
    checkouts: list[object] = []
    event.listen(store.engine.sync_engine, "checkout", lambda *a: checkouts.append(a))
    actor = await identity.by_email(await store.directory(), Platform.SLACK, "U1", "A@acme.example")
    assert actor.contact is not None
    assert actor.contact.email == "a@acme.example"
    assert checkouts == []


async def test_loading_the_same_directory_again_writes_no_directory_row(store: SqlStore) -> None:
    directory = Directory(
        accounts=(contracted_account("acme"),), contacts=(contact("a@acme.example"),)
    )
    await load(store, directory)
    with statements(store) as sent:
        await load(store, directory)
    tables = ("accounts", "contacts", "grants", "staff", "channels")
    writes = [
        s
        for s in sent
        if s.lstrip().split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
        and any(f" {t} " in f"{s} " or f" {t}(" in s for t in tables)
    ]
    assert writes == []


async def test_stores_on_different_databases_do_not_share_a_directory(tmp_path: Path) -> None:
    first = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    second = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        async with first.unit_of_work() as uow:
            await uow.directory.upsert(Directory(accounts=(contracted_account("acme"),)))
            await uow.commit()
        async with second.unit_of_work(read_only=True) as uow:
            assert await uow.directory.accounts() == []
    finally:
        await first.close()
        await second.close()
