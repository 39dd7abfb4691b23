"""P6 pacing and the scheduler loop, on an injected clock (no real waiting)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.jobs.pacing import Pacer, RateLimit
from bot.jobs.scheduler import Scheduler
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from tests.integration.builders import T0


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def slots(
    pacer: Pacer, time: FakeTime, platform: Platform, channel: str, count: int
) -> list[float]:
    return [time.now + pacer.reserve(platform, channel) for _ in range(count)]


def test_p6_slack_channel_gets_one_post_per_second_and_other_channels_do_not_wait() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    assert slots(pacer, time, Platform.SLACK, "C1", 3) == [0.0, 1.0, 2.0]
    assert slots(pacer, time, Platform.SLACK, "C2", 1) == [0.0]
    time.now = 10.0
    assert slots(pacer, time, Platform.SLACK, "C1", 1) == [10.0]


def test_p6_teams_conversation_gets_7_per_second_and_60_per_30_seconds() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    booked = slots(pacer, time, Platform.TEAMS, "19:a", 61)
    assert booked[:7] == [0.0] * 7 and booked[7] == 1.0
    assert booked[60] >= 30.0


@given(
    st.lists(st.tuples(st.integers(0, 3), st.floats(0, 5, allow_nan=False)), max_size=80),
)
def test_p6_no_window_ever_holds_more_posts_than_its_limit(steps: list[tuple[int, float]]) -> None:
    time = FakeTime()
    limits = (RateLimit(7, 1.0), RateLimit(60, 30.0))
    pacer = Pacer({Platform.TEAMS: limits}, monotonic=time)
    booked: dict[int, list[float]] = {}
    for channel, advance in steps:
        time.now += advance
        booked.setdefault(channel, []).append(
            time.now + pacer.reserve(Platform.TEAMS, str(channel))
        )
    for times in booked.values():
        for limit in limits:
            for i, start in enumerate(times):
                inside = [t for t in times[i:] if t < start + limit.per_seconds]
                assert len(inside) <= limit.count


async def test_p6_wait_sleeps_until_the_booked_slot_even_when_woken_early() -> None:
    time = FakeTime()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        time.now += seconds - 0.001 if len(slept) == 1 else seconds  # the first wakes early

    pacer = Pacer(monotonic=time, sleep=sleep)
    for _ in range(3):
        await pacer.wait(Platform.SLACK, "C1")
    assert slept == [1.0, 0.001, 1.0]
    assert time.now == 2.0


def test_p6_a_post_held_up_after_its_slot_moves_the_next_slot() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    pacer.reserve(Platform.SLACK, "C1")
    time.now = 0.4  # the wire was busy: the post really went at 0.4
    pacer.confirm(Platform.SLACK, "C1")
    assert pacer.reserve(Platform.SLACK, "C1") == pytest.approx(1.0)  # slot 1.4: 1 s after it


def test_rate_limit_refuses_a_zero_window() -> None:
    with pytest.raises(ValueError, match="positive window"):
        RateLimit(1, 0)


async def test_scheduler_stop_finishes_the_current_pass_and_records_it(store: Store) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_sweep(store: Store, config: PolicyConfig, now: datetime) -> int:
        started.set()
        await release.wait()
        return 3

    scheduler = Scheduler(
        store,
        PolicyConfig(),
        {},
        interval_seconds=3600,
        clock=lambda: T0,
        sweeps=[("slow", slow_sweep)],
    )
    await scheduler.start()
    await started.wait()
    stopping = asyncio.create_task(scheduler.stop())
    release.set()
    await stopping
    assert not scheduler.running
    assert (scheduler.last_pass_at, scheduler.passes) == (T0, 1)
    assert scheduler.last_report is not None
    assert (dict(scheduler.last_report.queued), scheduler.last_report.failed) == ({"slow": 3}, ())
