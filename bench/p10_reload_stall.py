"""P10: how long a directory reload holds the event loop (#18), SQLite and PostgreSQL.

P7 measures `show` latency while the server reloads, which on a busy machine mixes the reload's
own cost with waiting for a CPU. This one asks the question directly, in one process: a ticker
task measures the longest gap between two of its turns on the loop while the directory cache
reads the 50,000-contact directory (all rows), then the rows changed by a load of a file in which
5% of the contacts changed, then every contact. A request arriving during a reload waits at most
about that gap (plus its own work). Target: far under P7's 300 ms.
Run: `python bench/p10_reload_stall.py [--contacts 50000] [--only sqlite|postgresql]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.sql import open_store
from bot.store.sql.directory_cache import refreshed
from bot.store.sql.directory_snapshot import DirectorySnapshot
from bot.store.sql.statements import READ_ONLY_OPTION
from p7_directory import run_cli, scratch_postgres
from vendor_directory import write


class GcPauses:
    """The longest cyclic garbage collection pause (`gc.callbacks`), in ms, and its generation."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.generation = -1
        self._started = 0.0
        gc.callbacks.append(self._note)

    def reset(self) -> None:
        self.longest, self.generation = 0.0, -1

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = (time.perf_counter() - self._started) * 1000
        if took > self.longest:
            self.longest, self.generation = took, info["generation"]


async def longest_stall(
    work: asyncio.Future[DirectorySnapshot],
) -> tuple[float, float, float]:
    """(longest gap between two loop turns in wall time and in this thread's CPU time, wall
    time of the whole) while `work` runs, in ms. The CPU gap is the work the loop could not
    interrupt, whatever else the machine was doing; the wall gap adds waiting for a CPU."""
    started = last = time.perf_counter()
    last_cpu = time.thread_time()
    longest = longest_cpu = 0.0
    while not work.done():
        await asyncio.sleep(0)
        now, cpu = time.perf_counter(), time.thread_time()
        longest, last = max(longest, now - last), now
        longest_cpu, last_cpu = max(longest_cpu, cpu - last_cpu), cpu
    await work
    return longest * 1000, longest_cpu * 1000, (time.perf_counter() - started) * 1000


async def measure(name: str, url: str, files: dict[str, Path], freeze: bool) -> None:
    wall, cpu = await asyncio.to_thread(run_cli, url, "directory", "load", str(files["base"]))
    print(f"  {name}: directory loaded in {wall:.0f} s ({cpu:.0f} s CPU)", flush=True)
    store = await open_store(url)
    pauses = GcPauses()
    try:
        current = DirectorySnapshot()
        for label in ("all rows (start)", "5% changed", "all changed"):
            if label != "all rows (start)":
                key = "some" if label == "5% changed" else "all"
                await asyncio.to_thread(run_cli, url, "directory", "load", str(files[key]))
            pauses.reset()
            if freeze:  # what `freeze_snapshots()` has the server's cache do around a reload
                gc.disable()
            task = asyncio.ensure_future(reload(store.engine, current))
            stall, stall_cpu, took = await longest_stall(task)
            current = task.result()
            if freeze:
                gc.freeze()
                gc.enable()
            print(
                f"    {label}: reload {took:.0f} ms wall, longest loop stall {stall:.1f} ms "
                f"wall, {stall_cpu:.1f} ms CPU; longest GC pause {pauses.longest:.1f} ms (generation "
                f"{pauses.generation}) ({len(current.contacts):,} contacts)",
                flush=True,
            )
    finally:
        await store.close()


async def reload(engine: AsyncEngine, base: DirectorySnapshot) -> DirectorySnapshot:
    """What the server's background refresh does (`DirectoryCache._refresh`)."""
    async with engine.connect() as conn:
        await conn.execution_options(**{READ_ONLY_OPTION: True})
        async with conn.begin():
            return await refreshed(base, conn)


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p10-") as tmp:
        workdir = Path(tmp)
        files = {
            "base": write(workdir / "base.yaml", args.accounts, args.contacts),
            "some": write(workdir / "some.yaml", args.accounts, args.contacts, 0.05),
            "all": write(workdir / "all.yaml", args.accounts, args.contacts, 1.0),
        }
        print(
            f"P10 reload stall: {args.accounts:,} accounts, {args.contacts:,} contacts; "
            f"gc.freeze after each reload: {args.freeze}"
        )
        if args.only in (None, "sqlite"):
            await measure("sqlite", f"sqlite+aiosqlite:///{workdir / 'p10.db'}", files, args.freeze)
        if args.only in (None, "postgresql"):
            async with scratch_postgres() as url:
                if url is None:
                    print("  postgresql: not reachable on 127.0.0.1:5432, skipped")
                    return
                await measure("postgresql", url, files, args.freeze)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--freeze", action="store_true", help="as `serve` does (gc.freeze)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
