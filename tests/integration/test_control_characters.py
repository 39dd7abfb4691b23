"""R6: control characters other than tab and line breaks are refused before they reach the
database, on SQLite and on PostgreSQL (which refuses NUL in text outright)."""

from __future__ import annotations

import pytest

from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.messages import ChatRequest, Command, Outcome, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface.cases import CaseState
from bot.store.sql import SqlStore
from tests.integration.test_store_directory import row_counts
from tests.unit.commands.conftest import DIRECTORY, T0

DESCRIPTION = "agents see error 503 at login since the upgrade"


async def say(store: SqlStore, command: Command, request_id: str | None = None) -> Reply:
    actor = await identity.by_email(
        await store.directory(), Platform.SLACK, "UALICE", "alice@acme.example"
    )
    req = ChatRequest(Platform.SLACK, "T1", "CACME", actor, command, T0, request_id=request_id)
    return await Router(store, PolicyConfig()).handle(req)


@pytest.mark.parametrize(
    ("char", "shown"),
    [("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\x85", "U+0085")],
)
async def test_r6_a_control_character_in_typed_text_is_refused_and_nothing_is_written(
    store: SqlStore, char: str, shown: str
) -> None:
    await load_directory(store, DIRECTORY)
    before = await row_counts(store)
    reply = await say(
        store, Command.unparsed(f"open medium Login{char} fails --description '{DESCRIPTION}'")
    )
    assert reply.outcome is Outcome.INVALID
    assert f"invisible control character ({shown})" in str(reply.body)
    assert await row_counts(store) == before


async def test_r6_a_control_character_in_a_submitted_form_field_is_refused(
    store: SqlStore,
) -> None:
    await load_directory(store, DIRECTORY)
    before = await row_counts(store)
    form = Command(
        "open",
        ("medium", "Login", "fails"),
        {"description": f"{DESCRIPTION}\x00"},
        raw="",
    )
    reply = await say(store, form)
    assert reply.outcome is Outcome.INVALID and "U+0000" in str(reply.body)
    assert await row_counts(store) == before


async def test_r6_tabs_and_line_breaks_are_kept_as_typed(store: SqlStore) -> None:
    await load_directory(store, DIRECTORY)
    typed = f"open medium Login fails --description 'first line\n\tsecond: {DESCRIPTION}'"
    reply = await say(store, Command.unparsed(typed))
    assert reply.outcome is Outcome.OK, reply
    async with store.unit_of_work() as uow:
        [case] = await uow.cases.for_account("acme", CaseState.ALL)
    assert case.description == f"first line\n\tsecond: {DESCRIPTION}"
