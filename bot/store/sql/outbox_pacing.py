"""Claiming outbox posts with send slots from a rate budget shared by every replica (R3, R4, P6).

Each channel has a `channel_pacing` row: the next instant a post may go there. A claim locks the
rows of channels whose next instant is near (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
unit of work already holds the write lock), leases a few due posts of each, hands every post a
slot `interval` after the previous one and moves the row past the last slot, all in one
transaction. Two replicas therefore never hand out overlapping slots for one channel; a replica
that cannot start a post in its slot gives the post back instead of sending late.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform
from bot.store.interface.outbox import ClaimedPost, OutboxMessage, OutboxState, PacingPlan
from bot.store.sql.outbox_rows import message_of
from bot.store.sql.statements import insert_or_ignore_many
from bot.store.sql.tables import channel_pacing, outbox

# A next instant further ahead than this was written on another clock (`scheduler run-once
# --now` in the future): ignored, or it would hold the channel back until that date.
STALE_AHEAD = timedelta(days=1)

Channel = tuple[str, str]  # (platform, channel id) as stored
# Look at this many times more channels than a claim takes: those another replica is claiming
# right now are skipped (SKIP LOCKED), and the claim still fills up with the others.
CANDIDATES = 4


def _due(now: datetime, due_by: datetime) -> ColumnElement[bool]:
    return and_(
        outbox.c.status == OutboxState.PENDING.value,
        outbox.c.next_attempt_at <= due_by,
        or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= now),
    )


def _open(now: datetime, plan: PacingPlan) -> ColumnElement[bool]:
    next_at = channel_pacing.c.next_at
    return or_(next_at.is_(None), next_at <= now + plan.horizon, next_at > now + STALE_AHEAD)


async def claim_paced(
    conn: AsyncConnection, owner: str, now: datetime, due_by: datetime, plan: PacingPlan
) -> list[ClaimedPost]:
    """See `OutboxRepository.claim_paced`."""
    joined = outbox.outerjoin(
        channel_pacing,
        and_(
            channel_pacing.c.platform == outbox.c.platform,
            channel_pacing.c.channel == outbox.c.target,
        ),
    )
    candidates = (
        select(outbox.c.platform, outbox.c.target)
        .select_from(joined)
        .where(_due(now, due_by), _open(now, plan))
        .group_by(outbox.c.platform, outbox.c.target)
        .order_by(func.min(outbox.c.next_attempt_at), outbox.c.platform, outbox.c.target)
        .limit(plan.channels * CANDIDATES)
    )
    keys: list[Channel] = sorted((p, t) for p, t in (await conn.execute(candidates)).all())
    if not keys:
        return []
    # Sorted inserts: two replicas creating the same rows wait for each other, never deadlock.
    rows = [{"platform": p, "channel": c, "next_at": now} for p, c in keys]
    await insert_or_ignore_many(conn, channel_pacing, rows, ["platform", "channel"])
    # Read again at lock time: channels another replica claimed meanwhile have nothing due left.
    still_due = (
        select(outbox.c.id)
        .where(outbox.c.platform == channel_pacing.c.platform)
        .where(outbox.c.target == channel_pacing.c.channel)
        .where(_due(now, due_by))
        .exists()
    )
    lock = (
        select(channel_pacing.c.platform, channel_pacing.c.channel, channel_pacing.c.next_at)
        .where(tuple_(channel_pacing.c.platform, channel_pacing.c.channel).in_(keys))
        .where(_open(now, plan), still_due)
        .order_by(channel_pacing.c.platform, channel_pacing.c.channel)
        .limit(plan.channels)
    )
    if conn.dialect.name == "postgresql":
        # Another replica claiming a channel keeps it for that claim; we take the others.
        lock = lock.with_for_update(skip_locked=True)
    starts: dict[Channel, datetime] = {}
    for platform, channel, next_at in (await conn.execute(lock)).all():
        paced = plan.intervals.get(Platform(platform), 0.0) > 0
        # A paced batch starts a little ahead, so the claim's own time does not make it late.
        soonest = now + timedelta(seconds=plan.lead) if paced else now
        fresh = next_at is None or next_at > now + STALE_AHEAD
        starts[(platform, channel)] = soonest if fresh else max(next_at, soonest)
    if not starts:
        return []
    return await _lease(conn, owner, now, due_by, plan, starts)


async def _lease(
    conn: AsyncConnection,
    owner: str,
    now: datetime,
    due_by: datetime,
    plan: PacingPlan,
    starts: dict[Channel, datetime],
) -> list[ClaimedPost]:
    rank = (
        func.row_number()
        .over(
            partition_by=(outbox.c.platform, outbox.c.target),
            order_by=(outbox.c.next_attempt_at, outbox.c.id),
        )
        .label("rank")
    )
    ranked = (
        select(outbox.c.id, outbox.c.platform, outbox.c.target, rank)
        .where(_due(now, due_by))
        .where(tuple_(outbox.c.platform, outbox.c.target).in_(list(starts)))
        .subquery()
    )
    picked = (
        select(ranked.c.id, ranked.c.platform, ranked.c.target)
        .where(ranked.c.rank <= plan.per_channel)
        .order_by(ranked.c.platform, ranked.c.target, ranked.c.rank)
    )
    by_channel: dict[Channel, list[int]] = defaultdict(list)
    for message_id, platform, channel in (await conn.execute(picked)).all():
        by_channel[(platform, channel)].append(message_id)
    slots: dict[int, datetime] = {}
    ends: dict[Channel, datetime] = {}
    moves: list[dict[str, object]] = []
    end = now + plan.horizon
    for key, ids in by_channel.items():
        interval = plan.intervals.get(Platform(key[0]), 0.0)
        step = timedelta(seconds=interval)
        slot = starts[key]
        for taken, message_id in enumerate(ids):
            if taken and slot > end:
                break  # later posts wait for a later claim: leases stay short
            slots[message_id] = ends[key] = slot
            slot += step
        guard = timedelta(seconds=plan.guard if interval > 0 else 0.0)
        moves.append({"p": key[0], "c": key[1], "n": slot + guard})  # `slot`: after the last
    ids = list(slots)
    if not ids:
        return []  # another replica leased them between our look and our lock
    await conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids))
        .values(
            leased_until=end + plan.lease,
            lease_owner=owner,
            attempts=outbox.c.attempts + 1,
        )
    )
    await conn.execute(
        update(channel_pacing)
        .where(channel_pacing.c.platform == bindparam("p"))
        .where(channel_pacing.c.channel == bindparam("c"))
        .values(next_at=bindparam("n")),
        moves,
    )
    rows = await conn.execute(select(outbox).where(outbox.c.id.in_(ids)))
    messages: list[OutboxMessage] = [message_of(r) for r in rows.mappings()]
    claimed = [ClaimedPost(m, slots[m.id], ends[(m.platform.value, m.target)]) for m in messages]
    return sorted(claimed, key=lambda c: (c.slot, c.message.id))


async def throttle(
    conn: AsyncConnection, platform: Platform, channel: str, until: datetime
) -> None:
    """See `OutboxRepository.throttle`."""
    row = {"platform": platform.value, "channel": channel, "next_at": until}
    await insert_or_ignore_many(conn, channel_pacing, [row], ["platform", "channel"])
    later = case((channel_pacing.c.next_at < until, until), else_=channel_pacing.c.next_at)
    await conn.execute(
        update(channel_pacing)
        .where(channel_pacing.c.platform == platform.value, channel_pacing.c.channel == channel)
        .values(next_at=later)
    )
