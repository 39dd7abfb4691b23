"""What became of each claimed post, written back by one writer (R3).

Outcomes are written in small groups by one writer task, so SQLite sees one write transaction
at a time and a channel goes on to its next post while the last one is being recorded.

The retry rules: rate limiting (429) slows the channel down for every replica and is retried
however long it lasts; 5xx and timeouts are retried with capped, jittered backoff until
`retry_budget_seconds` have passed since the first of them, then the post is a dead letter; a
permanent refusal is a dead letter at once. Every dead letter is logged at warning with its reason.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.jobs.delivery_settings import DeliveryCounters, DeliveryHooks, DeliverySettings, Hook
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.outbox import OutboxMessage

log = logging.getLogger(__name__)


class Kind(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # 5xx, timeout, adapter bug: counts against the retry budget
    WAIT = "wait"  # nothing wrong with the post (platform not configured): try again later
    THROTTLED = "throttled"  # 429: the channel waits `after_seconds`, the post too
    DEAD = "dead"  # refused for good
    RELEASE = "release"  # given back unsent (a missed slot, a throttled channel, shutdown)
    ABANDON = "abandon"  # cut off on the wire at shutdown: may have arrived (at-least-once)


@dataclass(frozen=True, slots=True)
class Outcome:
    message: OutboxMessage
    kind: Kind
    at: datetime
    platform_message_id: str | None = None
    error: str | None = None
    after_seconds: float | None = None


class OutcomeWriter:
    """Stores outcomes in order and counts them; `flush` waits until all are stored."""

    def __init__(
        self,
        store: Store,
        owner: str,
        settings: DeliverySettings,
        hooks: DeliveryHooks,
        rng: random.Random,
    ) -> None:
        self._store = store
        self._owner = owner
        self._settings = settings
        self._hooks = hooks
        self._rng = rng
        self._pending: list[Outcome] = []
        self._dead_letters: list[tuple[OutboxMessage, str]] = []
        self.total = DeliveryCounters()

    def take(self, outcome: Outcome) -> None:
        self._pending.append(outcome)

    def discard(self) -> None:
        """Forget outcomes not yet stored (the session was killed)."""
        self._pending.clear()

    @property
    def waiting(self) -> bool:
        return bool(self._pending)

    async def write(self, counters: DeliveryCounters) -> None:
        """Store everything taken so far, group by group."""
        while self._pending:
            outcomes, self._pending = self._pending, []
            stored: list[tuple[Kind, OutboxMessage]] = []
            self._dead_letters = []
            async with self._store.unit_of_work() as uow:
                for item in outcomes:
                    stored.append((await self._store_one(uow, item), item.message))
                await uow.commit()
            for message, reason in self._dead_letters:
                _log_dead(message, reason)
            for kind, message in stored:
                self._count(counters, kind, message)

    def retry_delay(self, attempts: int, after_seconds: float | None) -> timedelta:
        """`after_seconds` when given; else capped exponential backoff, jittered."""
        s = self._settings
        if after_seconds is not None:
            return timedelta(seconds=min(max(after_seconds, 0.0), s.throttle_cap_seconds))
        ceiling = min(s.backoff_cap_seconds, s.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        # Jitter over the upper half: spreads a burst of 5xx retries without going to zero.
        return timedelta(seconds=ceiling * self._rng.uniform(0.5, 1.0))

    async def _store_one(self, uow: UnitOfWork, item: Outcome) -> Kind:
        message, outbox = item.message, uow.outbox
        error = item.error or "unknown error"
        match item.kind:
            case Kind.SENT:
                await outbox.mark_sent(message.id, item.platform_message_id, item.at)
            case Kind.RELEASE | Kind.ABANDON:
                attempted = item.kind is Kind.ABANDON
                await outbox.release([message.id], self._owner, attempted=attempted)
            case Kind.THROTTLED:
                after = item.after_seconds
                delay = self.retry_delay(
                    0, self._settings.throttle_default_seconds if after is None else after
                )
                # Every replica's slots on this channel start after the wait (R4).
                await outbox.throttle(message.platform, message.target, item.at + delay)
                await outbox.mark_retry(message.id, error, item.at + delay, message.failing_since)
            case Kind.WAIT:
                delay = self.retry_delay(message.attempts, None)
                await outbox.mark_retry(message.id, error, item.at + delay, message.failing_since)
            case Kind.RETRY:
                since = message.failing_since or item.at
                budget = timedelta(seconds=self._settings.retry_budget_seconds)
                if item.at - since < budget:
                    delay = self.retry_delay(message.attempts, item.after_seconds)
                    await outbox.mark_retry(message.id, error, item.at + delay, since)
                    return Kind.RETRY
                hours = budget.total_seconds() / 3600
                reason = (
                    f"{error} (failing since {since.isoformat()}; the {hours:g} h budget is spent)"
                )
                await self._dead(uow, message, reason)
                return Kind.DEAD
            case Kind.DEAD:
                await self._dead(uow, message, error)
        return item.kind

    async def _dead(self, uow: UnitOfWork, message: OutboxMessage, reason: str) -> None:
        await uow.outbox.mark_dead(message.id, reason)
        self._dead_letters.append((message, reason))  # logged once committed

    def _count(self, counters: DeliveryCounters, kind: Kind, message: OutboxMessage) -> None:
        hook: Hook | None = None
        name = {
            Kind.SENT: "delivered",
            Kind.RETRY: "retried",
            Kind.WAIT: "retried",
            Kind.THROTTLED: "throttled",
            Kind.DEAD: "dead",
            Kind.RELEASE: "released",
            Kind.ABANDON: "released",
        }[kind]
        for target in (counters, self.total):
            setattr(target, name, getattr(target, name) + 1)
        hook = {
            "delivered": self._hooks.delivered,
            "retried": self._hooks.retried,
            "throttled": self._hooks.throttled,
            "dead": self._hooks.dead,
        }.get(name)
        if hook is not None:
            hook(message)


def _log_dead(message: OutboxMessage, reason: str) -> None:
    log.warning(
        "outbox post %s (%s to %s %s) is a dead letter: %s; re-queue it with "
        "`supportbot outbox retry %s`",
        message.id,
        message.dedup_key,
        message.platform.value,
        message.target,
        reason,
        message.id,
    )
