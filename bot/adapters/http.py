"""The one aiohttp application both platforms share: routes only, no platform logic.

`/slack/events` and `/api/messages` are answered by the platform adapters handed in; an adapter
that is not configured answers 503 and says how to enable it (PRODUCT.md "Configuration").

Every request body is bounded (R10): at most `MAX_BODY_BYTES`, received within
`READ_SECONDS`, or the request is refused (413, 408) before a handler sees it. `/slack/events`
reads its own body under the same bounds, since it must check the signature headers first and
answer 401 to anything unauthenticated (R1).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.logs import quiet_parse_errors

WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HealthCheck = Callable[[], Awaitable[Mapping[str, Any]]]
log = logging.getLogger(__name__)

SLACK_DISABLED = (
    "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable "
    "POST /slack/events (see docs/slack.md)."
)
TEAMS_DISABLED = (
    "Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to enable "
    "POST /api/messages (see docs/teams.md), or SUPPORTBOT_TEAMS_EMULATOR=1 for local "
    "development with the Bot Framework Emulator or the Agents Playground."
)


MAX_BODY_BYTES = 1024**2  # Slack and Teams payloads are far smaller
READ_SECONDS = 10.0


def build_web_app(
    slack: WebHandler | None,
    teams: WebHandler | None,
    health: HealthCheck,
    metrics: WebHandler | None = None,
    read_seconds: float = READ_SECONDS,
) -> web.Application:
    """The aiohttp application with every route of PRODUCT.md."""
    quiet_parse_errors()

    def bounded(handler: WebHandler) -> WebHandler:
        return bounded_body(handler, read_seconds)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    # The Slack adapter reads its own body, within the same bounds, after checking the headers.
    app.router.add_post("/slack/events", slack or bounded(_disabled(SLACK_DISABLED)))
    app.router.add_post("/api/messages", bounded(teams or _disabled(TEAMS_DISABLED)))
    app.router.add_get("/healthz", bounded(_health(health)))
    if metrics is not None:
        app.router.add_get("/metrics", bounded(metrics))
    return app


def bounded_body(handler: WebHandler, read_seconds: float) -> WebHandler:
    """`handler`, once the whole body has arrived within `read_seconds` and `MAX_BODY_BYTES`."""

    async def answer(request: web.Request) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(read_seconds):
                    await request.read()  # cached: the handler's own read() gets these bytes
            except TimeoutError:
                log.warning("refused %s: body not received within %g s", request.path, read_seconds)
                return web.json_response({"ok": False, "error": "request_timeout"}, status=408)
            except web.HTTPRequestEntityTooLarge:
                log.warning("refused %s: body over %d bytes", request.path, MAX_BODY_BYTES)
                return web.json_response({"ok": False, "error": "too_large"}, status=413)
        return await handler(request)

    return answer


def _disabled(message: str) -> WebHandler:
    async def answer(_request: web.Request) -> web.StreamResponse:
        log.warning(message)
        return web.json_response({"ok": False, "error": message}, status=503)

    return answer


def _health(check: HealthCheck) -> WebHandler:
    async def answer(_request: web.Request) -> web.StreamResponse:
        report = dict(await check())
        status = 200 if report.get("ok") else 503
        return web.json_response(report, status=status)

    return answer
