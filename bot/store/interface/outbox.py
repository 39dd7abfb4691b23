"""The outbox (R3, R4, P6): posts written with their cause, then leased, paced and delivered at
least once.

The values the delivery job handles (`OutboxItem` in; `OutboxMessage`, `ClaimedPost` out), the
`PacingPlan` that `claim_paced` follows, and SLA-5's memory of sent notices, which outlives the
pruned outbox rows so that a notice is never posted twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.conversation import ThreadRoute
from bot.model import Platform
from bot.store.interface.json_values import JsonObject


class TargetKind(StrEnum):
    CHANNEL = "channel"  # post in a channel
    PRIVATE = "private"  # to one user (Slack DM/ephemeral, Teams 1:1)


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A post to deliver later (R3); a second add with the same `dedup_key` is a no-op (R4)."""

    dedup_key: str
    platform: Platform
    target: str  # channel id or user id
    target_kind: TargetKind
    payload: JsonObject
    available_at: datetime
    # How the platform reaches `target` beyond its id: opaque to all but its deliverer.
    route: Mapping[str, str] = field(default_factory=dict)
    thread: ThreadRoute | None = None  # CONV-1: a post about a case goes in its thread


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An outbox row as the delivery job sees it."""

    id: int
    dedup_key: str
    platform: Platform
    target: str
    target_kind: TargetKind
    payload: JsonObject
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    route: Mapping[str, str] = field(default_factory=dict)
    leased_until: datetime | None = None
    lease_owner: str | None = None
    last_error: str | None = None
    platform_message_id: str | None = None
    sent_at: datetime | None = None
    failing_since: datetime | None = None  # the first error that was not rate limiting
    thread: ThreadRoute | None = None  # CONV-1: post in this thread (its root, when known)


@dataclass(frozen=True, slots=True)
class ClaimedPost:
    """A leased post and its send slot: not before `slot`, the channel's shared rate budget.

    `batch_end` is the last slot handed out with it for its channel: no post of the batch may
    start later than that (plus the plan's guard), as another replica's slots follow it.
    """

    message: OutboxMessage
    slot: datetime
    batch_end: datetime


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """Delivery health for metrics: pending rows and the age of the oldest one.

    `waiting` counts pending rows for platforms this process does not deliver (not configured):
    they are kept until the platform is, and are not a delivery problem of this process.
    """

    pending: int
    dead: int
    oldest_pending_at: datetime | None
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class PacingPlan:
    """How `claim_paced` hands out posts and send slots."""

    intervals: Mapping[Platform, float]  # seconds between two posts to one channel
    channels: int = 100  # channels per claim
    per_channel: int = 10  # posts per channel per claim, at most
    horizon: timedelta = timedelta(seconds=10)  # slots handed out at most this far ahead
    lease: timedelta = timedelta(seconds=30)  # beyond the horizon; renewed while working
    # Seconds kept free after a batch's last slot: the batch may start this much late (the claim
    # itself takes time), and the next batch, whichever replica sends it, still keeps the rate.
    guard: float = 0.5
    lead: float = 0.0  # a paced batch's first slot is at least this far ahead of the claim


class OutboxRepository(Protocol):
    """Posts written with their cause and delivered at least once (R3)."""

    async def add(self, item: OutboxItem) -> bool:
        """Queue a post; False (and no error) when its dedup key is already queued (R4)."""
        ...

    async def add_many(self, items: Sequence[OutboxItem]) -> int:
        """Queue posts in order, as `add` each (P3); how many were new."""
        ...

    async def claim(
        self, batch: int, lease_owner: str, lease_seconds: int, now: datetime
    ) -> list[OutboxMessage]:
        """Lease up to `batch` due pending posts, oldest first; disjoint across replicas on PG."""
        ...

    async def claim_paced(
        self,
        lease_owner: str,
        now: datetime,
        due_by: datetime,
        pacing: PacingPlan,
    ) -> list[ClaimedPost]:
        """Lease small batches of due posts per channel with a send slot each (R3, R4, P6).

        A channel's posts are claimed with its `channel_pacing` row locked (`SKIP LOCKED` on
        PostgreSQL) and its next send instant moved past the slots handed out, in one
        transaction: any number of replicas together keep the channel's rate.
        """
        ...

    async def throttle(self, platform: Platform, channel: str, until: datetime) -> None:
        """Back-pressure (429): no slot on the channel before `until`, for every replica."""
        ...

    async def extend_pacing(
        self, platform: Platform, channel: str, expected: datetime, until: datetime
    ) -> bool:
        """Move the channel's next send instant from `expected` to `until` if no one has taken
        slots since (a late batch keeps its posts); False if someone has."""
        ...

    async def release(self, ids: Sequence[int], lease_owner: str, *, attempted: bool) -> int:
        """Give leased posts back at once (shutdown, a missed slot); not counted as a try unless
        `attempted`. Only rows still leased by `lease_owner` change; how many did."""
        ...

    async def renew(self, ids: Sequence[int], lease_owner: str, until: datetime) -> int:
        """Extend this owner's leases on posts still pending; how many were extended."""
        ...

    async def listing(self, state: OutboxState, limit: int) -> list[OutboxMessage]:
        """Posts in `state`, oldest first (`supportbot outbox list`)."""
        ...

    async def requeue(self, ids: Sequence[int] | None, now: datetime) -> list[int]:
        """Dead (or waiting) posts due again at `now` with a fresh retry budget; `None`: every
        dead letter. The ids that were re-queued (sent posts never are)."""
        ...

    async def get(self, message_id: int) -> OutboxMessage | None: ...
    async def mark_sent(
        self, message_id: int, platform_message_id: str | None, at: datetime
    ) -> None: ...
    async def mark_retry(
        self,
        message_id: int,
        error: str,
        next_attempt_at: datetime,
        failing_since: datetime | None = None,
    ) -> None: ...
    async def mark_dead(self, message_id: int, error: str) -> None: ...
    async def backlog(self, delivering: Collection[Platform] | None = None) -> OutboxBacklog:
        """Pending and dead rows; with `delivering`, other platforms' pending rows are `waiting`."""
        ...

    async def prune_sent(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` posts sent before `before` (dead letters are kept); how many."""
        ...


class SentNoticeRepository(Protocol):
    """SLA-5: which notices of a case were sent (or made moot), kept as long as the case.

    Outbox rows are pruned by housekeeping; this memory is not, so a threshold passed long ago
    is never announced twice.
    """

    async def for_cases(self, numbers: Collection[int]) -> dict[int, set[str]]:
        """The remembered notice keys of each case among `numbers` that has any."""
        ...

    async def remember(self, keys: Mapping[str, int], at: datetime) -> set[str]:
        """Remember each key (of the case it maps to); the keys that were not remembered yet."""
        ...
