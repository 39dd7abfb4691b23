"""R3 / R4 with real processes: SIGTERM, `kill -9` and two replicas, at the Slack stand-in.

Each test starts `supportbot serve` as a child process against the Slack Web API stand-in on
127.0.0.1 and checks what arrived there and what the database says afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from bot.standins.slack_api import SlackStandIn
from bot.store.interface.outbox import OutboxState
from bot.store.sql import SqlStore
from tests.processes.serving import Serve, arrived, queue_posts, rows, wait_for

pytestmark = pytest.mark.slow

SHUTDOWN_PROMISE = 25.0  # PRODUCT.md R3: `serve` stops within 25 s of SIGTERM
RESTART_PROMISE = 60.0  # R3: a killed process delays the posts it held by at most a minute


async def test_r3_serve_exits_within_25_s_of_sigterm_with_40_posts_queued_and_loses_none(
    tmp_path: Path, slack: SlackStandIn, sqlite: tuple[str, SqlStore]
) -> None:
    url, store = sqlite
    texts = await queue_posts(store, 40, channels=1)  # one channel: 40 s of work at 1/s
    slack.delay_seconds = 2.0  # a slow platform: a post is on the wire when the signal comes
    serve = await Serve.start(tmp_path, url, slack, "serve")
    try:
        await wait_for(lambda: len(arrived(slack)) >= 2, 30, "two posts delivered")
        serve.terminate()
        code = await asyncio.wait_for(serve.proc.wait(), SHUTDOWN_PROMISE)
    finally:
        await serve.close()
    assert code == 0, serve.log.read_text()
    # Nothing lost: every post was delivered or waits, unleased, for the next process.
    found = {row.dedup_key: row for row in await rows(store)}
    assert len(found) == 40 and not [r for r in found.values() if r.state is OutboxState.DEAD]
    waiting = [r for r in found.values() if r.state is OutboxState.PENDING]
    assert waiting and all(r.lease_owner is None and r.leased_until is None for r in waiting)
    sent = {r.dedup_key for r in found.values() if r.state is OutboxState.SENT}
    assert {f"test:post:{t.split()[-1]}" for t in arrived(slack)} >= sent
    assert set(arrived(slack)) <= set(texts)


async def test_r3_kill_9_mid_delivery_then_restart_loses_nothing_and_sends_the_rest_within_60_s(
    tmp_path: Path, slack: SlackStandIn, sqlite: tuple[str, SqlStore]
) -> None:
    url, store = sqlite
    texts = await queue_posts(store, 40, channels=4)  # 10 s of work per channel at 1/s
    slack.delay_seconds = 0.5
    first = await Serve.start(tmp_path, url, slack, "first")
    try:
        await wait_for(lambda: len(arrived(slack)) >= 8, 30, "eight posts delivered")
        first.kill()
        await first.proc.wait()
    finally:
        await first.close()
    before = arrived(slack)
    second = await Serve.start(tmp_path, url, slack, "second")
    try:
        took = await wait_for(
            lambda: set(arrived(slack)) == set(texts), RESTART_PROMISE, "every post delivered"
        )
        print(f"after the restart every post was delivered within {took:.1f} s")
        second.terminate()
        assert await asyncio.wait_for(second.proc.wait(), SHUTDOWN_PROMISE) == 0
    finally:
        await second.close()
    counts = arrived(slack)
    assert set(counts) == set(texts)  # nothing lost
    # At-least-once: only a post on the wire at the kill (one per channel) may arrive twice.
    doubled = [t for t, n in counts.items() if n > 1]
    assert len(doubled) <= 4 and all(counts[t] == 2 for t in doubled)
    assert all(before[t] == 1 for t in doubled)
    assert took < RESTART_PROMISE
    states = {r.state for r in await rows(store)}
    assert states == {OutboxState.SENT}


@pytest.mark.postgres
async def test_r4_two_serve_replicas_on_postgresql_post_at_most_once_a_second_per_channel(
    tmp_path: Path, slack: SlackStandIn, postgres: tuple[str, SqlStore]
) -> None:
    url, store = postgres
    texts = await queue_posts(store, 24, channels=2)  # 12 per channel: 11 s at the limit
    replicas = [await Serve.start(tmp_path, url, slack, name) for name in ("a", "b")]
    try:
        await wait_for(lambda: set(arrived(slack)) == set(texts), 60, "every post delivered")
        await asyncio.sleep(2)  # anything sent twice would arrive by now
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            await asyncio.wait_for(replica.proc.wait(), SHUTDOWN_PROMISE)
            await replica.close()
    counts = arrived(slack)
    assert set(counts.values()) == {1}  # each post once
    for channel in ("C0", "C1"):
        times = [
            c.at
            for c in slack.calls_to("chat.postMessage")
            if c.status == 200 and c.body.get("channel") == channel
        ]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # Receive times at the stand-in: the sends are >= 1 s apart, but on a loaded machine one
        # post can reach the stand-in late and shorten the gap to the next (0.84-0.94 s seen at
        # load 13). Two replicas ignoring each other would post at once (gaps near 0) and at
        # twice the rate, so: no two posts close together, and the channel averages at most one
        # post a second over the run (only the first and last post's delay can shorten it).
        assert len(times) == 12 and min(gaps) >= 0.5, gaps
        assert times[-1] - times[0] >= 11 * 1.0 - 0.25, times
    logs = [replica.log.read_text() for replica in replicas]
    assert all("Traceback" not in text for text in logs), logs
