"""P5: the serving process's memory with 100,000 cases stored (SQLite).

Two template cases are made through the real stack (one open with two updates, one updated and
closed), then copied with SQLAlchemy Core into 100,000 cases (10% open, 90% closed) spread over
the example directory's accounts and contacts, with their events, timers and audit rows. Then
`supportbot serve` (scheduler on) answers 1,000 `show`/`list` requests and its VmRSS and VmHWM
are read from /proc/<pid>/status. Target: under 200 MB RSS.
Run: `python bench/p5_memory.py [--cases N] [--requests N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.store.sql.tables import CASE_NUMBER_COUNTER, audit, case_events, cases, counters, timers
from harness import (
    CLIENT_CPU,
    Served,
    drive_through,
    log_problems,
    pin,
    rss_line,
    slash,
    start_helper,
    start_supportbot,
)

# Who opens cases on each account (designated contacts of examples/directory.yaml).
OPENERS = {
    "acme": ["alice@acme.example", "bernard@acme.example"],
    "globex": ["dieter@globex.example", "eva@globex.example"],
    "initech-hooli": ["grace@initech.example", "hiro@initech.example"],
    "umbrella": ["karla@umbrella.example", "luis@umbrella.example"],
    "wayne": ["maria@wayne.example"],
}
TEMPLATE_AUTHOR = "alice@acme.example"
DETAIL = (
    "Since the 2.4 upgrade the nightly export job stops after about 40 minutes with "
    "'connection reset by peer'. Finance uses the export every morning; we restarted the "
    "service, cleared the temp folder and re-ran it by hand with the same result. "
)
BATCH = 5_000


async def make_templates(ours: Served, standin: str) -> tuple[int, int]:
    """Case 1001 stays open with two updates; 1002 gets an update and is closed."""
    for n in (1, 2):
        opened = await slash(
            ours.url,
            standin,
            f'open medium "Nightly export stops ({n})" --description "{DETAIL * 3}"',
            f"open{n}",
        )
        if not str(opened.get("text", "")).startswith("Case "):
            raise SystemExit(f"template case not opened: {opened.get('text')}")
    for number, n in ((1001, 1), (1001, 2), (1002, 1)):
        await slash(
            ours.url, standin, f"update {number} Attempt {n}: {DETAIL * 2}", f"u{number}{n}"
        )
    closed = await slash(ours.url, standin, "close 1002 resolved Fixed by 2.4.1, thanks", "close")
    if "Closed" not in str(closed):
        raise SystemExit(f"template case not closed: {closed.get('text')}")
    return 1001, 1002


def _rows(
    conn: sa.Connection, table: sa.Table, column: sa.Column[Any], value: Any
) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(sa.select(table).where(column == value))]


def seed(db: Path, open_template: int, closed_template: int, count: int) -> float:
    """Copy the two templates into `count` cases; seconds taken."""
    started = time.perf_counter()
    engine = sa.create_engine(f"sqlite:///{db}")
    rng = random.Random(5)
    accounts = list(OPENERS)
    with engine.begin() as conn:
        templates = {}
        for number in (open_template, closed_template):
            templates[number] = (
                _rows(conn, cases, cases.c.number, number)[0],
                _rows(conn, case_events, case_events.c.case_number, number),
                _rows(conn, timers, timers.c.subject, str(number)),
                _rows(conn, audit, audit.c.case_number, number),
            )
        first = open_template + 2
        batches: dict[str, list[dict[str, Any]]] = {"c": [], "e": [], "t": [], "a": []}
        for number in range(first, first + count):
            is_open = rng.random() < 0.10
            case, events, case_timers, trail = templates[
                open_template if is_open else closed_template
            ]
            account = accounts[number % len(accounts)]
            opener = rng.choice(OPENERS[account])
            back = timedelta(minutes=(first + count - number) * 5)

            def who(email: str, opener: str = opener) -> str:
                return opener if email == TEMPLATE_AUTHOR else email

            row = {**case, "number": number, "account_id": account, "opened_by": opener}
            row["summary"] = f"{case['summary']} #{number}"
            for key in ("opened_at", "updated_at", "closed_at"):
                row[key] = row[key] - back if row[key] is not None else None
            batches["c"].append(row)
            for e in events:
                batches["e"].append(
                    {**_without_id(e), "case_number": number, "at": e["at"] - back}
                    | {"author": who(e["author"])}
                )
            for t in case_timers:
                batches["t"].append({**_without_id(t), "subject": str(number)})
            for a in trail:
                batches["a"].append(
                    {**_without_id(a), "case_number": number, "actor": who(a["actor"])}
                    | {"at": a["at"] - back}
                )
            if len(batches["c"]) >= BATCH:
                _flush(conn, batches)
        _flush(conn, batches)
        conn.execute(
            counters.update()
            .where(counters.c.name == CASE_NUMBER_COUNTER)
            .values(value=first + count - 1)
        )
    engine.dispose()
    return time.perf_counter() - started


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


def _flush(conn: sa.Connection, batches: dict[str, list[dict[str, Any]]]) -> None:
    for key, table in (("c", cases), ("e", case_events), ("t", timers), ("a", audit)):
        if batches[key]:
            conn.execute(table.insert(), batches[key])
            batches[key].clear()


def table_counts(db: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        counted = [
            f"{t.name} {conn.scalar(sa.select(sa.func.count()).select_from(t)):,}"
            for t in (cases, case_events, timers, audit)
        ]
        open_cases = conn.scalar(
            sa.select(sa.func.count()).select_from(cases).where(cases.c.status != "Closed")
        )
    engine.dispose()
    return ", ".join(counted) + f" ({open_cases:,} cases open)"


def request_text(rng: random.Random, last: int) -> str:
    """Mostly `show` of acme cases (Alice may see them), some lists."""
    roll = rng.random()
    if roll < 0.7:
        acme = rng.randrange(1005, last + 1, len(OPENERS))  # number % 5 == 0: acme (index 0)
        return f"show {acme}"
    if roll < 0.8:
        return "list"
    if roll < 0.9:
        return "list --all"
    return "list --all --closed"


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p5-") as tmp:
        workdir = Path(tmp)
        db = workdir / "p5.db"
        url = f"sqlite+aiosqlite:///{db}"
        standin = await start_helper("standin", workdir)
        try:
            ours = await start_supportbot(url, standin.url, workdir, "template")
            try:
                open_template, closed_template = await make_templates(ours, standin.url)
            finally:
                ours.stop()
            took = seed(db, open_template, closed_template, args.cases)
            size = db.stat().st_size / 2**20
            print(f"P5 memory with {args.cases:,} cases stored (SQLite, {size:.0f} MB file)")
            print(f"  seeded in {took:.1f} s: {table_counts(db)}", flush=True)
            ours = await start_supportbot(url, standin.url, workdir, "supportbot")
            try:
                print(f"  {rss_line(ours, 'serving, idle')}")
                rng = random.Random(7)
                last = open_template + 1 + args.cases
                texts = [request_text(rng, last) for _ in range(args.requests)]
                through = await drive_through(
                    ours, standin.url, lambda i: texts[i], args.requests, args.concurrency, "p5"
                )
                print(f"  {args.requests:,} show/list requests: {through.summary()}")
                cards = sum(
                    str(b.get("text", "")).startswith(("Case ", "Your ", "Open ", "Closed "))
                    for b in through.replies.values()
                )
                print(f"  replies that are a case card or a case list: {cards:,}")
                mem = ours.memory_kb()
                print(f"  {rss_line(ours, 'after the requests')}")
                print(f"  server log warnings/errors: {log_problems(workdir / 'supportbot.log')}")
            finally:
                ours.stop()
        finally:
            standin.stop()
    print(f"  peak RSS {mem['VmHWM'] / 1024:.1f} MB against the target of 200 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    pin(CLIENT_CPU)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
