"""`work_through` with batch handlers (P3): bulk reads and writes per batch, one bad timer alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.jobs.due_timers import RETRY_AFTER, work_through
from bot.jobs.sla_sweep import sweep_sla
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.outbox import OutboxItem, TargetKind
from bot.store.interface.timers import Timer
from tests.builders import T0
from tests.integration.jobs_fakes import open_tracked, seed_directory

KIND = "test_kind"
NOW = T0 + timedelta(hours=1)


class Collecting:
    """A batch handler that posts once per timer and removes it, all written in `finish`."""

    def __init__(self, bad_handle: str | None = None, bad_write: str | None = None) -> None:
        self.bad_handle = bad_handle
        self.bad_write = bad_write
        self.batches: list[list[str]] = []
        self._subjects: list[str] = []

    async def start(self, uow: UnitOfWork, timers: Sequence[Timer]) -> None:
        self.batches.append([t.subject for t in timers])
        self._subjects = []

    async def handle(self, uow: UnitOfWork, timer: Timer) -> int:
        if timer.subject == self.bad_handle:
            raise ValueError(f"cannot handle {timer.subject}")
        self._subjects.append(timer.subject)
        return 0

    async def finish(self, uow: UnitOfWork) -> int:
        items = [
            OutboxItem(f"t:{s}", Platform.SLACK, "CQUEUE", TargetKind.CHANNEL, {"s": s}, NOW)
            for s in self._subjects
        ]
        new = await uow.outbox.add_many(items)
        await uow.timers.remove_many(KIND, self._subjects)
        if self.bad_write in self._subjects:
            raise RuntimeError(f"writing {self.bad_write} failed")
        return new


async def due_timers(store: Store, subjects: Sequence[str]) -> None:
    async with store.unit_of_work() as uow:
        await uow.timers.set_many(
            [Timer(KIND, s, T0 + timedelta(minutes=i), {}) for i, s in enumerate(subjects)]
        )
        await uow.commit()


async def outbox_keys(store: Store, at: datetime = NOW) -> list[str]:
    async with store.unit_of_work() as uow:
        return [m.dedup_key for m in await uow.outbox.claim(100, "test", 30, at)]


async def left(store: Store) -> list[Timer]:
    async with store.unit_of_work(read_only=True) as uow:
        return await uow.timers.due(NOW + RETRY_AFTER, kind=KIND)


async def test_p3_a_batch_handler_reads_and_writes_once_per_batch(store: Store) -> None:
    await due_timers(store, ["1", "2", "3", "4", "5"])
    handler = Collecting()
    queued = await work_through(store, KIND, NOW, handler, batch=2)
    assert handler.batches == [["1", "2"], ["3", "4"], ["5"]]
    assert queued == 5
    assert await outbox_keys(store) == ["t:1", "t:2", "t:3", "t:4", "t:5"]
    assert await left(store) == []


async def test_p3_a_timer_whose_handling_fails_is_deferred_and_the_rest_are_done(
    store: Store,
) -> None:
    await due_timers(store, ["1", "2", "3", "4"])
    queued = await work_through(store, KIND, NOW, Collecting(bad_handle="2"), batch=3)
    assert queued == 3
    assert await outbox_keys(store) == ["t:1", "t:3", "t:4"]
    assert await left(store) == [Timer(KIND, "2", NOW + RETRY_AFTER, {})]


async def test_p3_when_a_batchs_writes_fail_its_timers_are_retried_singly_to_find_the_culprit(
    store: Store,
) -> None:
    await due_timers(store, ["1", "2", "3", "4", "5"])
    handler = Collecting(bad_write="3")
    queued = await work_through(store, KIND, NOW, handler, batch=4)
    # The batch of four fails as a whole; one by one, only timer 3 fails, and is put off.
    assert handler.batches[:5] == [["1", "2", "3", "4"], ["1"], ["2"], ["3"], ["4"]]
    assert queued == 4
    assert await outbox_keys(store) == ["t:1", "t:2", "t:4", "t:5"]
    assert await left(store) == [Timer(KIND, "3", NOW + RETRY_AFTER, {})]


async def test_sla_5_small_batches_queue_each_cases_breach_once_and_move_every_timer(
    store: Store,
) -> None:
    config = PolicyConfig()
    await seed_directory(store)
    opened = [await open_tracked(store, config, T0) for _ in range(5)]
    later = T0 + timedelta(hours=5)  # past the 4 business hours to respond to a High case
    queued = await sweep_sla(store, config, later, batch=2)
    again = await sweep_sla(store, config, later, batch=2)
    keys = await outbox_keys(store, later)
    assert again == 0
    assert queued == len(keys)
    for case in opened:
        mine = [k for k in keys if k.split(":")[1] == str(case.number)]
        assert f"sla:{case.number}:c0:response:1.0:slack:CQUEUE" in mine
        assert f"sla5b:{case.number}:c0:response:slack:CACME" in mine
        assert len(mine) == len(set(mine))
    async with store.unit_of_work(read_only=True) as uow:
        due = await uow.timers.due(later, kind="sla")
    assert due == []
