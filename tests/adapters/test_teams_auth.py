"""R1 for Teams: Bot Framework tokens with credentials set; loopback clients in emulator mode."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiohttp import web

from bot.settings import Settings

from .teams_fixtures import (
    APP_ID,
    EMULATOR,
    ConnectorStandIn,
    TeamsWorld,
    TokenMinter,
    make_world,
)

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"


async def written(world: TeamsWorld) -> tuple[int, int]:
    async with world.store.unit_of_work() as uow:
        return len(await uow.cases.for_account("acme")), len(await uow.audit.entries())


def opening(world: TeamsWorld) -> dict[str, Any]:
    return world.personal(f'open medium "Export" --description "{DESCRIPTION}"')


async def test_r1_a_valid_bot_framework_token_is_accepted(teams_secure: TeamsWorld):
    response = await teams_secure.send(opening(teams_secure))
    assert response.status == 200
    assert (await written(teams_secure))[0] == 1
    [posted] = teams_secure.connector.posts
    assert posted.authorization == "Bearer outbound-test-token"


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "malformed",
        "expired",
        "wrong audience",
        "wrong issuer",
        "wrong key",
        "not bearer",
    ],
)
async def test_r1_bad_tokens_get_401_and_write_nothing(
    teams_secure: TeamsWorld, minter: TokenMinter, case: str
):
    url = teams_secure.service_url
    now = int(time.time())
    raw: dict[str, str | None] = {
        "missing": None,
        "malformed": "Bearer not.a.jwt",
        "expired": f"Bearer {minter.token(url, iat=now - 7200, nbf=now - 7200, exp=now - 3600)}",
        "wrong audience": f"Bearer {minter.token(url, aud='someone-else')}",
        "wrong issuer": f"Bearer {minter.token(url, iss='https://evil.example')}",
        "wrong key": f"Bearer {minter.token(url, key=minter.other_key)}",
        "not bearer": f"Basic {minter.token(url)}",
    }
    activity = opening(teams_secure)
    if raw[case] is None:
        response = await teams_secure.client.post("/api/messages", json=activity)
    else:
        response = await teams_secure.send(activity, raw_auth=raw[case])
    assert response.status == 401
    assert await written(teams_secure) == (0, 0)
    assert teams_secure.connector.posts == []


async def test_r1_a_token_for_another_service_url_is_refused(
    teams_secure: TeamsWorld, minter: TokenMinter
):
    token = minter.token("https://smba.trafficmanager.net/emea/")
    response = await teams_secure.send(opening(teams_secure), token=token)
    assert response.status == 401
    assert await written(teams_secure) == (0, 0)


async def test_r1_an_activity_naming_a_foreign_service_url_is_refused(
    teams_secure: TeamsWorld, minter: TokenMinter
):
    evil = "http://127.0.0.2:9/teams/"
    activity = opening(teams_secure) | {"serviceUrl": evil}
    response = await teams_secure.send(activity, token=minter.token(evil))
    assert response.status == 401
    assert await written(teams_secure) == (0, 0)


async def test_r1_emulator_mode_refuses_a_client_that_is_not_on_loopback(
    teams_store: Any, teams_connector: ConnectorStandIn
):
    @web.middleware
    async def from_afar(request: web.Request, handler: Any) -> web.StreamResponse:
        return await handler(request.clone(remote="203.0.113.7"))  # type: ignore[no-any-return]

    world, stop = await make_world(teams_store, teams_connector, EMULATOR, middlewares=(from_afar,))
    try:
        response = await world.send(opening(world))
        assert response.status in (401, 403)
        assert await written(world) == (0, 0)
    finally:
        await stop()


async def test_r1_emulator_mode_is_logged(
    teams_store: Any, teams_connector: ConnectorStandIn, caplog: Any
):
    _world, stop = await make_world(teams_store, teams_connector, EMULATOR)
    await stop()
    assert any("DEVELOPMENT mode" in r.getMessage() for r in caplog.records)


def test_r1_credentials_switch_on_token_checks_with_issuer_validation():
    from bot.adapters.teams.auth import TeamsAuth

    auth = TeamsAuth(Settings(microsoft_app_id=APP_ID, microsoft_app_password="s"))
    assert not auth.emulator
    assert auth.config is not None and auth.config.VALIDATE_ISSUER
    assert not auth.config.ANONYMOUS_ALLOWED
