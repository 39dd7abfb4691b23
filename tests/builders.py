"""The one home of the tests' builders: domain values, rows seeded straight into a store, and
cases opened or moved the way a person or staff member would.

Three families, each with the defaults its tests were written against (their assertions rely on
them, so they are not merged into one set of defaults):
- pure values for the policy tests (`account`, `contact`, `grant`, `case`, actors), no store;
- store seeding for the store and job tests (`T0`, `contracted_account`, `numbered_case`,
  `seed_accounts`, `add_case`, the incident world's directory);
- chat steps for the command tests (`open_case`, `open_case_number`, `submit`, `say`,
  `set_status`, `set_priority`), which go through the real router.
Reading back what was written lives in `tests/readback.py`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.messages import Actor, CaseView, ChatRequest, Command, Outcome, Reply
from bot.model import (
    AccessLevel,
    Account,
    CareLevel,
    Case,
    CaseEvent,
    Contact,
    Deployment,
    EventKind,
    Grant,
    Platform,
    Priority,
    Staff,
    StaffRole,
    Stage,
    Status,
    SubStatus,
)
from bot.store.interface import Store
from bot.store.interface.directory import Directory
from tests.readback import get_case

if TYPE_CHECKING:
    from tests.unit.commands.conftest import Person

# -- pure values (policy tests) ------------------------------------------------------------------

OPENED_AT = datetime(2026, 3, 2, 14, tzinfo=UTC)  # a Monday, 09:00 in New York


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def account(
    id: str = "acme",
    *,
    sold_to: str = "Acme Corp",
    end_user: str = "Acme Corp",
    partner: bool = False,
    deployment: Deployment = Deployment.ON_PREMISES,
    care_level: CareLevel = CareLevel.BUSINESS,
    region: str = "NA",
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    sold_to_id: str | None = None,
    end_user_id: str | None = None,
    end_user_subsidiary: bool = False,
) -> Account:
    return Account(
        id,
        sold_to,
        end_user,
        partner,
        deployment,
        care_level,
        region,
        start,
        end,
        sold_to_id,
        end_user_id,
        end_user_subsidiary,
    )


def contact(
    *grants: Grant,
    email: str = "alice@acme.example",
    company: str = "Acme Corp",
    company_id: str | None = None,
    name: str = "Alice Able",
) -> Contact:
    return Contact(email=email, name=name, company=company, grants=grants, company_id=company_id)


def grant(
    level: AccessLevel,
    account_id: str = "acme",
    approved_by: str | None = None,
    approved_at: date | None = None,
) -> Grant:
    return Grant(account_id, level, approved_by, approved_at)


def customer(person: Contact) -> Actor:
    return Actor(Platform.SLACK, "U0001", contact=person)


def staff(*roles: StaffRole, person: Contact | None = None) -> Actor:
    member = Staff("ana@vendor.example", "Ana Lyst", frozenset(roles))
    return Actor(Platform.SLACK, "U0900", contact=person, staff=member)


def unmapped() -> Actor:
    return Actor(Platform.SLACK, "U0666")


def event(
    kind: EventKind,
    at: datetime,
    status: Status | None = None,
    sub_status: SubStatus | None = None,
) -> CaseEvent:
    return CaseEvent(kind, at, "someone@acme.example", status=status, sub_status=sub_status)


def case(
    *,
    priority: Priority = Priority.MEDIUM,
    status: Status = Status.OPEN,
    sub_status: SubStatus = SubStatus.INVESTIGATION,
    opened_at: datetime = OPENED_AT,
    updated_at: datetime | None = None,
    closed_at: datetime | None = None,
    production_down: bool = False,
    events: tuple[CaseEvent, ...] | None = None,
    account_id: str = "acme",
    stage: Stage = Stage.PRODUCTION,
) -> Case:
    history = events if events is not None else (event(EventKind.OPENED, opened_at),)
    return Case(
        number=1001,
        account_id=account_id,
        summary="Reports time out",
        description="The nightly reports time out after the upgrade to 9.2.",
        priority=priority,
        case_type="Support",
        case_subtype="Problem",
        stage=stage,
        status=status,
        sub_status=sub_status,
        opened_by="alice@acme.example",
        opened_at=opened_at,
        updated_at=updated_at or opened_at,
        production_down=production_down,
        closed_at=closed_at,
        events=history,
    )


# -- store seeding (store and job tests) ---------------------------------------------------------

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def contracted_account(account_id: str = "acme", region: str = "NA") -> Account:
    """An account under contract from 2026 to the end of 2027, named after its id."""
    name = f"{account_id.title()} Corp"
    return account(account_id, sold_to=name, end_user=name, region=region, end=date(2027, 12, 31))


def numbered_case(
    number: int, account_id: str = "acme", at: datetime = T0, **changes: object
) -> Case:
    """A high-priority case `number` opened by Alice at `at`; `changes` replace any field."""
    values: dict[str, object] = {
        "number": number,
        "account_id": account_id,
        "summary": f"Case {number}: the login page returns 500",
        "description": "Since this morning every login attempt fails with an internal error.",
        "priority": Priority.HIGH,
        "case_type": "Support",
        "case_subtype": "Problem",
        "stage": Stage.PRODUCTION,
        "status": Status.OPEN,
        "sub_status": SubStatus.NEW,
        "opened_by": "alice@acme.example",
        "opened_at": at,
        "updated_at": at,
        "impact": "All 40 agents are blocked",
        "events": (
            CaseEvent(
                EventKind.OPENED,
                at,
                "alice@acme.example",
                Platform.SLACK,
                body="opened",
                status=Status.OPEN,
                sub_status=SubStatus.NEW,
                priority=Priority.HIGH,
                production_down=False,
            ),
        ),
    }
    values.update(changes)
    return Case(**values)  # type: ignore[arg-type]


async def seed_accounts(store: Store, *account_ids: str) -> None:
    async with store.unit_of_work() as uow:
        await uow.directory.upsert(
            Directory(accounts=tuple(contracted_account(a) for a in account_ids))
        )
        await uow.commit()


async def add_case(
    store: Store, account_id: str = "acme", minutes: int = 0, **changes: object
) -> Case:
    """Allocate a number and store a case opened `minutes` after T0 (no timers, no audit)."""
    async with store.unit_of_work() as uow:
        number = await uow.cases.next_number()
        at = T0 + timedelta(minutes=minutes)
        made = numbered_case(number, account_id, at, **changes)
        await uow.cases.add(made)
        await uow.commit()
    return made


# The incident, notice and report tests' world: a small directory with two bridges (Slack, Teams).
COMMANDER = "ivan@vendor.example"
TEAMS_BRIDGE = "19:bridge@thread.tacv2"
INCIDENT_DIRECTORY = """
accounts:
  - {id: acme, sold_to: Acme Corp, end_user: Acme Corp, partner: false, deployment: cloud,
     care_level: business, region: NA, contract: {start: 2026-01-01, end: 2027-12-31}}
  - {id: globex, sold_to: Globex GmbH, end_user: Globex GmbH, partner: false,
     deployment: on_premises, care_level: business, region: EMEA,
     contract: {start: 2025-01-01, end: 2028-12-31}}
contacts:
  - {email: alice@acme.example, name: Alice Able, company: Acme Corp,
     slack: {team: T1, user: UALICE}, grants: [{account: acme, level: designated}]}
staff:
  - {email: ivan@vendor.example, name: Ivan Commander, roles: [incident_commander],
     slack: {team: T0, user: UIVAN}}
channels:
  - {platform: slack, id: CACME, purpose: account, account: acme}
  - {platform: slack, id: CGLOBEX, purpose: account, account: globex}
  - {platform: slack, id: CQUEUE, purpose: queue}
  - {platform: slack, id: CBRIDGE, purpose: bridge}
  - {platform: teams, id: "19:bridge@thread.tacv2", purpose: bridge,
     service_url: "http://127.0.0.1:1/teams/", tenant: tenant-vendor}
"""


async def load_world(store: Store, folder: Path) -> None:
    """Load the incident world's directory (written to `folder`) into `store`."""
    path = folder / "directory.yaml"
    path.write_text(INCIDENT_DIRECTORY, encoding="utf-8")
    await load_directory(store, path)


# -- chat steps (command tests) ------------------------------------------------------------------

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"
MEDIUM_CASE = (
    'open medium "Reports export fails with error 500" --description '
    '"Since the upgrade on Monday every export of the daily report fails with error 500."'
)


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


async def open_case_number(person: Person, text: str = MEDIUM_CASE) -> int:
    """Open a case as `person` by typing `text` and return its number."""
    reply = await person.say(text)
    if reply.outcome is not Outcome.OK or not isinstance(reply.body, CaseView):
        raise RuntimeError(f"could not open the test case: {reply}")
    return reply.body.case.number


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


async def say(router: Router, email: str, text: str, now: datetime) -> Reply:
    """`email` types `text` in a DM with the bot at `now`; fails the test unless it worked."""
    async with router.store.unit_of_work() as uow:
        actor = await identity.by_email(uow.directory, Platform.SLACK, f"user:{email}", email)
    req = ChatRequest(Platform.SLACK, "T0", "D1", actor, Command.unparsed(text), now, True)
    reply = await router.handle(req)
    if reply.outcome is not Outcome.OK:
        raise AssertionError(f"{text!r} was not accepted: {reply}")
    return reply


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
