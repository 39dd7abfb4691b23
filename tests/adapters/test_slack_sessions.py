"""The Slack clients' kept-open session (#18): calls share connections; closing ends them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.slack.delivery import outbox_client, web_client
from bot.adapters.slack.sessions import SharedSession


class Api:
    """A Web API that answers every call and notes which client connection it came over."""

    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.server: TestServer | None = None

    async def call(self, request: web.Request) -> web.Response:
        self.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        return web.json_response({"ok": True, "ts": "1.000001", "channel": "C1"})

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    found = Api()
    app = web.Application()
    app.router.add_post("/api/{method}", found.call)
    found.server = TestServer(app, host="127.0.0.1")
    await found.server.start_server()
    yield found
    await found.server.close()


async def test_calls_over_the_shared_session_reuse_one_connection(api: Api) -> None:
    shared = SharedSession()
    try:
        client = web_client("xoxb-test", api.url, shared)
        outbox = outbox_client("xoxb-test", api.url, shared)
        for _ in range(3):
            assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"]
        assert (await outbox.chat_postMessage(channel="C1", text="alert"))["ok"]
    finally:
        await shared.close()
    assert len(api.peers) == 4
    assert len(set(api.peers)) == 1


async def test_without_a_shared_session_every_call_connects_anew(api: Api) -> None:
    client = web_client("xoxb-test", api.url)
    for _ in range(3):
        assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"]
    assert len(set(api.peers)) == 3


async def test_closing_ends_the_session_and_a_later_call_opens_another(api: Api) -> None:
    shared = SharedSession()
    client = web_client("xoxb-test", api.url, shared)
    await client.chat_postMessage(channel="C1", text="hi")
    first = shared.current()
    await shared.close()
    assert first.closed
    await client.chat_postMessage(channel="C1", text="again")
    assert shared.current() is not first
    await shared.close()
    assert len(api.peers) == 2 and len(set(api.peers)) == 2
