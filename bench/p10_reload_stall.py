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
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.sql import open_store
from bot.store.sql.directory_cache import refreshed
from bot.store.sql.directory_snapshot import DirectorySnapshot
from bot.store.sql.statements import READ_ONLY_OPTION
from p2_open import admin_sql, postgres_server
from p7_directory import run_cli
from vendor_directory import write


async def longest_stall(work: asyncio.Future[DirectorySnapshot]) -> tuple[float, float]:
    """(longest gap between two loop turns, wall time) while `work` runs, in ms."""
    started = last = time.perf_counter()
    longest = 0.0
    while not work.done():
        await asyncio.sleep(0)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    await work
    return longest * 1000, (time.perf_counter() - started) * 1000


async def measure(name: str, url: str, files: dict[str, Path]) -> None:
    wall, cpu = await asyncio.to_thread(run_cli, url, "directory", "load", str(files["base"]))
    print(f"  {name}: directory loaded in {wall:.0f} s ({cpu:.0f} s CPU)", flush=True)
    store = await open_store(url)
    try:
        current = DirectorySnapshot()
        for label in ("all rows (start)", "5% changed", "all changed"):
            if label != "all rows (start)":
                key = "some" if label == "5% changed" else "all"
                await asyncio.to_thread(run_cli, url, "directory", "load", str(files[key]))
            task = asyncio.ensure_future(reload(store.engine, current))
            stall, took = await longest_stall(task)
            current = task.result()
            print(
                f"    {label}: reload {took:.0f} ms wall, longest loop stall {stall:.1f} ms "
                f"({len(current.contacts):,} contacts)",
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
        print(f"P10 reload stall: {args.accounts:,} accounts, {args.contacts:,} contacts")
        if args.only in (None, "sqlite"):
            await measure("sqlite", f"sqlite+aiosqlite:///{workdir / 'p10.db'}", files)
        if args.only in (None, "postgresql"):
            server = postgres_server()
            if server is None:
                print("  postgresql: not reachable on 127.0.0.1:5432, skipped")
                return
            db = f"supportbot_bench_{secrets.token_hex(4)}"
            await admin_sql(server, f'CREATE DATABASE "{db}"')
            url = make_url(server).set(database=db).render_as_string(hide_password=False)
            try:
                await asyncio.to_thread(run_cli, url, "db", "upgrade")
                await measure("postgresql", url, files)
            finally:
                await admin_sql(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
