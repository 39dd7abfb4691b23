"""Fakes and builders for the job tests: a recording deliverer and cases tracked like handlers do.

Deliveries are counted at `RecordingDeliverer`, a stand-in for the Slack and Teams adapters (the
HTTP stand-ins in tests/adapters exercise the adapters themselves).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.casework.tracking import record, track
from bot.commands.context import Context
from bot.directory import load_directory
from bot.jobs.delivery import Delivered
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import PassReport, run_once
from bot.jobs.sweeps import SWEEPS
from bot.messages import Reply
from bot.model import Case, CaseEvent, Platform
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage
from tests.builders import numbered_case

CASE_SWEEPS = ("follow_up", "sla", "escalation")
DIRECTORY = Path(__file__).resolve().parents[1] / "unit" / "commands" / "directory.yaml"


@dataclass(frozen=True, slots=True)
class Post:
    dedup_key: str
    target: str
    reply: Reply


@dataclass
class RecordingDeliverer:
    """Accepts every post and remembers it; `failures` scripts exceptions for the next calls."""

    platform: Platform = Platform.SLACK
    posts: list[Post] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    hang_after: int | None = None  # hang (until cancelled) once this many posts were accepted
    calls: int = 0
    hung: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        if self.hang_after is not None and len(self.posts) >= self.hang_after:
            self.hung.set()
            await asyncio.Event().wait()
        self.posts.append(Post(message.dedup_key, message.target, reply))
        return Delivered(f"{self.platform.value}-{message.id}")

    def counts(self) -> Counter[str]:
        return Counter(p.dedup_key for p in self.posts)


def both(
    slack: RecordingDeliverer, teams: RecordingDeliverer
) -> dict[Platform, RecordingDeliverer]:
    return {Platform.SLACK: slack, Platform.TEAMS: teams}


async def seed_directory(store: Store) -> None:
    await load_directory(store, DIRECTORY)


async def open_tracked(
    store: Store, config: PolicyConfig, at: datetime, account_id: str = "acme", **changes: object
) -> Case:
    """A case stored as `open` does: number, events, and its SLA and follow-up timers."""
    async with store.unit_of_work() as uow:
        number = await uow.cases.next_number()
        case = numbered_case(number, account_id, at, **changes)
        await uow.cases.add(case)
        account = await uow.directory.account(account_id)
        if account is None:
            raise LookupError(account_id)
        await track(Context(uow, config), case, account, at)
        await uow.commit()
    return case


async def change(
    store: Store, config: PolicyConfig, number: int, event: CaseEvent, **changes: object
) -> Case:
    """Write a case change through `tracking.record`, as a handler would."""
    async with store.unit_of_work() as uow:
        case = await uow.cases.get_for_change(number)
        if case is None:
            raise LookupError(number)
        account = await uow.directory.account(case.account_id)
        if account is None:
            raise LookupError(case.account_id)
        updated = await record(Context(uow, config), case, account, event, **changes)
        await uow.commit()
    return updated


@dataclass
class Passes:
    """Scheduler passes over simulated time, delivering to recording Slack and Teams fakes."""

    store: Store
    config: PolicyConfig
    slack: RecordingDeliverer = field(default_factory=RecordingDeliverer)
    teams: RecordingDeliverer = field(default_factory=lambda: RecordingDeliverer(Platform.TEAMS))
    # The case sweeps only: the incident and report sweeps are tested with their own modules.
    sweeps: tuple[str, ...] = CASE_SWEEPS

    def __post_init__(self) -> None:
        deliverers = {Platform.SLACK: self.slack, Platform.TEAMS: self.teams}
        # Pacing is measured in bench/p6_fanout.py; here simulated time must not wait for real.
        self.worker = OutboxWorker(self.store, deliverers, pacer=Pacer(limits={}))

    async def at(self, now: datetime) -> PassReport:
        chosen = [(name, sweep) for name, sweep in SWEEPS if name in self.sweeps]
        report = await run_once(self.store, self.config, now, {}, worker=self.worker, sweeps=chosen)
        if report.failed:
            raise AssertionError(f"pass at {now.isoformat()} failed: {report.failed}")
        return report

    async def every(self, start: datetime, end: datetime, step: timedelta) -> None:
        """A pass at `start`, every `step` after it, up to and including `end`."""
        now = start
        while now <= end:
            await self.at(now)
            now += step

    @property
    def posts(self) -> list[Post]:
        return [*self.slack.posts, *self.teams.posts]

    def counts(self) -> Counter[str]:
        return Counter(p.dedup_key for p in self.posts)
