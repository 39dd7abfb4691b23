"""Fixtures for the process tests: the Slack stand-in, and databases shared with child processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.standins.slack_api import SlackStandIn
from bot.store.sql import SqlStore, open_store
from tests.integration.conftest import _empty_postgres, pg_server, pg_url
from tests.sqlite_templates import SqliteTemplates

__all__ = ["pg_server", "pg_url"]


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.close()


@pytest.fixture
async def sqlite(
    tmp_path: Path, sqlite_templates: SqliteTemplates
) -> AsyncIterator[tuple[str, SqlStore]]:
    url = sqlite_templates.copy(tmp_path / "bot.db")
    store = await open_store(url, auto_upgrade=True)
    try:
        yield url, store
    finally:
        await store.close()


@pytest.fixture
async def postgres(pg_url: str) -> AsyncIterator[tuple[str, SqlStore]]:
    store = await open_store(pg_url)
    try:
        yield pg_url, store
    finally:
        await _empty_postgres(store)
        await store.close()
