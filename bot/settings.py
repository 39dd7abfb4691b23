"""Settings read from the environment once, at start-up; nothing else reads `os.environ`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./supportbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable from the environment (PRODUCT.md "Configuration")."""

    database_url: str = DEFAULT_DATABASE_URL
    policy_file: Path | None = None
    slack_signing_secret: str | None = field(default=None, repr=False)  # R8: never in repr/logs
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str | None = None
    scheduler_interval_seconds: float = 30.0

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token)

    @property
    def teams_authenticated(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the PRODUCT.md variables; empty values count as unset."""
        source = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = source.get(name, "").strip()
            return value or None

        interval = get("SUPPORTBOT_SCHEDULER_INTERVAL")
        policy = get("SUPPORTBOT_POLICY")
        return cls(
            database_url=get("SUPPORTBOT_DATABASE_URL") or DEFAULT_DATABASE_URL,
            policy_file=Path(policy) if policy else None,
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_api_url=get("SLACK_API_URL") or DEFAULT_SLACK_API_URL,
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            microsoft_app_type=get("MICROSOFT_APP_TYPE"),
            scheduler_interval_seconds=_positive_float(
                "SUPPORTBOT_SCHEDULER_INTERVAL", interval, 30.0
            ),
        )

    def secrets(self) -> tuple[str, ...]:
        """The values the log redactor must never let through (R8)."""
        values = (self.slack_signing_secret, self.slack_bot_token, self.microsoft_app_password)
        return tuple(v for v in values if v)


def _positive_float(name: str, raw: str | None, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value
