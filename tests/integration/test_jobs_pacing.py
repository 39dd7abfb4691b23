"""P6 pacing and the scheduler loop, on an injected clock (no real waiting)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.registry import rate_limits
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


def test_p6_one_spacing_per_platform_keeps_every_limit_of_it() -> None:
    pacer = Pacer(rate_limits())  # each platform's own limits, as the server registers them
    assert pacer.interval(Platform.SLACK) == 1.0
    # Teams: 7 per second and 60 per 30 seconds; evenly spaced, 0.5 s keeps both.
    assert pacer.interval(Platform.TEAMS) == 0.5
    assert Pacer(limits={}).interval(Platform.SLACK) == 0.0


@given(st.lists(st.tuples(st.integers(1, 20), st.floats(0.1, 60, allow_nan=False)), min_size=1))
def test_p6_posts_at_the_spacing_never_exceed_any_of_the_limits(
    limits: list[tuple[int, float]],
) -> None:
    rates = tuple(RateLimit(count, per) for count, per in limits)
    spacing = Pacer({Platform.TEAMS: rates}).interval(Platform.TEAMS)
    times = [i * spacing for i in range(200)]
    for limit in rates:
        for i, start in enumerate(times):
            inside = [t for t in times[i:] if t < start + limit.per_seconds - 1e-9]
            assert len(inside) <= limit.count


async def test_p6_wait_sleeps_until_the_instant_even_when_woken_early() -> None:
    time = FakeTime()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        time.now += seconds - 0.001 if len(slept) == 1 else seconds  # the first wakes early

    await Pacer(monotonic=time, sleep=sleep).wait(1.0)
    assert slept == [1.0, 0.001]
    assert time.now == 1.0


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
