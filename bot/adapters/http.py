"""The one aiohttp application both platforms share: routes only, no platform logic.

`/slack/events` and `/api/messages` are answered by the platform adapters handed in; an adapter
that is not configured answers 503 and says how to enable it (PRODUCT.md "Configuration").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

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


def build_web_app(
    slack: WebHandler | None,
    teams: WebHandler | None,
    health: HealthCheck,
    metrics: WebHandler | None = None,
) -> web.Application:
    """The aiohttp application with every route of PRODUCT.md."""
    app = web.Application(client_max_size=1024**2)  # Slack and Teams payloads are far smaller
    app.router.add_post("/slack/events", slack or _disabled(SLACK_DISABLED))
    app.router.add_post("/api/messages", teams or _disabled(TEAMS_DISABLED))
    app.router.add_get("/healthz", _health(health))
    if metrics is not None:
        app.router.add_get("/metrics", metrics)
    return app


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
