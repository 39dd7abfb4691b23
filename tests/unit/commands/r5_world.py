"""The world of the R5 access matrix: the command-test directory with a few more contacts, and
cases in every state a verb needs, built once into a template SQLite file each cell copies.

Copying the template (about 30 ms) gives every cell its own store, so an allowed command cannot
change what the next cell sees, and "a refusal writes nothing" is checked on every table.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.directory import load_directory
from bot.model import (
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
from bot.policy.intake import DEFAULT_TYPE
from bot.store.interface import UnitOfWork
from bot.store.sql import open_store

from .conftest import DIRECTORY, T0

# Contacts the shared directory lacks, so that every level meets the expired contract (ACC-3)
# and a plain basic end user meets the partner-owned account (ACC-4).
EXTRA_CONTACTS: list[dict[str, Any]] = [
    {
        "email": "ulla@umbrella.example",
        "name": "Ulla Basic",
        "company": "Umbrella Ltda",
        "slack": {"team": "T3", "user": "UULLA"},
        "grants": [{"account": "umbrella", "level": "basic"}],
    },
    {
        "email": "ugo@umbrella.example",
        "name": "Ugo Reader",
        "company": "Umbrella Ltda",
        "slack": {"team": "T3", "user": "UUGO"},
        "grants": [{"account": "umbrella", "level": "read_only"}],
    },
    {
        "email": "hugo@hooli.example",
        "name": "Hugo Basic",
        "company": "Hooli Pty Ltd",
        "company_id": "hooli",
        "slack": {"team": "T4", "user": "UHUGO"},
        "grants": [{"account": "hooli", "level": "basic"}],
    },
]

# Each account's cases are opened by its designated contact, so `survey` has its opener (CASE-8).
OPENERS = {
    "acme": "alice@acme.example",
    "globex": "gina@globex.example",
    "umbrella": "uma@umbrella.example",
    "hooli": "ian@initech.example",
}
DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"
OPENED_AT = T0 - timedelta(days=7)  # long enough ago for a customer to escalate (ESC-5)
CLOSED_AT = T0 - timedelta(days=2)  # inside the reopen and survey windows (REO-1, CASE-8)


@dataclass(frozen=True)
class Cases:
    """One account's prepared cases: open, closed recently, open with an escalation waiting, and
    an open one whose target is a restoration (what `restore` stops): Critical - Production Down
    on premises, Incident on cloud."""

    open: int
    closed: int
    escalated: int
    critical: int


@dataclass(frozen=True)
class World:
    template: Path
    cases: dict[str, Cases]


def build(folder: Path) -> World:
    """Write the directory and the template database into `folder`."""
    directory = folder / "directory.yaml"
    data = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))
    data["contacts"].extend(EXTRA_CONTACTS)
    directory.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    template = folder / "template.db"
    found: dict[str, Cases] = {}
    failure: list[BaseException] = []

    def run() -> None:
        try:
            found.update(asyncio.run(_fill(template, directory)))
        except BaseException as err:  # handed to the test thread below
            failure.append(err)

    # Its own thread and event loop: the test's loop must not meet the template's connections.
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return World(template, found)


async def _fill(template: Path, directory: Path) -> dict[str, Cases]:
    store = await open_store(f"sqlite+aiosqlite:///{template}")
    try:
        await load_directory(store, directory)
        found = {}
        async with store.unit_of_work() as uow:
            for account, opener in OPENERS.items():
                numbers = []
                for closed in (False, True, False):
                    number = await uow.cases.next_number()
                    await uow.cases.add(_case(number, account, opener, closed))
                    numbers.append(number)
                await uow.escalations.add(
                    numbers[2],
                    opener,
                    "No progress for a week",
                    "Month-end close blocked",
                    False,
                    T0 - timedelta(hours=2),
                )
                number = await uow.cases.next_number()
                await uow.cases.add(
                    _case(number, account, opener, False, await _down(uow, account))
                )
                numbers.append(number)
                found[account] = Cases(*numbers)
            await uow.commit()
    finally:
        await store.close()
    return found


async def _down(uow: UnitOfWork, account_id: str) -> Priority:
    """The priority of a case whose resolution target is a restoration target (SLA-1..SLA-3)."""
    account = await uow.directory.account(account_id)
    cloud = account is not None and account.deployment is Deployment.CLOUD
    return Priority.INCIDENT if cloud else Priority.CRITICAL


def _case(
    number: int, account: str, opener: str, closed: bool, priority: Priority = Priority.MEDIUM
) -> Case:
    opened = CaseEvent(
        EventKind.OPENED,
        OPENED_AT,
        opener,
        Platform.SLACK,
        body=DESCRIPTION,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=priority,
        production_down=(priority is Priority.CRITICAL) or None,
    )
    events: tuple[CaseEvent, ...] = (opened,)
    status, sub = Status.OPEN, SubStatus.NEW
    if closed:
        status, sub = Status.CLOSED, SubStatus.RESOLVED
        events += (
            CaseEvent(
                EventKind.CLOSED,
                CLOSED_AT,
                opener,
                Platform.SLACK,
                body="Fixed by the patch",
                status=status,
                sub_status=sub,
            ),
        )
    return Case(
        number=number,
        account_id=account,
        summary="Reports export fails",
        description=DESCRIPTION,
        priority=priority,
        production_down=priority is Priority.CRITICAL,
        case_type=DEFAULT_TYPE[0],
        case_subtype=DEFAULT_TYPE[1],
        stage=Stage.PRODUCTION,
        status=status,
        sub_status=sub,
        opened_by=opener,
        opened_at=OPENED_AT,
        updated_at=CLOSED_AT if closed else OPENED_AT,
        closed_at=CLOSED_AT if closed else None,
        events=events,
    )


def snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (R5: a refusal writes nothing, not even a changed column)."""
    connection = sqlite3.connect(database)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"'), key=repr)
            for table in tables
        }
    finally:
        connection.close()
