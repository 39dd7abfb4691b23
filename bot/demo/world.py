"""The demo's world: a temporary SQLite database, the two stand-ins and the real server on 127.0.0.1.

Everything listens on loopback with random ports; the only clock is `SimulatedClock`, shared by
the adapters, the outbox worker's rate limiter and the scheduler passes the script runs.
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

from bot.adapters.slack import SlackAdapter
from bot.app import Services, services
from bot.directory import parse_directory
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import PassReport, run_once
from bot.metrics import Metrics
from bot.server import Server
from bot.settings import Settings
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn

SIGNING_SECRET = "demo-signing-secret"  # not a secret: the demo's own stand-in checks nothing else
BOT_TOKEN = "xoxb-demo-token"
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
    with tempfile.TemporaryDirectory(prefix="supportbot-demo-") as folder:
        await slack_api.start()
        await connector_server.start_server()
        try:
            connector.url = str(connector_server.make_url("/teams/"))
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
                slack_signing_secret=SIGNING_SECRET,
                slack_bot_token=BOT_TOKEN,
                slack_api_url=slack_api.base_url,
            )
            async with services(settings) as svc:
                directory = parse_directory(
                    directory_text(connector.url), "bot/demo/directory.yaml", svc.config
                )
                async with svc.store.unit_of_work() as uow:
                    await uow.directory.upsert(directory)
                    await uow.commit()
                async with _serve(svc, clock, slack_api, connector) as world:
                    yield world
        finally:
            await connector_server.close()
            await slack_api.close()


@asynccontextmanager
async def _serve(
    svc: Services, clock: SimulatedClock, slack_api: SlackStandIn, connector: ConnectorStandIn
) -> AsyncIterator[World]:
    server = Server(svc, Metrics(), scheduler=False, clock=clock)
    if server.slack is None:
        raise RuntimeError("the demo settings enable Slack; the server did not")
    pacer = Pacer(monotonic=clock.monotonic, sleep=clock.sleep)
    worker = OutboxWorker(svc.store, server.deliverers, pacer=pacer, monotonic=clock.monotonic)
    web_server = TestServer(server.web, host="127.0.0.1")
    await web_server.start_server()
    try:
        async with ClientSession() as http:
            yield World(
                clock,
                svc,
                server,
                server.slack,
                slack_api,
                connector,
                worker,
                http,
                str(web_server.make_url("")).rstrip("/"),
            )
    finally:
        await web_server.close()
