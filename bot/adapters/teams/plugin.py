"""Teams as a `ChatPlatform`: the route, renderer, rate limits and manifest of the Agents SDK
adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.adapters.platform import AppPackage, Parts, Route
from bot.adapters.teams import activity as convert
from bot.adapters.teams.adapter import TeamsAdapter
from bot.adapters.teams.manifest import build_teams_package, fill_manifest
from bot.cards.teams import render_cards
from bot.jobs.pacing import RateLimit
from bot.messages import Reply
from bot.model import ChatIdentity, Platform
from bot.settings import Settings

TEAMS_DISABLED = (
    "Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to enable "
    "POST /api/messages (see docs/teams.md), or SUPPORTBOT_TEAMS_EMULATOR=1 for local "
    "development with the Bot Framework Emulator or the Agents Playground."
)


class TeamsPlatform:
    """Teams: Bot Framework activities at /api/messages, Adaptive Cards, the connector service."""

    platform = Platform.TEAMS
    route = Route("/api/messages", TEAMS_DISABLED)
    # P6 / Teams connector: 7 per second and 60 per 30 seconds per conversation.
    rate_limits: Sequence[RateLimit] = (RateLimit(7, 1.0), RateLimit(60, 30.0))

    def configured(self, settings: Settings) -> bool:
        # R10: with credentials, or in the explicit emulator mode.
        return settings.teams_enabled

    def connect(self, parts: Parts) -> TeamsAdapter:
        return TeamsAdapter(parts.router, parts.store, parts.settings, parts.config, parts.clock)

    def render(self, reply: Reply) -> Sequence[Mapping[str, Any]]:
        return render_cards(reply)

    def identity(self, payload: Mapping[str, Any]) -> ChatIdentity | None:
        try:
            activity = Activity.model_validate(payload)
        except (ValueError, ValidationError):
            return None
        user, tenant = convert.user_id_of(activity), convert.tenant_of(activity)
        return ChatIdentity(Platform.TEAMS, tenant, user) if user and tenant else None

    def manifest(self, base_url: str, settings: Settings) -> Mapping[str, Any]:
        if not settings.microsoft_app_id:
            raise ValueError("the Teams manifest needs the bot's MICROSOFT_APP_ID")
        return fill_manifest(base_url, settings.microsoft_app_id)

    def package(self, base_url: str, settings: Settings, out_dir: Path) -> AppPackage:
        title = "Teams app package"
        if not settings.microsoft_app_id:
            return AppPackage(title, None, "skipped; give --app-id or set MICROSOFT_APP_ID.")
        target = build_teams_package(base_url, settings.microsoft_app_id, out_dir)
        return AppPackage(title, target, "(upload it in Teams > Apps > Manage your apps)")
