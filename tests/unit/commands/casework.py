"""Shared steps of the staff-verb tests: open a case, read back what was written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.casework.payload import decode
from bot.messages import CaseView, Notice, Outcome
from bot.model import Case
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Store, Timer

from .conftest import Person

MEDIUM_CASE = (
    'open medium "Reports export fails with error 500" --description '
    '"Since the upgrade on Monday every export of the daily report fails with error 500."'
)
FAR_FUTURE = timedelta(days=3650)


async def open_case(person: Person, text: str = MEDIUM_CASE) -> int:
    """Open a case as `person` and return its number."""
    reply = await person.say(text)
    if reply.outcome is not Outcome.OK or not isinstance(reply.body, CaseView):
        raise RuntimeError(f"could not open the test case: {reply}")
    return reply.body.case.number


async def stored(store: Store, number: int) -> Case:
    async with store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    if case is None:
        raise LookupError(f"no case {number}")
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
    """One queued outbox post, decoded."""

    target: str
    dedup_key: str
    notice: Notice


async def posts(store: Store, now: datetime) -> list[Post]:
    """Every pending outbox post (read in a unit of work that is rolled back)."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10_000, "test", 60, now + FAR_FUTURE)
    found = []
    for message in claimed:
        body = decode(message.payload).body
        if isinstance(body, Notice):
            found.append(Post(message.target, message.dedup_key, body))
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
