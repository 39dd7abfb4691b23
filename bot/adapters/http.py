"""The one aiohttp application every platform shares: routes only, no platform logic.

Each platform's route (`/slack/events`, `/api/messages`, ...) is answered by the adapter handed
in with it; a platform that is not configured answers 503 and says how to enable it (PRODUCT.md
"Configuration").

Every request body is bounded (R10): at most `MAX_BODY_BYTES`, received within
`READ_SECONDS`, or the request is refused (413, 408) before a handler sees it. A route marked
`reads_own_body` (Slack's) reads its body under the same bounds itself, since it must check the
signature headers first and answer 401 to anything unauthenticated (R1).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from bot.adapters.platform import Route, WebHandler
from bot.logs import quiet_parse_errors

HealthCheck = Callable[[], Awaitable[Mapping[str, Any]]]
log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024**2  # chat platforms' payloads are far smaller
READ_SECONDS = 10.0


def build_web_app(
    routes: Sequence[tuple[Route, WebHandler | None]],
    health: HealthCheck,
    metrics: WebHandler | None = None,
    read_seconds: float = READ_SECONDS,
) -> web.Application:
    """The aiohttp application with every route of PRODUCT.md."""
    quiet_parse_errors()

    def bounded(handler: WebHandler) -> WebHandler:
        return bounded_body(handler, read_seconds)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    for route, handler in routes:
        if handler is None:
            app.router.add_post(route.path, bounded(_disabled(route.disabled)))
        elif route.reads_own_body:
            app.router.add_post(route.path, handler)
        else:
            app.router.add_post(route.path, bounded(handler))
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
