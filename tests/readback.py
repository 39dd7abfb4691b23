"""Reading back what a test's actions wrote: cases, clocks, timers, queued posts, row counts.

The builders that write live in `tests/builders.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.casework.payload import decode
from bot.messages import Notice
from bot.model import Case
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.cases import CaseState
from bot.store.interface.outbox import OutboxMessage
from bot.store.interface.timers import Timer

FAR_FUTURE = timedelta(days=3650)
_YEAR_2100 = datetime.fromisoformat("2100-01-01T00:00:00+00:00")


async def get_case(store: Store, number: int) -> Case:
    async with store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    if case is None:
        raise AssertionError(f"case {number} is missing")
    return case


async def clocks_of(
    store: Store, config: PolicyConfig, number: int, now: datetime
) -> sla.SlaClocks:
    """SLA-4: the case's clocks as the policy computes them from the stored history."""
    async with store.unit_of_work() as uow:
        case = await uow.cases.get(number)
        account = await uow.directory.account(case.account_id) if case else None
    if case is None or account is None:
        raise LookupError(f"no case {number}")
    return sla.clocks(case, account, config, now)


async def timer(store: Store, kind: str, number: int) -> Timer | None:
    async with store.unit_of_work() as uow:
        return await uow.timers.get(kind, str(number))


@dataclass(frozen=True)
class Post:
    """One pending outbox post, decoded."""

    target: str
    dedup_key: str
    created_at: datetime
    notice: Notice
    time_zone: str


async def _claim_posts(store: Store, limit: int, until: datetime) -> list[Post]:
    # Claimed in a unit of work that is never committed: reading leaves the outbox as it was.
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(limit, "test", 60, until)
    found: list[Post] = []
    for message in claimed:
        reply = decode(message.payload)
        if isinstance(reply.body, Notice):
            found.append(
                Post(
                    message.target,
                    message.dedup_key,
                    message.created_at,
                    reply.body,
                    reply.time_zone,
                )
            )
    return found


async def posts(store: Store, now: datetime) -> list[Post]:
    """Every pending outbox post due within ten years of `now`, in claim order."""
    return await _claim_posts(store, 10_000, now + FAR_FUTURE)


async def posts_in_order(store: Store) -> list[Post]:
    """Every pending post, oldest first."""
    found = await _claim_posts(store, 100_000, _YEAR_2100)
    return sorted(found, key=lambda p: (p.created_at, p.dedup_key))


async def queued_notices(store: Store, now: datetime) -> list[tuple[OutboxMessage, Notice]]:
    """Every post due by `now` with its notice (claimed under a test lease; the store is private)."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(1000, "test", 60, now)
        await uow.rollback()
    found: list[tuple[OutboxMessage, Notice]] = []
    for message in claimed:
        body = decode(message.payload).body
        if isinstance(body, Notice):
            found.append((message, body))
    return found


async def footprint(store: Store, number: int) -> tuple[int, int, int, str | None]:
    """Events of the case, audit entries, pending outbox posts and the owner: to show a refusal
    wrote nothing."""
    async with store.unit_of_work() as uow:
        case = await uow.cases.get(number)
        audit = await uow.audit.entries()
        backlog = await uow.outbox.backlog()
    events = len(case.events) if case else -1
    return events, len(audit), backlog.pending, case.owner if case else None


@dataclass(frozen=True)
class Rows:
    """Everything a refusal must leave untouched (R5)."""

    cases: int
    events: int
    audit: int
    outbox: int
    escalations: int
    surveys: int


async def count_rows(store: Store, accounts: tuple[str, ...] = ("acme", "globex")) -> Rows:
    async with store.unit_of_work() as uow:
        numbers = [
            c.number
            for account in accounts
            for c in await uow.cases.for_account(account, state=CaseState.ALL, limit=None)
        ]
        events = escalations = surveys = 0
        for number in numbers:
            case = await uow.cases.get(number)
            events += len(case.events) if case is not None else 0
            escalations += len(await uow.escalations.for_case(number))
            surveys += len(await uow.surveys.for_case(number))
        audit = len(await uow.audit.entries())
        outbox = (await uow.outbox.backlog()).pending
    return Rows(len(numbers), events, audit, outbox, escalations, surveys)
