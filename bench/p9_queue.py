"""P9: `queue` at 1,000,000 open cases (#18): CPU, wall time and statements per `queue`.

The 5,000-account directory of P8 (`vendor_directory.py`, `--contacts` of them), case 1001
opened through the router, then `--cases` copies of it two days old spread over the accounts,
each with its `sla_watch` timer due (so every copy is a `queue` candidate and the index holds
`--cases` due entries). `queue` runs through the router in this process, `--runs` times: the
first computes every candidate's SLA thresholds, the later ones reuse them (same case
versions). Printed per run: wall ms, this process's CPU ms (`time.process_time`), statements.
Target: under 150 ms in a constant number of statements.
Run: `python bench/p9_queue.py [--cases 1000000] [--only sqlite|postgresql]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.commands import identity
from bot.commands.router import Router
from bot.messages import CaseList, ChatRequest, Command, Outcome
from bot.model import ChatIdentity, Platform
from bot.policy.config import PolicyConfig
from bot.store.sql import SqlStore, open_store
from p7_directory import run_cli, scratch_postgres
from p8_commands import ALICE, ANA, seed_cases
from vendor_directory import write


async def say(router: Router, who: tuple[str, str, str], text: str) -> Any:
    directory = await router.store.directory()
    team, user, channel = who
    actor = await identity.by_chat(directory, ChatIdentity("slack", team, user))
    if actor is None:
        raise SystemExit(f"{user} is not in the directory")
    req = ChatRequest(
        platform=Platform.SLACK,
        workspace=team,
        channel_id=channel,
        actor=actor,
        command=Command.unparsed(text),
        now=datetime.now(UTC),
        is_direct=False,
    )
    return await router.handle(req)


async def queue_runs(router: Router, store: SqlStore, runs: int) -> None:
    """`queue` `runs` times through the router; wall, CPU and statements of each."""
    for run in range(runs):
        sent: list[str] = []

        def record(*event: Any, into: list[str] = sent) -> None:
            into.append(event[2])

        sa.event.listen(store.engine.sync_engine, "before_cursor_execute", record)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        reply = await say(router, ANA, "queue")
        wall_ms = (time.perf_counter() - wall0) * 1000
        cpu_ms = (time.process_time() - cpu0) * 1000
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        body = reply.body
        total = body.total if isinstance(body, CaseList) else None
        print(
            f"    queue run {run + 1}: {wall_ms:.0f} ms wall, {cpu_ms:.0f} ms CPU, "
            f"{len(sent)} statements; {total} listed in total",
            flush=True,
        )


async def measure(name: str, url: str, base: Path, args: argparse.Namespace) -> None:
    wall, cpu = await asyncio.to_thread(run_cli, url, "directory", "load", str(base))
    print(f"  {name}: directory loaded in {wall:.0f} s ({cpu:.0f} s CPU)", flush=True)
    store = await open_store(url)
    try:
        router = Router(store, PolicyConfig())
        store.directory_cache.check_every = 1e9
        opened = await say(router, ALICE, 'open medium "Nightly export stops"')
        if opened.outcome is not Outcome.OK:
            raise SystemExit(f"could not open case 1001: {opened}")
        started = time.perf_counter()
        await seed_cases(url, args.cases, args.accounts)
        print(f"    {args.cases:,} open cases added in {time.perf_counter() - started:.0f} s")
        await queue_runs(router, store, args.runs)
        if store.dialect == "postgresql":
            # Right after the bulk seeding PostgreSQL has no statistics on the seeded tables
            # (autovacuum has not analysed them yet) and misjudges both how many timers are
            # due and how to find 1,000 cases' events; the runs above are that state, the ones
            # below the state a live database is in.
            async with store.engine.begin() as conn:
                await conn.exec_driver_sql("ANALYZE")
            print("    after ANALYZE:", flush=True)
            await queue_runs(router, store, args.runs)
    finally:
        await store.close()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p9-") as tmp:
        workdir = Path(tmp)
        base = write(workdir / "base.yaml", args.accounts, args.contacts)
        print(f"P9 queue: {args.accounts:,} accounts, {args.cases:,} open cases", flush=True)
        if args.only in (None, "sqlite"):
            await measure("sqlite", f"sqlite+aiosqlite:///{workdir / 'p9.db'}", base, args)
        if args.only in (None, "postgresql"):
            async with scratch_postgres() as url:
                if url is None:
                    print("  postgresql: not reachable on 127.0.0.1:5432, skipped")
                    return
                await measure("postgresql", url, base, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
