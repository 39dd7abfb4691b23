"""R10 over HTTP: bounded bodies and reads on every route, a health probe that cannot hang,
/metrics on its own listener; R8: a header aiohttp cannot parse is not logged verbatim."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.http import MAX_BODY_BYTES, build_web_app
from bot.adapters.teams import PLATFORM as TEAMS
from bot.app import Services
from bot.commands.router import Router
from bot.metrics import Metrics
from bot.policy.config import PolicyConfig
from bot.server import Server
from bot.settings import Settings
from bot.store.sql import open_store

FOLDED_SECRET = "folded-credential-8d1f7c"
LOG_NEEDLES = (FOLDED_SECRET,)  # never logged: tests/test_log_secrets.py


class Recorder:
    """A platform handler that records what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.bodies.append(await request.read())
        return web.json_response({"ok": True})


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[TestClient[Any, Any]]:
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def health() -> dict[str, Any]:
    return {"ok": True}


async def raw(client: TestClient[Any, Any], data: bytes) -> bytes:
    """Sends bytes by hand and returns the status line of the answer."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(data)
    await writer.drain()
    line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return line


@pytest.mark.security
async def test_r10_a_body_that_never_finishes_is_refused_with_408_before_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    teams = Recorder()
    async with serving(
        build_web_app([(TEAMS.route, teams.handle)], health, read_seconds=0.3)
    ) as client:
        head = b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        line = await raw(client, head + b'Content-Length: 100\r\n\r\n{"type":')
    assert line.startswith(b"HTTP/1.1 408")
    assert teams.bodies == []
    assert "body not received within 0.3 s" in caplog.text


@pytest.mark.security
async def test_r10_a_body_over_the_limit_is_refused_with_413_before_the_handler() -> None:
    teams = Recorder()
    async with serving(build_web_app([(TEAMS.route, teams.handle)], health)) as client:
        head = b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        size = MAX_BODY_BYTES + 1
        line = await raw(client, head + f"Content-Length: {size}\r\n\r\n".encode() + b"x" * size)
    assert line.startswith(b"HTTP/1.1 413")
    assert teams.bodies == []


async def test_r10_a_small_body_reaches_the_handler_whole() -> None:
    teams = Recorder()
    async with serving(build_web_app([(TEAMS.route, teams.handle)], health)) as client:
        response = await client.post("/api/messages", json={"type": "message"})
    assert response.status == 200
    assert teams.bodies == [b'{"type": "message"}']


@pytest.mark.security
async def test_r8_a_folded_authorization_header_is_refused_and_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    teams = Recorder()
    async with serving(build_web_app([(TEAMS.route, teams.handle)], health)) as client:
        line = await raw(
            client,
            b"POST /api/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n  "
            + FOLDED_SECRET.encode()
            + b"\r\nContent-Length: 0\r\n\r\n",
        )
    assert line.startswith(b"HTTP/1.") and b" 400 " in line
    assert teams.bodies == []
    server_lines = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [r.getMessage() for r in server_lines] == [
        "refused a malformed HTTP request (400): BadHttpMessage"
    ]
    assert all(r.exc_info is None and not r.exc_text for r in server_lines)
    assert FOLDED_SECRET not in caplog.text


class HangingStore:
    """A database that accepts the connection and then never answers."""

    @asynccontextmanager
    async def unit_of_work(self, **_options: Any) -> AsyncIterator[Any]:
        await asyncio.Event().wait()
        yield None  # pragma: no cover


async def test_r10_a_database_probe_that_hangs_makes_healthz_answer_503_in_bounded_time() -> None:
    config = PolicyConfig()
    store: Any = HangingStore()
    svc = Services(Settings(), config, store, Router(store, config))
    server = Server(svc, Metrics(), scheduler=False, probe_seconds=0.2)
    async with serving(server.web) as client:
        response = await client.get("/healthz")
        report = await response.json()
    assert server.connections == {}  # not configured: nothing to close
    assert response.status == 503
    assert report == {"ok": False, "database": "unreachable: TimeoutError"}


async def test_r10_with_a_metrics_port_metrics_are_only_on_the_internal_listener(
    tmp_path: Path,
) -> None:
    settings = Settings(metrics_port=9102)
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    config = PolicyConfig()
    server = Server(Services(settings, config, store, Router(store, config)), Metrics(), False)
    try:
        assert server.metrics_web is not None
        async with serving(server.web) as public:
            assert (await public.get("/metrics")).status == 404
            assert (await public.get("/healthz")).status == 200
        async with serving(server.metrics_web) as internal:
            answer = await internal.get("/metrics")
            assert answer.status == 200
            assert "supportbot_outbox_pending" in await answer.text()
    finally:
        await store.close()
