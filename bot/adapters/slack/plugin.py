"""Slack as a `ChatPlatform`: the route, renderer, rate limits and manifest of the bolt adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.adapters.platform import AppPackage, Parts, Route
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.manifest import build_slack_manifest, checked_base_url, slack_manifest
from bot.adapters.slack.requests import sender
from bot.cards.slack import render_messages
from bot.jobs.pacing import RateLimit
from bot.messages import Reply
from bot.model import ChatIdentity, Platform
from bot.settings import Settings

SLACK_DISABLED = (
    "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable "
    "POST /slack/events (see docs/slack.md)."
)


class SlackPlatform:
    """Slack: signed requests at /slack/events, Block Kit messages, chat.postMessage."""

    platform = Platform.SLACK
    # The adapter reads the body itself, within the same bounds, after checking the signature
    # headers (R1: 401 before anything parses it).
    route = Route("/slack/events", SLACK_DISABLED, reads_own_body=True)
    # P6 / Slack chat.postMessage: about 1 message per second per channel.
    rate_limits: Sequence[RateLimit] = (RateLimit(1, 1.0),)

    def configured(self, settings: Settings) -> bool:
        return settings.slack_enabled

    def connect(self, parts: Parts) -> SlackAdapter:
        return SlackAdapter(parts.router, parts.store, parts.settings, parts.config, parts.clock)

    def render(self, reply: Reply) -> Sequence[Mapping[str, Any]]:
        return render_messages(reply)

    def identity(self, payload: Mapping[str, Any]) -> ChatIdentity | None:
        return sender(payload)

    def manifest(self, base_url: str, settings: Settings) -> Mapping[str, Any]:
        return slack_manifest(checked_base_url(base_url))

    def package(self, base_url: str, settings: Settings, out_dir: Path) -> AppPackage:
        built = build_slack_manifest(base_url)
        target = out_dir / "slack-manifest.yaml"
        target.write_text(built, encoding="utf-8")
        return AppPackage(
            "Slack app manifest", target, "(paste it at api.slack.com/apps > Create New App)"
        )
