"""The demo's world: a temporary SQLite database, the two stand-ins and the real server on 127.0.0.1.

Everything listens on loopback with random ports; the only clock is `SimulatedClock`, shared by
the adapters, the outbox worker's rate limiter and the scheduler passes the script runs. Teams
runs as in production, with credentials: every activity carries a token signed by the local
Bot Framework key stand-in and is checked by the real token validator (serviceurl claim
included), and the connector client sends its own token only to the allowed host, 127.0.0.1.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.adapters.registry import rate_limits
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.auth import TeamsAuth
from bot.adapters.teams.connector import Connector
from bot.adapters.teams.hosts import ServiceHosts
from bot.app import Services, services
from bot.directory import parse_directory
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import PassReport, run_once
from bot.metrics import Metrics
from bot.model import Platform
from bot.server import Server
from bot.settings import Settings
from bot.standins.bot_framework_keys import TokenMinter
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn

SIGNING_SECRET = "demo-signing-secret"  # not a secret: the demo's own stand-in checks nothing else
BOT_TOKEN = "xoxb-demo-token"
TEAMS_APP_ID = "00000000-0000-4000-8000-0000000d3e30"
TEAMS_APP_PASSWORD = "demo-app-password"  # not a secret: no token is ever requested with it
CONNECTOR_PLACEHOLDER = "http://127.0.0.1:1/teams/"


class SimulatedClock:
    """The demo's time: moved by the script, never by the wall clock."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware start time")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward (never back: timers and SLA clocks assume it only grows)."""
        if delta < timedelta(0):
            raise ValueError("the simulated clock only moves forward")
        self.now += delta

    def monotonic(self) -> float:
        """Seconds on the simulated clock, for the outbox rate limiter (P6)."""
        return self.now.timestamp()

    async def sleep(self, seconds: float) -> None:
        """A rate-limit wait passes in simulated time, so the demo never sleeps for real."""
        self.advance(timedelta(seconds=max(seconds, 0.0)))


@dataclass
class World:
    """What the script drives and reads: the server, its HTTP address and the two stand-ins."""

    clock: SimulatedClock
    svc: Services
    server: Server
    slack: SlackAdapter
    slack_api: SlackStandIn
    connector: ConnectorStandIn
    keys: TokenMinter
    worker: OutboxWorker
    http: ClientSession
    base_url: str

    async def scheduler_pass(self) -> PassReport:
        """One pass of all due work at the simulated now, outbox delivery included."""
        return await run_once(
            self.svc.store,
            self.svc.config,
            self.clock(),
            self.server.deliverers,
            worker=self.worker,
        )


def directory_text(connector_url: str) -> str:
    """The demo directory with the Teams bridge bound to the connector stand-in."""
    text = resources.files("bot.demo").joinpath("directory.yaml").read_text("utf-8")
    return text.replace(CONNECTOR_PLACEHOLDER, connector_url)


@asynccontextmanager
async def open_world(start: datetime) -> AsyncIterator[World]:
    """Start everything on 127.0.0.1 over a fresh temporary database; stop and delete on exit."""
    clock = SimulatedClock(start)
    slack_api = SlackStandIn()
    connector = ConnectorStandIn()
    connector_server = TestServer(connector.app(), host="127.0.0.1")
    keys = TokenMinter(TEAMS_APP_ID)
    keys_server = TestServer(keys.app(), host="127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="supportbot-demo-") as folder:
        await slack_api.start()
        await connector_server.start_server()
        await keys_server.start_server()
        try:
            connector.url = str(connector_server.make_url("/teams/"))
            keys.jwks_url = str(keys_server.make_url("/keys"))
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
                slack_signing_secret=SIGNING_SECRET,
                slack_bot_token=BOT_TOKEN,
                slack_api_url=slack_api.base_url,
                microsoft_app_id=TEAMS_APP_ID,
                microsoft_app_password=TEAMS_APP_PASSWORD,
                teams_service_hosts=("127.0.0.1",),
                attachments_dir=Path(folder) / "attachments",  # CONV-5, deleted with the rest
            )
            async with services(settings) as svc:
                directory = parse_directory(
                    directory_text(connector.url), "bot/demo/directory.yaml", svc.config
                )
                async with svc.store.unit_of_work() as uow:
                    await uow.directory.upsert(directory)
                    await uow.commit()
                async with _serve(svc, clock, slack_api, connector, keys) as world:
                    yield world
        finally:
            await keys_server.close()
            await connector_server.close()
            await slack_api.close()


@asynccontextmanager
async def _serve(
    svc: Services,
    clock: SimulatedClock,
    slack_api: SlackStandIn,
    connector: ConnectorStandIn,
    keys: TokenMinter,
) -> AsyncIterator[World]:
    teams = {Platform.TEAMS: _teams(svc, clock, keys)}
    server = Server(svc, Metrics(), scheduler=False, clock=clock, connections=teams)
    slack = server.connections.get(Platform.SLACK)
    if not isinstance(slack, SlackAdapter):
        raise RuntimeError("the demo settings enable Slack; the server did not")
    pacer = Pacer(rate_limits(server.platforms), monotonic=clock.monotonic, sleep=clock.sleep)
    worker = OutboxWorker(svc.store, server.deliverers, pacer=pacer, monotonic=clock.monotonic)
    web_server = TestServer(server.web, host="127.0.0.1")
    await web_server.start_server()
    try:
        async with ClientSession() as http:
            yield World(
                clock,
                svc,
                server,
                slack,
                slack_api,
                connector,
                keys,
                worker,
                http,
                str(web_server.make_url("")).rstrip("/"),
            )
    finally:
        await web_server.close()


def _teams(svc: Services, clock: SimulatedClock, keys: TokenMinter) -> TeamsAdapter:
    """The production Teams adapter, but with the stand-in's keys instead of Microsoft's."""
    settings = svc.settings
    hosts = ServiceHosts(settings.teams_service_hosts)

    async def outbound_token() -> str:
        # What MSAL would fetch from Microsoft Entra ID for the app (offline in the demo).
        return keys.token(None, aud="https://api.botframework.com", appid=TEAMS_APP_ID)

    return TeamsAdapter(
        svc.router,
        svc.store,
        settings,
        svc.config,
        clock,
        auth=TeamsAuth(settings, jwks_url=keys.jwks_url),
        connector=Connector(outbound_token, hosts),
        hosts=hosts,
    )
