"""The FakeChat service on 127.0.0.1: records every post the bot makes; can answer 429 or 500."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Post:
    """One message the bot posted, as the service received it."""

    channel: str
    messages: list[dict[str, Any]]
    token: str | None


@dataclass
class FakeChatService:
    """`POST /api/post {"channel", "messages"}` with a bearer token: `{"id": "m1"}`."""

    token: str = "fakechat-bot-token"
    posts: list[Post] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses to answer next, in order
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/post", self._post)
        return app

    async def _post(self, request: web.Request) -> web.Response:
        if self.failures:
            status = self.failures.pop(0)
            return web.json_response({"ok": False}, status=status, headers={"Retry-After": "2"})
        auth = request.headers.get("Authorization")
        if auth != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "not_authed"}, status=401)
        body = await request.json()
        self.posts.append(Post(str(body["channel"]), list(body["messages"]), auth))
        return web.json_response({"ok": True, "id": f"m{next(self._ids)}"})
