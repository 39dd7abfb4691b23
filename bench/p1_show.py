"""P1: signed Slack `/case show` through the whole stack, against a bare bolt app that only acks.

Three servers, one after the other, each in its own process pinned to one CPU (the load client
and the Slack stand-in share the other): a null aiohttp app (the client's own ceiling), a bare
slack-bolt AsyncApp that only acks `/case`, and `supportbot serve` on SQLite with the example
directory and a case 1001 to show. Ours is measured twice over: the HTTP acknowledgement, and
the time until the reply reaches the Slack stand-in's response_url. Target: our throughput at
least 50% of the bare app's, p99 under 50 ms, at 50 concurrent connections.
Run: `python bench/p1_show.py [--requests N] [--warmup N] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from harness import (
    CLIENT_CPU,
    Served,
    drive,
    drive_through,
    log_problems,
    percentile,
    pin,
    rss_line,
    slash,
    start_helper,
    start_supportbot,
)

CASE_TEXT = (
    "Since the 2.4 upgrade the nightly export job stops after about 40 minutes with "
    "'connection reset by peer'; the export is used by finance every morning."
)


async def peer(kind: str, workdir: Path, standin: str, args: argparse.Namespace) -> float:
    """Warm up and measure a null or bare server; its one-line summary."""
    served = await start_helper(kind, workdir, standin)
    try:
        url = f"{served.url}/slack/events"
        await drive(url, lambda _: "show 1001", args.warmup, args.concurrency, standin, "w" + kind)
        load = await drive(
            url, lambda _: "show 1001", args.requests, args.concurrency, standin, kind
        )
        print(f"  {kind:<5} {load.summary()}", flush=True)
        return load.rate
    finally:
        served.stop()


def is_card(reply: dict[str, Any]) -> bool:
    """The reply is case 1001's card (not a refusal or an error)."""
    return str(reply.get("text", "")).startswith("Case 0000001001:")


async def prepare(ours: Served, standin: str) -> None:
    """Case 1001 with two updates, opened through the stack like any other."""
    opened = await slash(
        ours.url,
        standin,
        'open high "Nightly export stops after 40 minutes" --impact "Finance has no morning '
        f'figures" --description "{CASE_TEXT}"',
        "setup-open",
    )
    if not is_card(opened):
        raise SystemExit(f"could not open case 1001: {opened.get('text')}")
    for n in (1, 2):
        await slash(ours.url, standin, f"update 1001 Log bundle {n} attached: {CASE_TEXT}", f"u{n}")


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-p1-") as tmp:
        workdir = Path(tmp)
        standin = await start_helper("standin", workdir)
        try:
            print(
                f"P1 signed /case show: {args.requests:,} requests after {args.warmup:,} warm-up, "
                f"{args.concurrency} connections",
                flush=True,
            )
            null_rate = await peer("null", workdir, standin.url, args)
            bare_rate = await peer("bare", workdir, standin.url, args)
            database = f"sqlite+aiosqlite:///{workdir / 'p1.db'}"
            ours = await start_supportbot(database, standin.url, workdir, "supportbot", args.loop)
            try:
                await prepare(ours, standin.url)
                text = "show 1001"
                await drive_through(
                    ours, standin.url, lambda _: text, args.warmup, args.concurrency, "warm"
                )
                through = await drive_through(
                    ours, standin.url, lambda _: text, args.requests, args.concurrency, "run"
                )
                print(f"  ours  ack:   {through.load.summary()}")
                print(f"  ours  reply: {through.summary()}")
                cards = sum(is_card(b) for b in through.replies.values())
                print(f"  replies that are case 1001's card: {cards:,} of {len(through.replies):,}")
                print(f"  {rss_line(ours, 'ours after the run')}")
                problems = log_problems(workdir / "supportbot.log")
                print(f"  server log warnings/errors: {problems or 'none'}")
            finally:
                ours.stop()
        finally:
            standin.stop()
    ack_p99 = percentile([a * 1000 for a in through.load.ack], 99)
    e2e_p99 = percentile([e * 1000 for e in through.e2e], 99)
    print(f"  null/bare: the bare bolt app runs at {bare_rate / null_rate:.0%} of the null app")
    print(
        f"  throughput ours/bare: acks {through.load.rate / bare_rate:.0%}, "
        f"replies delivered {through.completed_rate / bare_rate:.0%} (target >= 50%)"
    )
    print(f"  p99: ack {ack_p99:.1f} ms, reply {e2e_p99:.1f} ms (target < 50 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
