"""The in-memory directory: changes in this process are seen at once, others' within the TTL."""

from __future__ import annotations

from sqlalchemy import update

from bot.store.interface import Directory
from bot.store.sql import SqlStore, open_store
from bot.store.sql.directory import SqlDirectoryRepository
from bot.store.sql.directory_cache import CachedDirectoryRepository, DirectoryCache
from bot.store.sql.tables import accounts
from tests.integration.builders import account


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_directory_loaded_in_this_process_is_seen_at_once_by_every_store(
    store: SqlStore,
) -> None:
    other = SqlStore(store.engine)  # a second store of this process on the same database
    async with other.unit_of_work(read_only=True) as uow:
        assert await uow.directory.account("acme") is None  # now cached as absent
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(Directory(accounts=(account("acme"),)))
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
        await uow.directory.upsert(Directory(accounts=(account("acme"),)))
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.directory.account("acme") is None


async def test_a_change_made_by_another_process_is_seen_after_the_ttl(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(Directory(accounts=(account("acme", region="NA"),)))
        await uow.commit()
    ticks = Ticks()
    cache = DirectoryCache(ttl=5.0, monotonic=ticks)

    async def region() -> str | None:
        async with store.engine.connect() as conn:
            found = await CachedDirectoryRepository(SqlDirectoryRepository(conn), cache).account(
                "acme"
            )
        return found.region if found else None

    assert await region() == "NA"
    # Another process (here: a bare connection that bypasses this cache) moves the account.
    async with store.engine.begin() as conn:
        await conn.execute(update(accounts).where(accounts.c.id == "acme").values(region="EMEA"))
    ticks.now = 4.9
    assert await region() == "NA"
    ticks.now = 5.0
    assert await region() == "EMEA"


async def test_stores_on_different_databases_do_not_share_a_directory(tmp_path) -> None:
    first = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    second = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        async with first.unit_of_work() as uow:
            await uow.directory.upsert(Directory(accounts=(account("acme"),)))
            await uow.commit()
        async with second.unit_of_work(read_only=True) as uow:
            assert await uow.directory.accounts() == []
    finally:
        await first.close()
        await second.close()
