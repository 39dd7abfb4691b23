"""P3: one scheduler pass with 1% of open cases due, at 10,000 / 100,000 / 1,000,000 open cases.

Seeds a fresh database per size with bulk INSERTs through SQLAlchemy Core: open cases, their
OPENED events and their "sla" timers. 1% of the cases are Critical ones opened 50 minutes before
the pass on cloud accounts, so their 30-minute response target (SLA-3) has passed: each queues
a breach notice to its region's queue channel and an SLA-5b notice to its account channel. The
rest are High cases whose next SLA instant is hours away. Prints the sweep time of the pass, its
cost and SQL statements per due case, the delivery of what it queued (to a fake deliverer,
unpaced: pacing is P6), and the 10k -> largest-size ratio of the cost per due case.
Target: under 0.5 s at 100k, at most 2x growth from 10k to 1M.

Run: `python bench/p3_scheduler.py [--sizes 10000,100000,1000000] [--postgres URL|auto|off]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, insert, text
from sqlalchemy.engine import make_url

from bot.jobs.delivery import Delivered
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import run_once
from bot.jobs.sweeps import SWEEPS
from bot.messages import Reply
from bot.model import (
    Account,
    CareLevel,
    ChannelBinding,
    ChannelPurpose,
    Deployment,
    Platform,
)
from bot.policy.config import PolicyConfig
from bot.store.interface.directory import Directory
from bot.store.interface.outbox import OutboxMessage
from bot.store.sql import SqlStore, open_store, upgrade
from bot.store.sql.tables import case_events, cases, timers

NOW = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)  # a Tuesday, inside NA and EMEA hours
REGIONS = ("NA", "EMEA", "APAC")
ACCOUNTS = 60
CHUNK = 20_000
# The case sweeps: the incident and report sweeps do not scale with open cases.
CASE_SWEEPS = [
    (name, sweep) for name, sweep in SWEEPS if name in ("follow_up", "sla", "escalation")
]


class CountingDeliverer:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.count = 0

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        self.count += 1
        return Delivered(str(message.id))


def directory() -> Directory:
    accounts = tuple(
        Account(
            id=f"acct{i:03d}",
            sold_to=f"Sold To {i}",
            end_user=f"End User {i}",
            partner=False,
            deployment=Deployment.ON_PREMISES if i % 2 else Deployment.CLOUD,
            care_level=CareLevel.BUSINESS,
            region=REGIONS[i % len(REGIONS)],
            contract_start=date(2025, 1, 1),
            contract_end=date(2028, 12, 31),
        )
        for i in range(ACCOUNTS)
    )
    queues = tuple(
        ChannelBinding(Platform.SLACK, f"CQ{r}", ChannelPurpose.QUEUE, regions=frozenset({r}))
        for r in REGIONS
    )
    own = tuple(
        ChannelBinding(Platform.SLACK, f"CA{a.id}", ChannelPurpose.ACCOUNT, account_id=a.id)
        for a in accounts[::2]
    )
    return Directory(accounts=accounts, channels=queues + own)


def rows(first: int, count: int, due_every: int) -> tuple[list[dict[str, Any]], ...]:
    case_rows, event_rows, timer_rows = [], [], []
    for number in range(first, first + count):
        due = number % due_every == 0
        opened = NOW - timedelta(minutes=50) if due else NOW - timedelta(minutes=30)
        priority = "critical" if due else "high"
        account = f"acct{number % ACCOUNTS:03d}"
        case_rows.append(
            {
                "number": number,
                "account_id": account,
                "summary": f"Case {number}: the login page returns 500",
                "description": "Every login attempt fails with an internal error.",
                "priority": priority,
                "case_type": "Support",
                "case_subtype": "Problem",
                "stage": "production",
                "status": "Open",
                "sub_status": "New",
                "opened_by": "someone@example.com",
                "opened_at": opened,
                "updated_at": opened,
                "production_down": False,
                "security_threat": False,
            }
        )
        event_rows.append(
            {
                "case_number": number,
                "kind": "opened",
                "at": opened,
                "author": "someone@example.com",
                "platform": "slack",
                "visibility": "public",
                "body": "opened",
                "status": "Open",
                "sub_status": "New",
                "priority": priority,
                "production_down": False,
            }
        )
        # The due 1%: the 75% warning at +45 min; the rest: a High response warning hours away.
        due_at = opened + timedelta(minutes=45) if due else NOW + timedelta(hours=3)
        timer_rows.append({"kind": "sla", "subject": str(number), "due_at": due_at, "payload": {}})
    return case_rows, event_rows, timer_rows


async def seed(store: SqlStore, size: int) -> None:
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(directory())
        await uow.commit()
    for first in range(1001, 1001 + size, CHUNK):
        count = min(CHUNK, 1001 + size - first)
        case_rows, event_rows, timer_rows = rows(first, count, due_every=100)
        async with store.engine.begin() as conn:
            await conn.execute(insert(cases), case_rows)
            await conn.execute(insert(case_events), event_rows)
            await conn.execute(insert(timers), timer_rows)
    if store.dialect == "postgresql":
        async with store.engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("ANALYZE"))


class StatementCounter:
    """Counts the SQL statements an engine sends (an executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


async def measure(url: str, size: int) -> tuple[float, float, int, int, int]:
    store = await open_store(url, auto_upgrade=True)
    try:
        started = time.perf_counter()
        await seed(store, size)
        print(f"  seeded {size:,} open cases in {time.perf_counter() - started:.1f} s", flush=True)
        config = PolicyConfig()
        statements = StatementCounter()
        event.listen(store.engine.sync_engine, "before_cursor_execute", statements)
        started = time.perf_counter()
        report = await run_once(store, config, NOW, {}, sweeps=CASE_SWEEPS, deliver=False)
        sweep_s = time.perf_counter() - started
        event.remove(store.engine.sync_engine, "before_cursor_execute", statements)
        slack = CountingDeliverer(Platform.SLACK)
        worker = OutboxWorker(store, {Platform.SLACK: slack}, pacer=Pacer(limits={}))
        started = time.perf_counter()
        await worker.drain(NOW)
        deliver_s = time.perf_counter() - started
        if report.failed:
            raise RuntimeError(f"sweeps failed: {report.failed}")
        return sweep_s, deliver_s, report.total_queued, slack.count, statements.count
    finally:
        await store.close()


DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_server(choice: str) -> str | None:
    """The server to use: an explicit URL, or the local default when it answers."""
    if choice != "auto":
        return choice
    url = os.environ.get("SUPPORTBOT_TEST_DATABASE_URL", "").strip()
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return DEFAULT_PG
    except OSError:
        return None


async def _admin(server: str, statement: str) -> None:
    dsn = make_url(server).set(drivername="postgresql")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def postgres_database(server: str) -> tuple[str, str]:
    name = f"supportbot_bench_{secrets.token_hex(4)}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await upgrade(url)
    return name, url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--postgres", default="auto", help="a server URL, 'auto' or 'off'")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    targets: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres != "off":
        server = postgres_server(args.postgres)
        if server is not None:
            targets.append(("postgresql", server))
    for name, server in targets:
        print(f"P3 on {name}: one pass, 1% of open cases due")
        results: dict[int, float] = {}
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                db_name = None
                if server is None:
                    url = f"sqlite+aiosqlite:///{Path(tmp) / 'p3.db'}"
                else:
                    db_name, url = await postgres_database(server)
                try:
                    sweep_s, deliver_s, queued, delivered, sql = await measure(url, size)
                finally:
                    if server is not None and db_name is not None:
                        await _admin(server, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                due = size // 100
            results[size] = sweep_s / due
            print(
                f"  {size:>9,} open, {due:,} due: pass (sweeps) {sweep_s:.3f} s = "
                f"{sweep_s / due * 1000:.2f} ms per due case, {queued:,} notices queued; "
                f"delivering them {deliver_s:.3f} s ({delivered:,} posts); "
                f"{sql:,} SQL statements in the pass ({sql / due:.2f} per due case)",
                flush=True,
            )
        smallest, largest = min(results), max(results)
        if smallest != largest:
            ratio = results[largest] / results[smallest]
            print(
                f"  cost per due case, {largest:,} vs {smallest:,} open: {ratio:.2f}x "
                "(target <= 2x: the cost follows the due work, not the open cases)"
            )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    asyncio.run(main())
