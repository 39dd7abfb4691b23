"""Small builders of domain values for the policy tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.messages import Actor
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


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


OPENED_AT = datetime(2026, 3, 2, 14, tzinfo=UTC)  # a Monday, 09:00 in New York


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
