"""R5 for POLICY section 7: every conversation entry point (thread reply, reaction, file,
"Reply to customer" shortcut) x access level x own/other account is allowed or refused exactly
as CONV-2..CONV-5 say, and a refusal writes nothing (no row, no stored file).

The expectation is worked out here from the directory's facts (the R5 matrix's), not by asking
`bot.policy`, so that this test can disagree with it.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.commands import identity
from bot.commands.conversation import ConversationSettings
from bot.commands.router import Router
from bot.conversation import (
    Conversed,
    FileShare,
    Origin,
    Reaction,
    ReplyToCustomer,
    SharedFile,
    ThreadKind,
    ThreadReply,
    ThreadRoot,
)
from bot.messages import Actor, Outcome, Refusal
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.sql import open_store

from . import r5_world
from .conftest import T0
from .r5_world import World
from .test_r5_matrix import CAST, EVERYONE, acting_level

ENTRIES = ("thread_reply", "reaction", "file", "shortcut")
TARGETS = {"own": "acme", "other": "globex"}
CHANNELS = {"acme": "CACME", "globex": "CGLOBEX"}
WORKS_CASES = frozenset({"analyst", "incident_commander"})  # ACC-8
STAFF = WORKS_CASES | {"admin"}


@dataclass(frozen=True)
class Expect:
    allowed: bool
    rule: str | None = None  # the refusal's rule, where POLICY names one for the cell


def expected(entry: str, role: str, email: str, account: str) -> Expect:
    """POLICY section 7 (with section 1's levels) for one cell."""
    designated = acting_level(email, account)[0] == "designated"
    if entry == "shortcut":
        # CONV-3: the explicit public reply is `respond`, an analyst's verb (ACC-8).
        return Expect(role in WORKS_CASES)
    if role == "unmapped":
        return Expect(False, "ACC-7")
    if entry == "thread_reply":
        # CONV-2: only a designated contact's reply is an update; CONV-3: staff writing in the
        # customer's thread do not reach them that way.
        if role in STAFF:
            return Expect(False, "CONV-3")
        return Expect(designated)
    if entry == "reaction":
        # CONV-4: a designated contact for themselves; staff working cases for the author.
        if role == "admin":
            return Expect(False, "ACC-8")
        return Expect(designated or role in WORKS_CASES)
    # CONV-5: whoever may update the case attaches (analysts' updates are work notes).
    if role == "admin":
        return Expect(False, "ACC-8")
    return Expect(designated or role in WORKS_CASES)


def cells() -> list[Any]:
    found = []
    for entry in ENTRIES:
        for target in TARGETS:
            for role, email in {**CAST[target], **EVERYONE}.items():
                found.append(
                    pytest.param(entry, role, target, email, id=f"{entry}-{role}-{target}")
                )
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return r5_world.build(tmp_path_factory.mktemp("r5conv"))


@dataclass
class Cell:
    router: Router
    database: Path
    folder: Path


@pytest.fixture
async def cell(world: World, tmp_path: Path) -> AsyncIterator[Cell]:
    database = tmp_path / "cell.db"
    shutil.copy(world.template, database)
    store: Store = await open_store(f"sqlite+aiosqlite:///{database}")
    folder = tmp_path / "files"
    router = Router(
        store,
        PolicyConfig(),
        conversation=ConversationSettings(),
        attachments=FolderStorage(folder),
    )
    for account, channel in CHANNELS.items():
        number = world.cases[account].open
        for kind, route, ts in (
            (ThreadKind.CUSTOMER, channel, f"C-{account}"),
            (ThreadKind.SUPPORT, "CQUEUE", f"S-{account}"),
        ):
            await router.record_thread_root(ThreadRoot(number, Platform.SLACK, kind, route, ts, T0))
    yield Cell(router, database, folder)
    await store.close()


async def _actor(router: Router, email: str) -> Actor:
    async with router.store.unit_of_work(read_only=True) as uow:
        return await identity.by_email(uow.directory, Platform.SLACK, f"U:{email}", email)


async def _enter(entry: str, router: Router, actor: Actor, account: str) -> Conversed:
    channel = CHANNELS[account]
    here = Origin(Platform.SLACK, "T1", channel)
    if entry == "thread_reply":
        return await router.converse(
            ThreadReply(here, actor, T0, "M-1", f"C-{account}", "Here are the logs from today")
        )
    if entry == "reaction":
        author = await _actor(router, r5_world.OPENERS[account])
        return await router.converse(
            Reaction(here, actor, T0, "ticket", "M-2", author, "Exports fail since the upgrade")
        )
    if entry == "file":

        async def fetch(limit: int) -> bytes:
            return b"ERROR 500 at export"

        shared = SharedFile("F-1", "server.log", 19, "text/plain", fetch)
        return await router.converse(
            FileShare(here, actor, T0, "M-3", (shared,), thread_root=f"C-{account}")
        )
    queue = Origin(Platform.SLACK, "T1", "CQUEUE")
    return await router.converse(
        ReplyToCustomer(queue, actor, T0, "M-4", f"S-{account}", "We are reading the logs now")
    )


@pytest.mark.parametrize(("entry", "role", "target", "email"), cells())
async def test_r5_conversation(entry: str, role: str, target: str, email: str, cell: Cell) -> None:
    """R5 / CONV-2..CONV-5: allowed or refused as POLICY says; a refusal writes nothing."""
    account = TARGETS[target]
    want = expected(entry, role, email, account)
    before = r5_world.snapshot(cell.database)
    actor = await _actor(cell.router, email)
    done = await _enter(entry, cell.router, actor, account)
    if want.allowed:
        if entry == "reaction":
            assert done.offer is not None, done  # the form is offered; nothing is opened yet
        else:
            assert done.reply is not None and done.reply.outcome is Outcome.OK, done
        assert _changes(r5_world.snapshot(cell.database)) != _changes(before)
        return
    assert done.offer is None, done
    assert done.reply is not None and done.reply.outcome is not Outcome.OK, done
    if want.rule is not None:
        assert isinstance(done.reply.body, Refusal) and done.reply.body.rule == want.rule, done
    assert _changes(r5_world.snapshot(cell.database)) == _changes(before)
    assert not cell.folder.exists() or not any(p.is_file() for p in cell.folder.rglob("*"))


def _changes(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the R2 de-duplication keys: the router remembers a refused event's
    message id as handled (a re-delivery is not answered twice), and nothing else."""
    return {table: rows for table, rows in snapshot.items() if table != "inbound"}
