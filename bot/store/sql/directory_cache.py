"""The directory, read from memory: reloaded only when a `directory load` changed it (#18).

Every chat request reads the directory several times (who is asking, the channel's binding, the
accounts of their grants); served from a snapshot, those reads cost no database round trip.

Freshness. Every load bumps the `directory_version` counter and stamps the rows it changed.
At most every `CHECK_SECONDS` a request that reads the directory starts one background task
that reads the counter (one primary-key select) and, when it moved, only the newer rows; the
requests keep answering from the previous snapshot meanwhile, and concurrent requests share
that one task. A load in another process (`supportbot directory load`, another replica) is
therefore seen within about `CHECK_SECONDS`. A load committed through this cache is seen at
once: the next reader waits for the (incremental) reload instead of answering from the old one.
A unit of work that loads the directory reads its own uncommitted rows.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.interface.directory import Directory, UpsertSummary
from bot.store.sql.directory import SqlDirectoryRepository
from bot.store.sql.directory_rows import EVERYTHING, read_rows, read_version
from bot.store.sql.directory_snapshot import DirectorySnapshot, SnapshotDirectory
from bot.store.sql.statements import READ_ONLY_OPTION

CHECK_SECONDS = 2.0
log = logging.getLogger(__name__)
_FREEZE = {"snapshots": False}  # set by `freeze_snapshots()` in a serving process


def freeze_snapshots() -> None:
    """In a long-running server: keep every new directory snapshot out of the cyclic GC's walks.

    A 50,000-contact snapshot is about a million objects that live until the directory changes
    again. Left in the collector's generations, a later full collection walks all of them in
    one step on the event loop: 1.1 s (162 ms of CPU) after a load that changed every contact
    (bench P10). So automatic collections pause while a reload builds the new snapshot (a few
    seconds at most), and what lives then moves to the permanent generation (`gc.freeze`),
    which later collections skip; a replaced snapshot is still freed by reference counting,
    since it holds no cycles. The price: cyclic garbage made during a reload is never
    collected (reloads happen when the directory changes, a few times a day). Not for tests or
    short commands, whose disposed engines are cyclic garbage that a freeze would keep.
    """
    _FREEZE["snapshots"] = True


async def refreshed(base: DirectorySnapshot, conn: AsyncConnection) -> DirectorySnapshot:
    """`base` brought to the version `conn` sees: unchanged, the newer rows, or all rows."""
    version = await read_version(conn)
    if version == base.version:
        return base
    started = time.perf_counter()
    full = version < base.version or base.version < 0  # first read, or the counter was reset
    rows = await read_rows(conn, EVERYTHING if full else base.version)
    fresh = await base.updated(rows, full)
    log.info(
        "directory version %d read (%s): %d accounts, %d contacts, %d staff, %d channels "
        "in %.0f ms",
        rows.version,
        "all rows" if full else f"changes since version {base.version}",
        len(rows.accounts),
        len(rows.contacts),
        len(rows.staff),
        len(rows.channels),
        (time.perf_counter() - started) * 1000,
    )
    return fresh


class DirectoryCache:
    """The snapshot of one engine, refreshed by one background task at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        check_every: float = CHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self.check_every = check_every
        self._monotonic = monotonic
        self._snapshot = DirectorySnapshot()
        self._checked_at = float("-inf")
        self._generation = 0  # bumped by a load committed here
        self._loaded_generation = -1
        self._task: asyncio.Task[DirectorySnapshot] | None = None
        self.reloads = 0  # refreshes that read rows (tests and bench count them)

    @property
    def current(self) -> DirectorySnapshot:
        """The snapshot as it is now, possibly not yet read (version -1)."""
        return self._snapshot

    async def snapshot(self) -> DirectorySnapshot:
        """The directory; waits only for the first read or after a load committed here."""
        if self._loaded_generation >= self._generation:
            if self._monotonic() - self._checked_at >= self.check_every:
                self._start()  # in the background: this request uses the current snapshot
            return self._snapshot
        wanted = self._generation
        while self._loaded_generation < wanted:
            await asyncio.shield(self._start())
        return self._snapshot

    @property
    def refreshing(self) -> asyncio.Task[DirectorySnapshot] | None:
        """The refresh under way, if any."""
        task = self._task
        return task if task is not None and not task.done() else None

    async def settle(self) -> None:
        """Wait for the refresh under way, if any (tests, bench)."""
        task = self.refreshing
        if task is not None:
            await asyncio.gather(asyncio.shield(task), return_exceptions=True)

    def invalidate(self) -> None:
        """This process committed a load: the next reader waits for it to be read."""
        self._generation += 1

    async def close(self) -> None:
        """Stop a refresh under way (the engine is going away)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _start(self) -> asyncio.Task[DirectorySnapshot]:
        task = self._task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._refresh())
            task.add_done_callback(_log_failure)
            self._task = task
        return task

    async def _refresh(self) -> DirectorySnapshot:
        generation = self._generation
        base = self._snapshot
        freeze = _FREEZE["snapshots"] and gc.isenabled()
        if freeze:
            gc.disable()  # no collection walks the snapshot while it is being built
        try:
            async with self._engine.connect() as conn:
                await conn.execution_options(**{READ_ONLY_OPTION: True})
                async with conn.begin():
                    fresh = await refreshed(base, conn)
            if freeze and fresh is not base:
                gc.freeze()
        finally:
            if freeze:
                gc.enable()
        if fresh is not base:
            self.reloads += 1
        self._snapshot = fresh
        self._checked_at = self._monotonic()
        self._loaded_generation = max(self._loaded_generation, generation)
        return fresh


def _log_failure(task: asyncio.Task[DirectorySnapshot]) -> None:
    # A failed background check keeps the previous snapshot; the next request tries again.
    if not task.cancelled() and task.exception() is not None:
        log.warning("reading the directory failed: %r", task.exception())


class CachedDirectoryRepository(SnapshotDirectory):
    """`DirectoryRepository` answering reads from the snapshot; writes go to the database."""

    def __init__(self, source: SqlDirectoryRepository, cache: DirectoryCache) -> None:
        super().__init__(lambda: cache.current)
        self._source = source
        self._cache = cache
        self._own: DirectorySnapshot | None = None  # with this unit's uncommitted load
        self.written = False  # this unit of work changed the directory

    async def _snap(self) -> DirectorySnapshot:
        if not self.written:
            return await self._cache.snapshot()
        if self._own is None:  # our own uncommitted rows, never shared
            self._own = await refreshed(await self._cache.snapshot(), self._source.connection)
        return self._own

    async def upsert(self, directory: Directory) -> UpsertSummary:
        self.written = True
        self._own = None
        return await self._source.upsert(directory)
