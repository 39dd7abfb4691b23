"""Test helpers for the customer verbs: cases in a given state, form submissions, row counts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.casework.payload import decode
from bot.commands import identity
from bot.commands.router import Router
from bot.messages import CaseView, ChatRequest, Command, Notice, Reply
from bot.model import Case, CaseEvent, EventKind, Priority, Status, SubStatus
from bot.store.interface import CaseState, OutboxMessage, Store

from .conftest import Person

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"


async def open_case(
    person: Person,
    priority: str = "medium",
    summary: str = "Reports export fails",
    extra: str = "",
) -> Case:
    """Open a case as `person` and return it."""
    reply = await person.say(
        f'open {priority} "{summary}" --description "{DESCRIPTION}" {extra}'.strip()
    )
    if not isinstance(reply.body, CaseView):
        raise AssertionError(f"could not open a case: {reply}")
    return reply.body.case


async def get_case(store: Store, number: int) -> Case:
    async with store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    if case is None:
        raise AssertionError(f"case {number} is missing")
    return case


async def set_status(
    store: Store, number: int, status: Status, sub: SubStatus, at: datetime, **changes: Any
) -> Case:
    """Move a case as staff would (a STATUS_CHANGE event), without a staff verb."""
    case = await get_case(store, number)
    event = CaseEvent(
        EventKind.STATUS_CHANGE, at, "ana@vendor.example", status=status, sub_status=sub
    )
    updated = replace(case, status=status, sub_status=sub, updated_at=at, **changes)
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(number)
        await uow.cases.update(updated)
        await uow.cases.add_event(number, event)
        await uow.commit()
    return updated


async def set_priority(
    store: Store, number: int, priority: Priority, at: datetime, owner: str | None = None
) -> Case:
    """Change a case's priority as staff would (a PRIORITY_CHANGE event)."""
    case = await get_case(store, number)
    event = CaseEvent(EventKind.PRIORITY_CHANGE, at, "ana@vendor.example", priority=priority)
    updated = replace(case, priority=priority, owner=owner or case.owner)
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(number)
        await uow.cases.update(updated)
        await uow.cases.add_event(number, event)
        await uow.commit()
    return updated


async def submit(person: Person, verb: str, case: int | None = None, **fields: str | bool) -> Reply:
    """A form submission as the adapters deliver it: the verb with `form=True` and the fields."""
    router: Router = person.router
    async with router.store.unit_of_work() as uow:
        actor = await identity.by_email(
            uow.directory, person.platform, f"user:{person.email}", person.email
        )
    options: dict[str, str | bool] = {"form": True}
    options.update({name.replace("_", "-"): value for name, value in fields.items()})
    command = Command(verb=verb, args=(str(case),) if case is not None else (), options=options)
    req = ChatRequest(
        platform=person.platform,
        workspace="T1",
        channel_id=person.channel,
        actor=actor,
        command=command,
        now=person.clock.now,
        is_direct=True,
    )
    return await router.handle(req)


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


async def outbox(store: Store, now: datetime) -> list[tuple[OutboxMessage, Notice]]:
    """Every pending post with its notice (claimed under a test lease; the test store is private)."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(1000, "test", 60, now)
        await uow.rollback()
    found: list[tuple[OutboxMessage, Notice]] = []
    for message in claimed:
        body = decode(message.payload).body
        if isinstance(body, Notice):
            found.append((message, body))
    return found
