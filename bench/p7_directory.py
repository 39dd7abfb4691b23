"""P7: a real vendor's directory (#18): 5,000 accounts and 50,000 contacts, SQLite and PostgreSQL.

For each database: `supportbot directory load` of the whole file into an empty database, of the
same file again (nothing changed), then `supportbot serve` with signed `/case show` arriving at
50 requests per second (at most 5 in flight) while another process loads a file in which 5% of
the contacts changed, and then one in which every contact changed. Printed: load times (wall and
CPU of the loading process), the server's own log of each directory read (full at start, then the
changed rows), and the `show` latencies (request sent -> reply at the Slack stand-in) during
each reload window. Target: no request slower than 300 ms while the directory reloads.
Run: `python bench/p7_directory.py [--contacts 50000] [--accounts 5000] [--only sqlite|postgresql]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy.engine import make_url

from harness import (
    CLIENT_CPU,
    ROOT,
    Served,
    log_problems,
    percentile,
    pin,
    signed_headers,
    slash,
    slash_body,
    start_helper,
    start_supportbot,
    wait_arrivals,
)
from p2_open import admin_sql, postgres_server
from vendor_directory import write

RATE = 50.0  # requests per second
IN_FLIGHT = 5
SLOW_MS = 300.0


@dataclass
class Paced:
    """Requests sent at a steady rate: when each was sent, and its reply latency."""

    sent: dict[str, float] = field(default_factory=dict)  # trigger -> time.monotonic()
    inline: dict[str, float] = field(default_factory=dict)  # trigger -> answered on the ack
    errors: int = 0


DM_CHANNEL = "D0ALICE01"


async def paced_shows(url: str, standin: str, stop: asyncio.Event, prefix: str) -> Paced:
    """`show 1001` at RATE per second, at most IN_FLIGHT at once, until `stop` is set."""
    paced = Paced()
    slots = asyncio.Semaphore(IN_FLIGHT)
    async with aiohttp.ClientSession() as session:

        async def one(trigger: str) -> None:
            try:
                # In Alice's DM the answer rides on the acknowledgement (in a channel the case
                # card is posted there, among the scheduler's posts): each reply is its own.
                body = slash_body(
                    "show 1001", trigger, f"{standin}/response/{trigger}", channel=DM_CHANNEL
                )
                paced.sent[trigger] = time.monotonic()
                async with session.post(
                    url, data=body.encode(), headers=signed_headers(body)
                ) as response:
                    answer = await response.read()
                    if response.status != 200:
                        paced.errors += 1
                    elif answer.strip():
                        paced.inline[trigger] = time.monotonic()
            except (aiohttp.ClientError, TimeoutError):
                paced.errors += 1
            finally:
                slots.release()

        tasks: list[asyncio.Task[None]] = []
        n = 0
        next_at = time.monotonic()
        while not stop.is_set():
            await slots.acquire()  # never more than IN_FLIGHT outstanding
            tasks.append(asyncio.create_task(one(f"{prefix}-{n}")))
            n += 1
            next_at += 1 / RATE
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*tasks)
    return paced


async def latencies(paced: Paced, standin: str) -> dict[str, tuple[float, float]]:
    """trigger -> (sent at, milliseconds to its reply, inline or at the stand-in)."""
    waiting = set(paced.sent) - set(paced.inline)
    got = await wait_arrivals(standin, waiting, within=60, sent=paced.sent)
    done = dict(paced.inline)
    done.update({t: at for t, (at, _) in got.items() if t in paced.sent and t not in done})
    return {t: (sent, (done[t] - sent) * 1000) for t, sent in paced.sent.items() if t in done}


def summary(ms: list[float]) -> str:
    if not ms:
        return "no requests"
    slow = sum(m > SLOW_MS for m in ms)
    return (
        f"{len(ms):,} answered: p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
        f"max {max(ms):.1f} ms, slower than {SLOW_MS:.0f} ms: {slow}"
    )


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str | None]:
    """A migrated database of its own on the benches' PostgreSQL, dropped afterwards (None: no
    server reachable)."""
    server = postgres_server()
    if server is None:
        yield None
        return
    db = f"supportbot_bench_{secrets.token_hex(4)}"
    await admin_sql(server, f'CREATE DATABASE "{db}"')
    url = make_url(server).set(database=db).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(run_cli, url, "db", "upgrade")
        yield url
    finally:
        await admin_sql(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def run_cli(database_url: str, *args: str) -> tuple[float, float]:
    """Run `supportbot ARGS` as its own process (pinned with the client); (wall s, CPU s)."""
    env = {**os.environ, "SUPPORTBOT_DATABASE_URL": database_url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        # Not pinned: on CPU 0 it would slow the load client and the stand-in, not the server.
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def directory_reads(log: Path) -> list[str]:
    """The server's log lines about reading the directory (JSON lines)."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        message = str(entry.get("message", "")) if isinstance(entry, dict) else ""
        if message.startswith("directory version"):
            found.append(message)
    return found


async def reload_window(
    ours: Served, standin: str, database_url: str, path: Path, name: str
) -> None:
    """`show` at a steady rate: 4 s alone, while another process loads `path`, then 6 s more
    (the next directory check, every 2 s, and the reload of what changed)."""
    stop = asyncio.Event()
    driver = asyncio.create_task(
        paced_shows(f"{ours.url}/slack/events", standin, stop, f"{name}-{secrets.token_hex(2)}")
    )
    await asyncio.sleep(4)
    load_started = time.monotonic()
    cpu = ours.cpu_seconds()
    wall, load_cpu = await asyncio.to_thread(run_cli, database_url, "directory", "load", str(path))
    committed = time.monotonic()
    await asyncio.sleep(6)
    stop.set()
    paced = await driver
    server_cpu = ours.cpu_seconds() - cpu
    done = await latencies(paced, standin)
    before = [ms for sent, ms in done.values() if sent < load_started]
    loading = [ms for sent, ms in done.values() if load_started <= sent < committed]
    reload = [ms for sent, ms in done.values() if sent >= committed]
    print(
        f"    {name}: the load took {wall:.1f} s ({load_cpu:.1f} s CPU); server CPU during it "
        f"and after {server_cpu:.2f} s; {paced.errors} errors, "
        f"{len(paced.sent) - len(done)} unanswered",
        flush=True,
    )
    print(f"      `show` before the load:           {summary(before)}")
    print(f"      `show` while another process loads: {summary(loading)}")
    print(f"      `show` while the server reloads (6 s after the commit): {summary(reload)}")


async def measure(name: str, database_url: str, files: dict[str, Path], workdir: Path) -> None:
    print(f"  {name}", flush=True)
    wall, cpu = await asyncio.to_thread(
        run_cli, database_url, "directory", "load", str(files["base"])
    )
    print(f"    first load into an empty database: {wall:.1f} s ({cpu:.1f} s CPU)", flush=True)
    wall, cpu = await asyncio.to_thread(
        run_cli, database_url, "directory", "load", str(files["base"])
    )
    print(f"    the same file again (nothing changed): {wall:.1f} s ({cpu:.1f} s CPU)", flush=True)
    standin = await start_helper("standin", workdir)
    log = workdir / f"supportbot-{name}.log"
    try:
        ours = await start_supportbot(database_url, standin.url, workdir, f"supportbot-{name}")
        try:
            opened = await slash(
                ours.url, standin.url, 'open medium "Nightly export stops"', f"{name}-open"
            )
            if not str(opened.get("text", "")).startswith("Case 0000001001"):
                raise SystemExit(f"could not open case 1001: {opened.get('text')}")
            await reload_window(ours, standin.url, database_url, files["some"], "5% changed")
            await reload_window(ours, standin.url, database_url, files["all"], "all changed")
        finally:
            ours.stop()
    finally:
        standin.stop()
    for line in directory_reads(log):
        print(f"    server: {line}")
    print(f"    server log warnings/errors: {log_problems(log) or 'none'}", flush=True)


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p7-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        files = {
            "base": write(workdir / "base.yaml", args.accounts, args.contacts),
            "some": write(workdir / "some.yaml", args.accounts, args.contacts, 0.05),
            "all": write(workdir / "all.yaml", args.accounts, args.contacts, 1.0),
        }
        print(
            f"P7 directory of {args.accounts:,} accounts and {args.contacts:,} contacts "
            f"(files written in {time.perf_counter() - started:.0f} s); `show` at {RATE:.0f}/s, "
            f"at most {IN_FLIGHT} in flight, during each reload",
            flush=True,
        )
        if args.only in (None, "sqlite"):
            await measure("sqlite", f"sqlite+aiosqlite:///{workdir / 'p7.db'}", files, workdir)
        if args.only in (None, "postgresql"):
            async with scratch_postgres() as url:
                if url is None:
                    print("  postgresql: not reachable on 127.0.0.1:5432, skipped")
                    return
                await measure("postgresql", url, files, workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    pin(CLIENT_CPU)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
