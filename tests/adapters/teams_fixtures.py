"""Teams test parts: a connector stand-in, a JWKS with a token minter, activities, the real app.

Everything listens on 127.0.0.1; nothing reaches the internet. `TeamsWorld` wires the real
router and SQLite store (the command tests' directory, with the Teams channel's service URL
pointed at the stand-in) into the real aiohttp application from `bot.adapters.http`.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.http import build_web_app
from bot.adapters.teams import PLATFORM as TEAMS
from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.auth import TeamsAuth
from bot.adapters.teams.connector import Connector
from bot.adapters.teams.hosts import ServiceHosts, is_loopback_host
from bot.adapters.teams.keys import SigningKeys
from bot.commands.router import Router
from bot.directory import load_directory
from bot.policy.config import PolicyConfig
from bot.settings import Settings
from bot.standins.bot_framework_keys import TokenMinter as BaseMinter
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.sql import open_store
from tests.sqlite_templates import SqliteTemplates

DIRECTORY = Path(__file__).parents[1] / "unit" / "commands" / "directory.yaml"
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, NA business hours
APP_ID = "0f6e6d2c-1111-4a4a-9b9b-123456789abc"
CHANNEL = "19:acme@thread.tacv2"
BOT = {"id": f"28:{APP_ID}", "name": "Support"}


class TokenMinter(BaseMinter):
    """The project's Bot Framework token stand-in, for this suite's app id."""

    def __init__(self) -> None:
        super().__init__(APP_ID)


@dataclass(frozen=True, slots=True)
class WireCall:
    """One HTTP request the connector client made, as it left the process."""

    method: str
    url: str
    authorization: str | None


class Wire:
    """Records every request the bot's connector client makes and stops any that would leave
    loopback before a DNS lookup or connection happens (tests never reach the internet)."""

    def __init__(self) -> None:
        self.calls: list[WireCall] = []
        self.stopped: list[WireCall] = []

    def trace(self) -> aiohttp.TraceConfig:
        config = aiohttp.TraceConfig()

        async def start(_session: Any, _context: Any, params: Any) -> None:
            call = WireCall(params.method, str(params.url), params.headers.get("Authorization"))
            if not is_loopback_host(params.url.host or ""):
                self.stopped.append(call)
                raise OutsideLoopback(call.url)
            self.calls.append(call)

        config.on_request_start.append(start)
        return config

    def bearing_token(self) -> list[WireCall]:
        return [c for c in self.calls + self.stopped if c.authorization]


class OutsideLoopback(RuntimeError):
    """A test's bot tried to contact a host that is not loopback."""


class Ids:
    """Fresh activity ids."""

    def __init__(self) -> None:
        self._count = itertools.count(1)

    def __call__(self) -> str:
        return f"activity-{next(self._count)}"


@dataclass
class TeamsWorld:
    """The real app answering /api/messages, the stand-in connector, the store and a clock."""

    client: TestClient[web.Request, web.Application]
    connector: ConnectorStandIn
    store: Store
    adapter: TeamsAdapter
    minter: TokenMinter | None
    service_url: str
    now: list[datetime]
    wire: Wire
    new_id: Ids = field(default_factory=Ids)

    def advance(self, **delta: float) -> None:
        self.now[0] += timedelta(**delta)

    async def send(
        self, activity: dict[str, Any], token: str | None = None, raw_auth: str | None = None
    ) -> web.Response:
        headers = {}
        if self.minter is not None and token is None and raw_auth is None:
            token = self.minter.token(self.service_url)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if raw_auth is not None:
            headers["Authorization"] = raw_auth
        return await self.client.post("/api/messages", json=activity, headers=headers)  # type: ignore[return-value]

    # -- activities ----------------------------------------------------------------------------

    def personal(
        self,
        text: str | None = None,
        user: str = "alice",
        aad: str | None = "aad-alice",
        **extra: Any,
    ) -> dict[str, Any]:
        """A message (or other activity) in the user's 1:1 chat with the bot."""
        sender: dict[str, Any] = {"id": f"29:{user}", "name": user.title()}
        if aad:
            sender["aadObjectId"] = aad
        activity: dict[str, Any] = {
            "type": "message",
            "id": self.new_id(),
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": sender,
            "recipient": BOT,
            "conversation": {
                "id": f"a:1on1-29:{user}",
                "conversationType": "personal",
                "tenantId": "tenant-acme",
            },
            "channelData": {"tenant": {"id": "tenant-acme"}},
        }
        if text is not None:
            activity["text"] = text
        return activity | extra

    def in_channel(
        self, text: str, user: str = "alice", aad: str | None = "aad-alice"
    ) -> dict[str, Any]:
        """`@Support text` in the acme account channel, as Teams sends it (HTML, mention entity)."""
        activity = self.personal(None, user, aad)
        mention = "<at>Support</at>"
        activity["text"] = f"<p>{mention} {text}</p>"
        activity["conversation"] = {
            "id": f"{CHANNEL};messageid={activity['id']}",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": "tenant-acme",
        }
        activity["channelData"] = {
            "tenant": {"id": "tenant-acme"},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": CHANNEL},
        }
        activity["entities"] = [{"type": "mention", "text": mention, "mentioned": BOT}]
        return activity

    def invoke(self, verb: str, data: dict[str, Any], **who: Any) -> dict[str, Any]:
        """An `adaptiveCard/action` invoke: an Action.Execute button or form submission."""
        activity = self.personal(None, **who)
        activity |= {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
        }
        return activity


async def start(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def teams_connector() -> AsyncIterator[ConnectorStandIn]:
    stand_in = ConnectorStandIn()
    server = await start(stand_in.app())
    stand_in.url = str(server.make_url("/teams/"))
    yield stand_in
    await server.close()


@pytest.fixture
async def teams_store(
    tmp_path: Path, teams_connector: ConnectorStandIn, sqlite_templates: SqliteTemplates
) -> AsyncIterator[Store]:
    text = DIRECTORY.read_text("utf-8").replace("http://127.0.0.1:1/teams/", teams_connector.url)
    directory = tmp_path / "directory.yaml"
    directory.write_text(text, "utf-8")
    # The connector's port differs per test, so only the migrated (empty) template is shared.
    store = await open_store(sqlite_templates.copy(tmp_path / "teams.db"))
    await load_directory(store, directory)
    yield store
    await store.close()


LOOPBACK_ONLY = ServiceHosts(["127.0.0.1"])  # the stand-ins' host: the tests' allow-list


def fast_connector(
    hosts: ServiceHosts = LOOPBACK_ONLY, wire: Wire | None = None, **tokens: Any
) -> Connector:
    """A connector with real retries but no waiting (no timing in tests)."""

    async def no_sleep(_seconds: float) -> None:
        return None

    async def token() -> str | None:
        return "outbound-test-token"

    return Connector(
        token if tokens.get("auth") else None,
        hosts,
        sleep=no_sleep,
        base_delay=0.01,
        trace_configs=[(wire or Wire()).trace()],
    )


SECURE = Settings(
    microsoft_app_id=APP_ID,
    microsoft_app_password="test-secret",
    teams_service_hosts=("127.0.0.1",),  # the stand-in; production lists Microsoft's hosts
)
EMULATOR = Settings(teams_emulator=True)


async def make_world(
    store: Store,
    connector: ConnectorStandIn,
    settings: Settings,
    minter: TokenMinter | None = None,
    middlewares: tuple[Any, ...] = (),
    keys: SigningKeys | None = None,
    attachments: Path | None = None,  # where CONV-5 files are kept (none: not kept)
) -> tuple[TeamsWorld, Callable[[], Any]]:
    """The real adapter as `serve` builds it from `settings`, its connector traced by a Wire."""
    now = [T0]
    auth = TeamsAuth(settings, jwks_url=minter.jwks_url if minter else None, keys=keys)
    hosts = (
        ServiceHosts.loopback()
        if settings.teams_emulator
        else ServiceHosts(settings.teams_service_hosts)
    )
    wire = Wire()
    storage = FolderStorage(attachments) if attachments is not None else None
    adapter = TeamsAdapter(
        Router(store, PolicyConfig(), attachments=storage),
        store,
        settings,
        PolicyConfig(),
        clock=lambda: now[0],
        auth=auth,
        connector=fast_connector(hosts, wire, auth=settings.teams_authenticated),
        hosts=hosts,
    )

    async def health() -> dict[str, Any]:
        return {"ok": True}

    app = build_web_app([(TEAMS.route, adapter.handle)], health)
    for middleware in middlewares:
        app.middlewares.append(middleware)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    world = TeamsWorld(client, connector, store, adapter, minter, connector.url, now, wire)

    async def stop() -> None:
        await client.close()
        await adapter.close()

    return world, stop


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Name lookups and connections to anything but loopback fail, and fail the test."""
    outside: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if host is not None and not is_loopback_host(name):
            outside.append(name)
            raise socket.gaierror(f"tests never resolve {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not is_loopback_host(str(address[0])):
            outside.append(str(address[0]))
            raise OSError(f"tests never connect to {address[0]}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield outside
    assert outside == [], f"the bot tried to reach {outside}"


@pytest.fixture
async def teams(teams_store: Store, teams_connector: ConnectorStandIn) -> AsyncIterator[TeamsWorld]:
    """Emulator mode (SUPPORTBOT_TEAMS_EMULATOR=1): what most adapter tests use."""
    teams_connector.members["29:rita"] = {"id": "29:rita", "email": "Rita@acme.example"}
    world, stop = await make_world(teams_store, teams_connector, EMULATOR)
    yield world
    await stop()


@pytest.fixture
async def minter() -> AsyncIterator[TokenMinter]:
    made = TokenMinter()
    server = await start(made.app())
    made.jwks_url = str(server.make_url("/keys"))
    yield made
    await server.close()


@pytest.fixture
async def teams_secure(
    teams_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    """Authenticated mode: MICROSOFT_APP_ID and password set, tokens checked against `minter`."""
    teams_connector.members["29:rita"] = {"id": "29:rita", "email": "Rita@acme.example"}
    world, stop = await make_world(teams_store, teams_connector, SECURE, minter)
    yield world
    await stop()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
