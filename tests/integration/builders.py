"""Small builders of domain values for the store tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.model import (
    Account,
    CareLevel,
    Case,
    CaseEvent,
    Deployment,
    EventKind,
    Platform,
    Priority,
    Stage,
    Status,
    SubStatus,
)
from bot.store.interface import Directory, Store

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def account(account_id: str = "acme", region: str = "NA") -> Account:
    return Account(
        id=account_id,
        sold_to=f"{account_id.title()} Corp",
        end_user=f"{account_id.title()} Corp",
        partner=False,
        deployment=Deployment.ON_PREMISES,
        care_level=CareLevel.BUSINESS,
        region=region,
        contract_start=date(2026, 1, 1),
        contract_end=date(2027, 12, 31),
    )


def case(number: int, account_id: str = "acme", at: datetime = T0, **changes: object) -> Case:
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
        await uow.directory.upsert(Directory(accounts=tuple(account(a) for a in account_ids)))
        await uow.commit()


async def open_case(
    store: Store, account_id: str = "acme", minutes: int = 0, **changes: object
) -> Case:
    """Allocate a number and store a case opened `minutes` after T0."""
    async with store.unit_of_work() as uow:
        number = await uow.cases.next_number()
        at = T0 + timedelta(minutes=minutes)
        made = case(number, account_id, at, **changes)
        await uow.cases.add(made)
        await uow.commit()
    return made
