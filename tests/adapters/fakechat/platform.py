"""FakeChat as a `ChatPlatform`: signed JSON requests in, answers in the HTTP response, posts out.

The request: `POST /fakechat/events` with a JSON body `{"id", "space", "user", "email",
"channel", "text"}` and `X-FakeChat-Signature: hex(HMAC-SHA256(secret, body))`. FakeChat vouches
for the e-mail it sends (as Teams' member lookup does), so the directory finds the person by
e-mail. The answer rides on the HTTP response (`{"messages": [...]}`); the outbox posts to the
service's `POST /api/post`.

Its key, `Platform("fakechat")`, is its own: `Platform` is open, so a plug-in needs no edit of
the model.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.adapters.platform import AppPackage, Parts, Route
from bot.commands import identity
from bot.jobs.delivery import Delivered, DeliveryFailed, RateLimited, RetryLater
from bot.jobs.pacing import RateLimit
from bot.messages import ChatRequest, Command, Reply
from bot.model import ChatIdentity, Platform
from bot.settings import Settings
from bot.store.interface.outbox import OutboxMessage
from tests.adapters.fakechat.render import render_messages

FAKECHAT = Platform("fakechat")
SIGNATURE = "X-FakeChat-Signature"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeChatDeliverer:
    """Posts outbox rows to the FakeChat service (bot.jobs.delivery.Deliverer)."""

    platform = FAKECHAT

    def __init__(self, session: aiohttp.ClientSession, api_url: str, token: str) -> None:
        self._session = session
        self._url = api_url.rstrip("/") + "/api/post"
        self._token = token

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        body = {"channel": message.target, "messages": render_messages(reply)}
        headers = {"Authorization": f"Bearer {self._token}"}
        async with self._session.post(self._url, json=body, headers=headers) as response:
            answer = await response.json()
            if response.status == 429:
                raise RateLimited("rate limited", float(response.headers.get("Retry-After", 1)))
            if response.status >= 500:
                raise RetryLater(f"FakeChat answered {response.status}")
            if response.status != 200:
                raise DeliveryFailed(f"FakeChat refused the post: {answer.get('error')}")
        return Delivered(str(answer["id"]))


class FakeChatAdapter:
    """The connection: authenticates, converts, asks the router, answers in the response."""

    def __init__(self, parts: Parts, secret: str, api_url: str, token: str) -> None:
        self._parts = parts
        self._secret = secret
        self._session = aiohttp.ClientSession()
        self.deliverer = FakeChatDeliverer(self._session, api_url, token)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        expected = sign(self._secret, raw)
        # R1: refused before the body is interpreted at all.
        if not hmac.compare_digest(request.headers.get(SIGNATURE, ""), expected):
            return web.json_response({"ok": False, "error": "invalid_signature"}, status=401)
        try:
            event = json.loads(raw)
            if not isinstance(event, dict):
                raise ValueError("not an object")
        except ValueError:
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        reply = await self._ask(event)
        return web.json_response({"ok": True, "messages": render_messages(reply)})

    async def _ask(self, event: Mapping[str, Any]) -> Reply:
        parts = self._parts
        user, channel = str(event.get("user", "")), event.get("channel")
        directory = await parts.store.directory()
        actor = await identity.by_email(directory, FAKECHAT, user, event.get("email"))
        req = ChatRequest(
            platform=FAKECHAT,
            workspace=str(event.get("space", "")),
            channel_id=str(channel) if channel else f"fakechat:{user}",
            actor=actor,
            command=Command.unparsed(str(event.get("text", ""))),
            now=parts.clock(),
            is_direct=not channel,
            request_id=f"fakechat:{event.get('id')}",
        )
        return await parts.router.handle(req)

    async def drain(self) -> None:
        """Nothing runs after the answer: FakeChat answers within the request."""

    async def close(self) -> None:
        await self._session.close()


@dataclass(frozen=True)
class FakeChatPlatform:
    """FakeChat's `ChatPlatform`: its settings are its own (the bot's Settings know no FakeChat)."""

    secret: str
    api_url: str
    token: str

    platform = FAKECHAT
    route = Route("/fakechat/events", "FakeChat is not configured.")
    rate_limits: Sequence[RateLimit] = (RateLimit(5, 1.0),)

    def configured(self, settings: Settings) -> bool:
        return bool(self.secret and self.api_url)

    def connect(self, parts: Parts) -> FakeChatAdapter:
        return FakeChatAdapter(parts, self.secret, self.api_url, self.token)

    def render(self, reply: Reply) -> Sequence[Mapping[str, Any]]:
        return render_messages(reply)

    def identity(self, payload: Mapping[str, Any]) -> ChatIdentity | None:
        space, user = payload.get("space"), payload.get("user")
        if not (isinstance(space, str) and space and isinstance(user, str) and user):
            return None
        return ChatIdentity(FAKECHAT, space, user)

    def manifest(self, base_url: str, settings: Settings) -> Mapping[str, Any]:
        if not base_url.startswith("https://"):
            raise ValueError(f"FakeChat calls https endpoints only, got {base_url!r}")
        return {"name": "Support", "events_url": base_url.rstrip("/") + self.route.path}

    def package(self, base_url: str, settings: Settings, out_dir: Path) -> AppPackage:
        target = out_dir / "fakechat.json"
        target.write_text(json.dumps(self.manifest(base_url, settings)), encoding="utf-8")
        return AppPackage("FakeChat manifest", target, "(FakeChat reads it itself)")
