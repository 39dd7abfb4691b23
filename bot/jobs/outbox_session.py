"""The state of one delivery session of the outbox worker, and the renewal of its leases."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.jobs.delivery_settings import DeliveryCounters
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import ClaimedPost, PacingPlan

log = logging.getLogger(__name__)

Channel = tuple[Platform, str]


@dataclass(slots=True)
class Held:
    """A claimed post this worker holds: its slot and its lease, on the drain's timeline."""

    post: ClaimedPost
    leased_until: datetime


@dataclass(slots=True)
class Session:
    """One `drain` or one stretch of `run`: what the worker holds and how far it got."""

    base: datetime
    started: float
    follow: bool
    stop: asyncio.Event
    counters: DeliveryCounters = field(default_factory=DeliveryCounters)
    queues: dict[Channel, deque[Held]] = field(default_factory=dict)
    runners: set[asyncio.Task[None]] = field(default_factory=set)
    held: dict[int, Held] = field(default_factory=dict)
    last_start: dict[Channel, datetime] = field(default_factory=dict)
    throttled: dict[Channel, datetime] = field(default_factory=dict)
    extended: dict[Channel, datetime] = field(default_factory=dict)  # a late batch's new end
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    want_claim: bool = True
    killed: bool = False
    missed: int = 0  # posts given back since the last claim for a missed slot or lease
    rounds: int = 0
    failure: BaseException | None = None
    writer: asyncio.Task[None] | None = None


async def renew_leases(
    store: Store, owner: str, state: Session, plan: PacingPlan, now: Callable[[], datetime]
) -> None:
    """Keep the leases of held posts short but alive while they wait for their slots."""
    every = plan.lease.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        ids = list(state.held)
        if not ids:
            continue
        until = now() + plan.horizon + plan.lease
        try:
            async with store.unit_of_work() as uow:
                renewed = await uow.outbox.renew(ids, owner, until)
                await uow.commit()
        except Exception:
            log.exception("could not renew the leases of %d outbox posts", len(ids))
            continue
        if renewed:
            for message_id in ids:
                if (held := state.held.get(message_id)) is not None:
                    held.leased_until = until
