"""The contract suite's server: Slack, Teams and FakeChat on one `bot.server.Server` over HTTP.

Slack is connected by the server from its settings (Web API at the stand-in); Teams is handed in
authenticated against the token stand-in (as the demo does, since Microsoft's key service is
not reachable from tests); FakeChat is registered beside the registry's platforms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.registry import PLATFORMS
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.auth import TeamsAuth
from bot.adapters.teams.hosts import ServiceHosts
from bot.app import Services
from bot.commands.router import Router
from bot.metrics import Metrics
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.server import Server
from bot.settings import Settings
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.interface import Store
from tests.adapters.contract.drivers import (
    PLATFORM_NAMES,
    Driver,
    FakeChatDriver,
    SlackDriver,
    TeamsDriver,
)
from tests.adapters.fakechat.platform import FakeChatPlatform
from tests.adapters.fakechat.standin import FakeChatService
from tests.adapters.slack_fixtures import BOT_TOKEN, SIGNING_SECRET, FixedClock, SlackHarness
from tests.adapters.teams_fixtures import (
    APP_ID,
    TeamsWorld,
    TokenMinter,
    Wire,
    fast_connector,
    start,
)


@dataclass
class Served:
    """One platform's driver, and the server and store behind every platform."""

    driver: Driver
    server: Server
    store: Store


@pytest.fixture
async def fakechat_service() -> AsyncIterator[FakeChatService]:
    service = FakeChatService()
    server = await start(service.app())
    service.url = str(server.make_url("")).rstrip("/")
    yield service
    await server.close()


@pytest.fixture(params=PLATFORM_NAMES)
async def served(
    request: pytest.FixtureRequest,
    teams_store: Store,
    teams_connector: ConnectorStandIn,
    slack_api: SlackStandIn,
    minter: TokenMinter,
    fakechat_service: FakeChatService,
) -> AsyncIterator[Served]:
    settings = Settings(
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_api.base_url,
        slack_staff_workspaces=frozenset({"T0"}),
        microsoft_app_id=APP_ID,
        microsoft_app_password="test-secret",
        teams_service_hosts=("127.0.0.1",),
    )
    config = PolicyConfig()
    store = teams_store
    clock = FixedClock()
    now = [clock.now]
    hosts = ServiceHosts(settings.teams_service_hosts)
    wire = Wire()
    teams = TeamsAdapter(
        Router(store, config),
        store,
        settings,
        config,
        clock=clock,
        auth=TeamsAuth(settings, jwks_url=minter.jwks_url),
        connector=fast_connector(hosts, wire, auth=True),
        hosts=hosts,
    )
    fakechat = FakeChatPlatform("fakechat-secret", fakechat_service.url, fakechat_service.token)
    svc = Services(settings, config, store, Router(store, config))
    server = Server(
        svc,
        Metrics(),
        scheduler=False,
        clock=clock,
        connections={Platform.TEAMS: teams},
        platforms=(*PLATFORMS, fakechat),  # the one registration line of a new platform
    )
    client: TestClient[Any, Any] = TestClient(TestServer(server.web, host="127.0.0.1"))
    await client.start_server()
    slack = server.connections[Platform.SLACK]
    if not isinstance(slack, SlackAdapter):
        raise AssertionError("the server did not connect Slack from its settings")
    chosen: Driver
    if request.param == "slack":
        chosen = SlackDriver(SlackHarness(client, slack, slack_api, store, clock), slack_api)
    elif request.param == "teams":
        teams_connector.members["29:alice"] = {"id": "29:alice", "email": "alice@acme.example"}
        world = TeamsWorld(
            client, teams_connector, store, teams, minter, teams_connector.url, now, wire
        )
        chosen = TeamsDriver(world, teams_connector)
    else:
        chosen = FakeChatDriver(client, fakechat_service, fakechat)
    try:
        yield Served(chosen, server, store)
    finally:
        await client.close()
        await server.close_adapters()
