"""SQLite: this process's writers take turns in order instead of polling the busy handler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.store.interface.errors import StoreError
from bot.store.sql import open_store
from bot.store.sql import unit_of_work as uow_module
from tests.builders import T0


async def test_two_writers_take_turns_and_both_commit(tmp_path: Path) -> None:
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    order: list[str] = []

    async def write(name: str, hold: float) -> None:
        async with store.unit_of_work() as uow:
            order.append(f"{name} in")
            await uow.inbound.claim(name, T0)
            await asyncio.sleep(hold)
            await uow.commit()
            order.append(f"{name} out")

    try:
        await asyncio.gather(write("first", 0.05), write("second", 0.0))
        async with store.unit_of_work(read_only=True) as uow:
            # Readers never wait for the writers' turn (WAL); both keys were written.
            assert not await uow.inbound.claim("first", T0)
            assert not await uow.inbound.claim("second", T0)
    finally:
        await store.close()
    assert order == ["first in", "first out", "second in", "second out"]


async def test_a_writer_opened_inside_another_says_so_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uow_module, "WRITER_WAIT_SECONDS", 0.05)
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:
        async with store.unit_of_work():
            with pytest.raises(StoreError, match="one opened inside another"):
                async with store.unit_of_work():
                    pass
        async with store.unit_of_work() as uow:  # the turn was given back
            assert await uow.inbound.claim("after", T0)
    finally:
        await store.close()
