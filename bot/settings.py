"""Settings read from the environment once, at start-up; nothing else reads `os.environ`."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./supportbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# The Bot Framework connector hosts of Teams in Microsoft's public cloud (the Teams SDK's
# "Public" preset: commercial, its Onyx endpoint and GCC). Sovereign clouds list their own.
DEFAULT_TEAMS_SERVICE_HOSTS = (
    "smba.trafficmanager.net",
    "smba.onyx.prod.teams.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
)
# Domains where anyone can own a host (storage accounts, SharePoint tenants, the attachment
# CDN): the Agents SDK's own allow-list admits them, so a serviceUrl there would receive the
# bot's token. They can never be configured as connector hosts (R1).
OPEN_REGISTRATION_DOMAINS = ("blob.core.windows.net", "sharepoint.com", "svc.ms")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


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
    teams_emulator: bool = False
    teams_service_hosts: tuple[str, ...] = DEFAULT_TEAMS_SERVICE_HOSTS
    # CONV-5: hosts a Teams file's pre-authorised downloadUrl may be on (the tenants' OneDrive /
    # SharePoint hosts, exact); none by default, so no file is fetched until they are listed.
    teams_file_hosts: tuple[str, ...] = ()
    scheduler_interval_seconds: float = 30.0
    # R3: how long 5xx and timeouts are retried before a post is a dead letter (429 never counts).
    retry_budget_hours: float = 6.0
    # /healthz is unhealthy past these: dead letters, the oldest pending post, a stuck pass.
    health_max_dead_letters: int = 0
    health_max_pending_age_seconds: float = 900.0
    health_stuck_after_seconds: float = 300.0
    # CONV-6: the vendor's own Slack workspace (T...) and Enterprise Grid (E...) ids, and its
    # Teams tenant ids. Only people there can be staff by e-mail; empty means nobody can.
    slack_staff_workspaces: frozenset[str] = frozenset()
    teams_staff_tenants: frozenset[str] = frozenset()
    metrics_port: int | None = None  # /metrics on its own listener instead of the public one
    # CONV-4: the reaction that opens a case form; CONV-5: where attachments are kept, how big.
    capture_emoji: str = "ticket"
    attachments_dir: Path = Path("./attachments")
    attachment_max_bytes: int = 25 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.teams_emulator and (self.microsoft_app_id or self.microsoft_app_password):
            # R10: development mode must never be switched on in a real deployment by accident.
            raise ValueError(
                "SUPPORTBOT_TEAMS_EMULATOR=1 cannot be combined with MICROSOFT_APP_ID/"
                "MICROSOFT_APP_PASSWORD: emulator mode accepts unauthenticated activities and is "
                "for local development only. Unset one of them."
            )

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token)

    @property
    def teams_authenticated(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)

    @property
    def teams_enabled(self) -> bool:
        """Teams answers activities: with credentials, or in the explicit emulator mode."""
        return self.teams_authenticated or self.teams_emulator

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the PRODUCT.md variables; empty values count as unset."""
        source = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = source.get(name, "").strip()
            return value or None

        interval = get("SUPPORTBOT_SCHEDULER_INTERVAL")
        metrics_port = get("SUPPORTBOT_METRICS_PORT")
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
            teams_emulator=_flag("SUPPORTBOT_TEAMS_EMULATOR", get("SUPPORTBOT_TEAMS_EMULATOR")),
            teams_service_hosts=service_hosts(get("SUPPORTBOT_TEAMS_SERVICE_HOSTS")),
            teams_file_hosts=file_hosts(get("SUPPORTBOT_TEAMS_FILE_HOSTS")),
            scheduler_interval_seconds=_positive_float(
                "SUPPORTBOT_SCHEDULER_INTERVAL", interval, 30.0
            ),
            retry_budget_hours=_positive_float(
                "SUPPORTBOT_RETRY_BUDGET_HOURS", get("SUPPORTBOT_RETRY_BUDGET_HOURS"), 6.0, "hours"
            ),
            health_max_dead_letters=_count(
                "SUPPORTBOT_HEALTH_MAX_DEAD_LETTERS", get("SUPPORTBOT_HEALTH_MAX_DEAD_LETTERS"), 0
            ),
            health_max_pending_age_seconds=_positive_float(
                "SUPPORTBOT_HEALTH_MAX_PENDING_AGE", get("SUPPORTBOT_HEALTH_MAX_PENDING_AGE"), 900.0
            ),
            health_stuck_after_seconds=_positive_float(
                "SUPPORTBOT_HEALTH_STUCK_AFTER", get("SUPPORTBOT_HEALTH_STUCK_AFTER"), 300.0
            ),
            slack_staff_workspaces=_ids(
                "SUPPORTBOT_SLACK_STAFF_WORKSPACES", get("SUPPORTBOT_SLACK_STAFF_WORKSPACES")
            ),
            teams_staff_tenants=frozenset(
                t.lower()
                for t in _ids(
                    "SUPPORTBOT_TEAMS_STAFF_TENANTS", get("SUPPORTBOT_TEAMS_STAFF_TENANTS")
                )
            ),
            metrics_port=_port("SUPPORTBOT_METRICS_PORT", metrics_port),
            capture_emoji=_emoji("SUPPORTBOT_CAPTURE_EMOJI", get("SUPPORTBOT_CAPTURE_EMOJI")),
            attachments_dir=Path(get("SUPPORTBOT_ATTACHMENTS_DIR") or "./attachments"),
            attachment_max_bytes=_count(
                "SUPPORTBOT_ATTACHMENT_MAX_BYTES",
                get("SUPPORTBOT_ATTACHMENT_MAX_BYTES"),
                25 * 1024 * 1024,
            ),
        )

    def secrets(self) -> tuple[str, ...]:
        """The values the log redactor must never let through (R8)."""
        values = (self.slack_signing_secret, self.slack_bot_token, self.microsoft_app_password)
        return tuple(v for v in values if v)


def _positive_float(name: str, raw: str | None, default: float, unit: str = "seconds") -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of {unit}, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def _flag(name: str, raw: str | None) -> bool:
    if raw is None or raw.lower() in ("0", "false", "no", "off"):
        return False
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1 or 0, got {raw!r}")


def service_hosts(raw: str | None) -> tuple[str, ...]:
    """SUPPORTBOT_TEAMS_SERVICE_HOSTS: comma-separated host names (exact, no wildcards)."""
    if raw is None:
        return DEFAULT_TEAMS_SERVICE_HOSTS
    hosts: list[str] = []
    for entry in raw.split(","):
        host = entry.strip().lower().rstrip(".")
        if not host:
            continue
        if not _HOST.match(host) and not _is_ip(host):
            raise ValueError(
                "SUPPORTBOT_TEAMS_SERVICE_HOSTS lists host names such as smba.trafficmanager.net "
                f"(no scheme, port, path or wildcard), got {entry.strip()!r}"
            )
        if any(host == d or host.endswith("." + d) for d in OPEN_REGISTRATION_DOMAINS):
            raise ValueError(
                f"SUPPORTBOT_TEAMS_SERVICE_HOSTS may not list {host}: anyone can own a host under "
                f"{', '.join(OPEN_REGISTRATION_DOMAINS)}, so the bot's token would leak there"
            )
        hosts.append(host)
    if not hosts:
        raise ValueError("SUPPORTBOT_TEAMS_SERVICE_HOSTS is set but lists no host")
    return tuple(dict.fromkeys(hosts))


def file_hosts(raw: str | None) -> tuple[str, ...]:
    """SUPPORTBOT_TEAMS_FILE_HOSTS: comma-separated exact host names (e.g. contoso-my.sharepoint.com).

    Files are fetched from these hosts without the bot's token (the downloadUrl is
    pre-authorised), so SharePoint hosts may be listed here, never as connector hosts.
    """
    hosts: list[str] = []
    for entry in (raw or "").split(","):
        host = entry.strip().lower().rstrip(".")
        if host and not _HOST.match(host) and not _is_ip(host):
            raise ValueError(
                "SUPPORTBOT_TEAMS_FILE_HOSTS lists host names such as contoso-my.sharepoint.com "
                f"(no scheme, port, path or wildcard), got {entry.strip()!r}"
            )
        if host:
            hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _count(name: str, raw: str | None, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {raw!r}")
    return value


_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def _ids(name: str, raw: str | None) -> frozenset[str]:
    """A comma-separated list of workspace, enterprise or tenant ids."""
    if raw is None:
        return frozenset()
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [i for i in ids if not _ID.fullmatch(i)]
    if bad:
        raise ValueError(
            f"{name} must be comma-separated ids (letters, digits, dashes), got {bad[0]!r}"
        )
    return frozenset(ids)


_EMOJI = re.compile(r"[a-z0-9_+-]{1,64}")


def _emoji(name: str, raw: str | None) -> str:
    """An emoji name as chat platforms write it, without colons (`ticket`)."""
    if raw is None:
        return "ticket"
    value = raw.strip(":").lower()
    if not _EMOJI.fullmatch(value):
        raise ValueError(f"{name} must be an emoji name such as ticket, got {raw!r}")
    return value


def _port(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"{name} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)
