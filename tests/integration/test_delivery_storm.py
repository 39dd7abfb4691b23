"""R3 over HTTP: a 429 storm at the Slack stand-in slows delivery, loses nothing, and never
holds up the sweeps: an SLA warning falling due mid-storm is queued on time.

The scheduler runs as in `serve` (sweeps and delivery as two loops) on a simulated clock that
runs 50 times faster than real time; the posts go through the real Slack deliverer to the
Web API stand-in on 127.0.0.1, which answers every call with 429 and `Retry-After: 3` for five
simulated minutes. Before R3's fix the same storm dead-lettered every post after 8 attempts
(about half a minute of 429s) and kept the scheduler's pass, and so the sweeps, waiting.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.registry import rate_limits
from bot.adapters.slack.delivery import SlackDeliverer, outbox_client
from bot.casework.payload import encode
from bot.jobs.delivery_settings import DeliverySettings
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import Scheduler
from bot.jobs.sweeps import SWEEPS
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.standins.slack_api import SlackStandIn
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, OutboxState, TargetKind
from tests.builders import T0
from tests.integration.jobs_fakes import open_tracked, seed_directory

pytestmark = pytest.mark.slow

# acme's High case opened at T0 (10:00 New York): 75% of its 4 business hours pass at 17:00 UTC.
RESPONSE_WARNING = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)
START = RESPONSE_WARNING - timedelta(minutes=3)
STORM = timedelta(minutes=5)  # the storm: 240 s of 429s dead-lettered 9 of 9 posts
SPEED = 50.0  # simulated seconds per real second


class SimClock:
    """Wall and monotonic time that a driver moves on; `sleep` waits for it."""

    def __init__(self, start: datetime) -> None:
        self.start, self.seconds = start, 0.0
        self._tick = asyncio.Event()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        until = self.seconds + seconds
        while self.seconds < until:
            await self._tick.wait()

    async def until(self, done: Callable[[], bool], limit: datetime) -> None:
        """Wait (in simulated time) until `done()`; fail if `limit` passes first."""
        while not done():
            assert self.now() < limit, f"not done by {limit.isoformat()}"
            await self._tick.wait()

    async def drive(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.seconds += 0.01 * SPEED
            tick, self._tick = self._tick, asyncio.Event()
            tick.set()


def _delivered(slack: SlackStandIn, texts: set[str]) -> bool:
    posted = {str(c.body.get("text")) for c in slack.posted()}
    return texts <= posted and any(t.startswith("SLA warning on") for t in posted)


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.close()


async def test_r3_a_429_storm_ends_with_every_post_delivered_no_dead_letter_and_the_sla_warning_queued_on_time(
    store: Store, slack: SlackStandIn
) -> None:
    config = PolicyConfig()
    await seed_directory(store)
    case = await open_tracked(store, config, T0)
    async with store.unit_of_work() as uow:
        for i in range(9):
            reply = encode(Reply(Message(f"storm post {i}"), Audience.CHANNEL))
            item = OutboxItem(
                f"storm:{i}", Platform.SLACK, "CSTORM", TargetKind.CHANNEL, reply, START
            )
            await uow.outbox.add(item)
        await uow.commit()
    slack.fail_next(1_000_000, 429, retry_after=3)
    clock = SimClock(START)
    pacer = Pacer(rate_limits(), monotonic=clock.monotonic, sleep=clock.sleep)
    deliverer = SlackDeliverer(outbox_client("xoxb-test", slack.base_url))
    worker = OutboxWorker(
        store,
        {Platform.SLACK: deliverer},
        # Simulated time runs 50x: a real millisecond of database or HTTP work is 50 ms here,
        # so the lease and the lateness a slot allows are widened to match.
        DeliverySettings(
            idle_seconds=0.02, retry_budget_seconds=60, lease_seconds=600, guard_seconds=0.5
        ),
        pacer=pacer,
    )
    sla_only = [(name, sweep) for name, sweep in SWEEPS if name == "sla"]
    scheduler = Scheduler(
        store, config, {}, interval_seconds=0.05, clock=clock.now, worker=worker, sweeps=sla_only
    )
    driver = asyncio.create_task(clock.drive())
    await scheduler.start()
    try:
        await clock.until(lambda: clock.now() >= START + STORM, START + STORM + STORM)
        throttled = Counter(str(c.body.get("text")) for c in slack.calls if c.status == 429)
        async with store.unit_of_work(read_only=True) as uow:
            queued = {m.dedup_key: m for m in await uow.outbox.listing(OutboxState.PENDING, 100)}
        slack.failures.clear()  # the storm ends
        texts = {f"storm post {i}" for i in range(9)}
        await clock.until(lambda: _delivered(slack, texts), START + STORM + timedelta(minutes=15))
    finally:
        await scheduler.stop()
        driver.cancel()
    # Every post met 429s through a storm longer than the 240 s that used to dead-letter 9 of 9
    # (and five times the 60 s budget for 5xx here), and none was given up on.
    assert timedelta(seconds=240) < STORM
    assert {t for t in throttled if t.startswith("storm post")} == texts
    assert sum(throttled.values()) > 30
    # Mid-storm, the sweep queued the SLA warning within one pass (5 simulated s) of its time.
    [warning] = [
        m for k, m in queued.items() if k.startswith(f"sla:{case.number}:c0:response:0.75")
    ]
    assert RESPONSE_WARNING <= warning.created_at <= RESPONSE_WARNING + timedelta(seconds=15)
    # Every post delivered once, no dead letter, and the warning went out too.
    storm_posts = [
        c for c in slack.posted() if str(c.body.get("text", "")).startswith("storm post")
    ]
    assert len(storm_posts) == 9
    async with store.unit_of_work(read_only=True) as uow:
        backlog = await uow.outbox.backlog()
        sent = await uow.outbox.get(warning.id)
    assert backlog.dead == 0 and worker.counters.dead == 0
    assert sent is not None and sent.state is OutboxState.SENT
    assert any(str(c.body.get("text", "")).startswith("SLA warning on") for c in slack.posted())
