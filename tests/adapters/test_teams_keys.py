"""R10: token checks never block the event loop or the default executor, and keys are cached."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.adapters.teams.keys import SigningKeys
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.interface import Store

from .teams_fixtures import SECURE, TeamsWorld, TokenMinter, make_world

pytestmark = [pytest.mark.security, pytest.mark.usefixtures("loopback_only")]


class RecordingExecutor(concurrent.futures.ThreadPoolExecutor):
    """The loop's default executor, counting what is handed to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.used: list[Callable[..., Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.used.append(fn)
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
async def default_executor() -> RecordingExecutor:
    executor = RecordingExecutor()
    asyncio.get_running_loop().set_default_executor(executor)
    return executor


@pytest.fixture
async def short_timeout(
    teams_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    keys = SigningKeys(minter.jwks_url, timeout=0.2)
    world, stop = await make_world(teams_store, teams_connector, SECURE, minter, keys=keys)
    yield world
    await stop()


async def test_r10_signing_keys_are_fetched_once_for_many_token_checks(
    teams_secure: TeamsWorld, minter: TokenMinter, default_executor: RecordingExecutor
):
    answers = await asyncio.gather(
        *(teams_secure.send(teams_secure.personal("help")) for _ in range(6))
    )
    assert [a.status for a in answers] == [200] * 6
    assert minter.fetches == 1
    assert default_executor.used == []


async def test_r10_a_hanging_signing_key_endpoint_refuses_with_503_without_the_default_executor(
    short_timeout: TeamsWorld, minter: TokenMinter, default_executor: RecordingExecutor
):
    minter.hang = True
    answers = await asyncio.gather(
        *(short_timeout.send(short_timeout.personal("help")) for _ in range(5))
    )
    assert [a.status for a in answers] == [503] * 5
    assert minter.fetches == 1  # the five checks shared one fetch instead of queueing five
    assert default_executor.used == []
    assert short_timeout.connector.calls == 0
    async with short_timeout.store.unit_of_work() as uow:
        assert await uow.audit.entries() == []
    minter.hang = False  # the endpoint recovers: the next check fetches again and succeeds
    assert (await short_timeout.send(short_timeout.personal("help"))).status == 200


async def test_r1_tokens_naming_unknown_keys_are_refused_without_hammering_the_key_endpoint(
    teams_secure: TeamsWorld, minter: TokenMinter
):
    assert (await teams_secure.send(teams_secure.personal("help"))).status == 200
    for n in range(5):
        forged = minter.token(teams_secure.service_url, key=minter.other_key, kid=f"kid-{n}")
        response = await teams_secure.send(teams_secure.personal("help"), token=forged)
        assert response.status == 401
    assert minter.fetches == 1


async def test_r10_the_key_endpoints_name_lookup_runs_on_its_own_executor(
    default_executor: RecordingExecutor,
):
    from bot.adapters.teams.keys import OwnExecutorResolver

    own = RecordingExecutor()
    try:
        found = await OwnExecutorResolver(own).resolve("localhost", 443)
    finally:
        own.shutdown()
    assert found and all(r["port"] == 443 and r["hostname"] == "localhost" for r in found)
    assert {r["host"] for r in found} <= {"127.0.0.1", "::1"}
    assert len(own.used) == 1 and default_executor.used == []
