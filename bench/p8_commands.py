"""P8: the command path at a real vendor's size (#18): `show`, `list`, `queue`, `open`.

With the 50,000-contact directory (`vendor_directory.py`) and `--cases` open cases spread over
its accounts (copies of case 1001, two days old, so that `queue` has work), on SQLite and
PostgreSQL, 3 repetitions each, side by side with a bare slack-bolt app that only acks. Printed
per verb: CPU per request at the server (from /proc), its ratio to the bare app's ack in the
same run, SQL statements per request (counted through the router in this process with
SQLAlchemy's `before_cursor_execute`), and reply latency (request sent -> reply at the Slack
stand-in) p50/p99 at 50 requests per second with at most 5 in flight, and with 50 connections
as fast as they go. Targets: `show` <= 2 ms CPU, `open` <= 5 ms; p99 < 50 ms for `show` and
< 100 ms for `open` at 50/s; `queue` under 150 ms.

CPU per request, two ways, for ours and for the bare app alike. Before every run the bench
waits until the server is idle (under 3% of a core in two half-second windows: no scheduler
pass, directory check or tail of the last run), then measures its idle background over as long
as a paced run. "raw": the server's CPU from the first request sent to the last answer
received, over the requests (what P8 printed before; it includes whatever background fell in
the run). "background subtracted": the CPU from the first request until the last reply reached
the stand-in (work after the acknowledgement included), less the idle rate over that time.
Replies: inline on the acknowledgement, through the response_url, or (a case card in its
channel, CONV-1) posted with chat.postMessage: `open`'s found by the `bench_ref` in its title,
`show`'s by order of arrival (see `harness.wait_arrivals`).
Run: `python bench/p8_commands.py [--cases 100000] [--paced 250] [--burst 500] [--only ...]`.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.commands import identity
from bot.commands.router import Router
from bot.messages import ChatRequest, Command
from bot.model import ChatIdentity, Platform
from bot.policy.config import PolicyConfig
from bot.store.sql import open_store
from bot.store.sql.tables import (
    CASE_NUMBER_COUNTER,
    CASE_NUMBER_SEQUENCE,
    case_events,
    cases,
    counters,
    timers,
)
from harness import (
    CLIENT_CPU,
    Served,
    bench_ref,
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
from p7_directory import run_cli, scratch_postgres
from vendor_directory import write

ALICE = ("T0ACME001", "U0ALICE01", "C0ACME001")  # designated contact of acme, in its channel
ALICE_DM = ("T0ACME001", "U0ALICE01", "D0ALICE01")  # the same, in her DM with the bot
ANA = ("T0VEND001", "U0ANA0001", "C0QUEUEAM")  # analyst, in the Americas queue channel
# The text per trigger; `open`'s case card is posted to the channel, found by its `bench_ref`.
VERBS: dict[str, tuple[tuple[str, str, str], Callable[[str], str]]] = {
    "show": (ALICE, lambda _: "show 1001"),  # in a channel the case card is posted (CONV-1)
    "show-dm": (ALICE_DM, lambda _: "show 1001"),  # in a DM it rides on the acknowledgement
    "list": (ALICE, lambda _: "list"),
    "queue": (ANA, lambda _: "queue"),
    "open": (ALICE, lambda t: f"open low Export question {bench_ref(t)} about the nightly job"),
}
AGE = timedelta(days=2)
PACED_RATE = 50.0  # requests per second in the paced runs


@dataclass
class Run:
    sent: dict[str, float]
    inline: dict[str, float]
    errors: int
    cpu: float  # server CPU seconds from the first request sent to the last answer received
    started: float  # time.monotonic() and the server's CPU seconds when the first was sent
    started_cpu: float
    background: float  # the server's CPU seconds per second, idle, just before the run
    net_cpu: float = float("nan")  # CPU until the last reply, less the background (latencies)

    def count_net_cpu(self, served: Served) -> None:
        """`net_cpu`: the CPU from the first request until now, less what the idle server would
        have used over the same time."""
        used = served.cpu_seconds() - self.started_cpu
        self.net_cpu = used - self.background * (time.monotonic() - self.started)

    async def latencies(self, served: Served, standin: str) -> list[float]:
        """Reply latencies in ms; also sets `net_cpu`, once every reply arrived (or 120 s)."""
        waiting = set(self.sent) - set(self.inline)
        got = await wait_arrivals(standin, waiting, within=120, sent=self.sent)
        # Work after the acknowledgement (a case card posted, `open`'s alerts written to the
        # outbox) belongs to the request: count the CPU until the last reply arrived.
        self.count_net_cpu(served)
        done = dict(self.inline)
        done.update({t: at for t, (at, _) in got.items() if t in self.sent and t not in done})
        return [(done[t] - s) * 1000 for t, s in self.sent.items() if t in done]


async def drive(
    served: Served,
    standin: str,
    who: tuple[str, str, str],
    text: Callable[[str], str],
    count: int,
    in_flight: int,
    rate: float | None,
    prefix: str,
    idle: float | None,
) -> Run:
    """`count` signed slash commands, at most `in_flight` at once, `rate` per second if given.

    First waits until the server is idle, then measures its background CPU over an idle window
    of `idle` seconds (as long as a paced run), so that `Run.net_cpu` can take it off; with
    `idle` None (the warm-up) neither.
    """
    background = float("nan")
    if idle is not None:
        await served.settle()
        background = await served.cpu_rate(idle)
    sent: dict[str, float] = {}
    inline: dict[str, float] = {}
    errors = 0
    slots = asyncio.Semaphore(in_flight)
    url = f"{served.url}/slack/events"
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            nonlocal errors
            trigger = f"{prefix}-{i}"
            body = slash_body(text(trigger), trigger, f"{standin}/response/{trigger}", *who)
            try:
                sent[trigger] = time.monotonic()
                async with session.post(
                    url, data=body.encode(), headers=signed_headers(body)
                ) as response:
                    answer = await response.read()
                    if response.status != 200:
                        errors += 1
                    elif answer.strip():
                        inline[trigger] = time.monotonic()
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
            finally:
                slots.release()

        tasks = []
        cpu, next_at = served.cpu_seconds(), time.monotonic()
        started = next_at
        for i in range(count):
            await slots.acquire()
            tasks.append(asyncio.create_task(one(i)))
            if rate is not None:
                next_at += 1 / rate
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*tasks)
    return Run(sent, inline, errors, served.cpu_seconds() - cpu, started, cpu, background)


async def seed_cases(database_url: str, copies: int, accounts: int) -> None:
    """`copies` copies of case 1001 (events, timers), two days older, over the generated accounts."""
    engine = create_async_engine(database_url)

    def older(row: dict[str, Any], *names: str) -> dict[str, Any]:
        return row | {n: row[n] - AGE for n in names if row.get(n) is not None}

    try:
        async with engine.begin() as conn:
            case = dict(
                (await conn.execute(sa.select(cases).where(cases.c.number == 1001))).one()._mapping
            )
            events = [
                {k: v for k, v in r._mapping.items() if k != "id"}
                for r in await conn.execute(
                    sa.select(case_events).where(case_events.c.case_number == 1001)
                )
            ]
            watched = [
                {k: v for k, v in r._mapping.items() if k != "id"}
                # Only the `sla_watch` index `queue` reads: copies of the `sla` warning timers
                # would keep the server's scheduler busy sending 100,000 overdue warnings.
                for r in await conn.execute(
                    sa.select(timers).where(
                        timers.c.subject == "1001", timers.c.kind == "sla_watch"
                    )
                )
            ]
            first = 2_000_000
            for start in range(0, copies, 5_000):
                numbers = range(first + start, first + min(copies, start + 5_000))
                await conn.execute(
                    cases.insert(),
                    [
                        older(case, "opened_at", "updated_at")
                        | {
                            "number": n,
                            "account_id": f"acct{n % accounts:05d}",
                            "opened_by": f"person{n % accounts:06d}@customer{n % accounts}.example",
                        }
                        for n in numbers
                    ],
                )
                await conn.execute(
                    case_events.insert(),
                    [older(e, "at") | {"case_number": n} for n in numbers for e in events],
                )
                await conn.execute(
                    timers.insert(),
                    [older(t, "due_at") | {"subject": str(n)} for n in numbers for t in watched],
                )
            last = first + copies
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.text(f"SELECT setval('{CASE_NUMBER_SEQUENCE}', {last})"))
            else:
                await conn.execute(
                    sa.update(counters)
                    .where(counters.c.name == CASE_NUMBER_COUNTER)
                    .values(value=last)
                )
    finally:
        await engine.dispose()


async def statements_per_verb(database_url: str) -> dict[str, int]:
    """Statements each verb sends, through the router in this process (identity from memory)."""
    store = await open_store(database_url)
    counted: dict[str, int] = {}
    try:
        router = Router(store, PolicyConfig())
        store.directory_cache.check_every = 1e9
        directory = await store.directory()
        for verb, ((team, user, channel), text) in VERBS.items():
            actor = await identity.by_chat(directory, ChatIdentity("slack", team, user))
            if actor is None:
                raise SystemExit(f"{user} is not in the directory")
            sent: list[str] = []

            def record(*args: Any, into: list[str] = sent) -> None:
                into.append(args[2])

            sa.event.listen(store.engine.sync_engine, "before_cursor_execute", record)
            await router.handle(
                ChatRequest(
                    platform=Platform.SLACK,
                    workspace=team,
                    channel_id=channel,
                    actor=actor,
                    command=Command.unparsed(text("count-0")),
                    now=datetime.now(UTC),
                    is_direct=channel.startswith("D"),
                )
            )
            sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
            counted[verb] = len(sent)
    finally:
        await store.close()
    return counted


def rep_line(
    rep: int,
    args: argparse.Namespace,
    bare: Run,
    paced: Run,
    burst: Run,
    paced_ms: list[float],
    burst_ms: list[float],
) -> str:
    """One repetition's figures: CPU per request as measured (`raw`: the server's CPU over the
    run, its background included) and with the idle background taken off (`net`: CPU until the
    last reply, less the idle rate over that time), for ours and for the bare bolt app."""

    def ms(cpu: float, count: int) -> float:
        return cpu / count * 1000

    raw, bare_raw = ms(paced.cpu, args.paced), ms(bare.cpu, args.paced)
    net, bare_net = ms(paced.net_cpu, args.paced), ms(bare.net_cpu, args.paced)
    unanswered = len(paced.sent) - len(paced_ms) + len(burst.sent) - len(burst_ms)
    return (
        f"      rep {rep + 1}: CPU raw {raw:.2f} ms/request (bare bolt ack {bare_raw:.2f} ms, "
        f"ratio {raw / bare_raw:.1f}x); background subtracted {net:.2f} ms/request (bare bolt "
        f"{bare_net:.2f} ms, ratio {net / bare_net:.1f}x; idle background ours "
        f"{paced.background:.1%} of a core, bare {bare.background:.1%})\n"
        f"             50/s <=5 in flight: p50 {percentile(paced_ms, 50):.1f} ms, p99 "
        f"{percentile(paced_ms, 99):.1f} ms; 50 connections: p50 {percentile(burst_ms, 50):.1f} "
        f"ms, p99 {percentile(burst_ms, 99):.1f} ms, CPU raw {ms(burst.cpu, args.burst):.2f} "
        f"ms/request, background subtracted {ms(burst.net_cpu, args.burst):.2f} ms/request "
        f"(idle background {burst.background:.1%}); errors {paced.errors + burst.errors}, "
        f"unanswered {unanswered}"
    )


async def measure(name: str, url: str, base: Path, workdir: Path, args: argparse.Namespace) -> None:
    print(f"  {name}", flush=True)
    wall, cpu = await asyncio.to_thread(run_cli, url, "directory", "load", str(base))
    print(f"    directory loaded in {wall:.0f} s ({cpu:.0f} s CPU)", flush=True)
    standin = await start_helper("standin", workdir)
    bare = await start_helper("bare", workdir, standin.url)
    log = workdir / f"supportbot-{name}.log"
    try:
        ours = await start_supportbot(url, standin.url, workdir, f"supportbot-{name}", args.loop)
        opened = await slash(ours.url, standin.url, 'open medium "Nightly export stops"', "o")
        if not str(opened.get("text", "")).startswith("Case 0000001001"):
            raise SystemExit(f"could not open case 1001: {opened.get('text')}")
        ours.stop()
        started = time.perf_counter()
        await seed_cases(url, args.cases, args.accounts)
        print(f"    {args.cases:,} open cases added in {time.perf_counter() - started:.0f} s")
        counted = await statements_per_verb(url)
        ours = await start_supportbot(url, standin.url, workdir, f"supportbot-{name}", args.loop)
        try:
            for verb, (who, text) in VERBS.items():
                if verb not in args.verbs:
                    continue
                await drive(ours, standin.url, who, text, 50, 5, None, f"w{verb}", None)  # warm-up
                rows = []
                idle = args.paced / PACED_RATE  # the background window: as long as a paced run
                for rep in range(args.reps):
                    tag = f"{verb}{rep}{secrets.token_hex(2)}"
                    b = await drive(
                        bare,
                        standin.url,
                        ALICE,
                        VERBS["show"][1],
                        args.paced,
                        5,
                        PACED_RATE,
                        f"b{tag}",
                        idle,
                    )
                    b.count_net_cpu(bare)  # the bare app only acks: no replies to wait for
                    p = await drive(
                        ours, standin.url, who, text, args.paced, 5, PACED_RATE, f"p{tag}", idle
                    )
                    paced_ms = await p.latencies(ours, standin.url)
                    c = await drive(
                        ours, standin.url, who, text, args.burst, 50, None, f"c{tag}", idle
                    )
                    burst_ms = await c.latencies(ours, standin.url)
                    rows.append(rep_line(rep, args, b, p, c, paced_ms, burst_ms))
                print(f"    {verb} ({counted[verb]} statements per request)")
                for row in rows:
                    print(row, flush=True)
        finally:
            ours.stop()
    finally:
        bare.stop()
        standin.stop()
    print(f"    server log warnings/errors: {log_problems(log) or 'none'}", flush=True)


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p8-") as tmp:
        workdir = Path(tmp)
        base = write(workdir / "base.yaml", args.accounts, args.contacts)
        print(
            f"P8 command path: {args.accounts:,} accounts, {args.contacts:,} contacts, "
            f"{args.cases:,} more open cases; {args.paced} requests at 50/s (<=5 in flight) and "
            f"{args.burst} at 50 connections per verb and repetition; serve --loop {args.loop}",
            flush=True,
        )
        if args.only in (None, "sqlite"):
            await measure("sqlite", f"sqlite+aiosqlite:///{workdir / 'p8.db'}", base, workdir, args)
        if args.only in (None, "postgresql"):
            async with scratch_postgres() as url:
                if url is None:
                    print("  postgresql: not reachable on 127.0.0.1:5432, skipped")
                    return
                await measure("postgresql", url, base, workdir, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--paced", type=int, default=250)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto")
    parser.add_argument(
        "--verbs", default="show,show-dm,list,queue,open", type=lambda v: v.split(",")
    )
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    pin(CLIENT_CPU)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
