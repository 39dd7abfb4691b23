"""R1 outbound trust for Teams: the only hosts that ever receive the bot's token.

The connector client asks `ServiceHosts` before every request. Hosts match exactly (no
suffixes: the Agents SDK's own list admits `*.blob.core.windows.net`, `*.sharepoint.com` and
`*.svc.ms`, where anyone can own a host); https is required except on loopback, which only
tests, the demo and emulator mode list. A refused host is logged once, at warning.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Self

from yarl import URL

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
# Microsoft's well-known endpoints for proactive messages, to be used only when no serviceUrl
# was ever received for a user or tenant (Agents SDK `TeamsProactiveServiceEndpoints`).
PROACTIVE_ENDPOINTS = {
    "smba.trafficmanager.net": "https://smba.trafficmanager.net/teams/",
    "smba.infra.gcc.teams.microsoft.com": "https://smba.infra.gcc.teams.microsoft.com/teams/",
    "smba.infra.gov.teams.microsoft.us": "https://smba.infra.gov.teams.microsoft.us/teams/",
    "smba.infra.dod.teams.microsoft.us": "https://smba.infra.dod.teams.microsoft.us/teams/",
}
MAX_REMEMBERED_REFUSALS = 1000


class ServiceHosts:
    """An explicit allow-list of Bot Framework connector hosts."""

    def __init__(self, hosts: Iterable[str], *, loopback_only: bool = False) -> None:
        self.hosts = tuple(h.strip().lower().rstrip(".") for h in hosts if h.strip())
        self._allowed = frozenset(self.hosts)
        self._loopback_only = loopback_only
        self._refused: set[str] = set()

    @classmethod
    def loopback(cls) -> Self:
        """Emulator mode: replies go to the Emulator or Agents Playground on this machine only."""
        return cls(LOOPBACK_HOSTS, loopback_only=True)

    def allows(self, service_url: str) -> bool:
        """True when `service_url` is on a listed host (https unless loopback); no logging."""
        host, scheme = _host_and_scheme(service_url)
        listed = is_loopback_host(host) if self._loopback_only else host in self._allowed
        if not host or not listed:
            return False
        return scheme == "https" or (scheme == "http" and is_loopback_host(host))

    def check(self, service_url: str) -> bool:
        """`allows`, logging each refused host once (R1: nothing is sent there)."""
        if self.allows(service_url):
            return True
        host = _host_and_scheme(service_url)[0] or service_url[:100]
        if host not in self._refused:
            if len(self._refused) >= MAX_REMEMBERED_REFUSALS:
                self._refused.clear()  # a bound; at worst a host is logged again
            self._refused.add(host)
            allowed = (
                "emulator mode replies to loopback service URLs only"
                if self._loopback_only
                else f"not in SUPPORTBOT_TEAMS_SERVICE_HOSTS ({', '.join(self.hosts) or 'none'})"
            )
            log.warning(
                "refused to contact Teams service URL host %s: %s; nothing was sent", host, allowed
            )
        return False

    def proactive_url(self) -> str | None:
        """The well-known endpoint for first contact in this cloud, when one is listed."""
        for host in self.hosts:
            if host in PROACTIVE_ENDPOINTS:
                return PROACTIVE_ENDPOINTS[host]
        return None

    def __call__(self, service_url: str) -> bool:
        return self.check(service_url)


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def same_service_url(first: str, second: str) -> bool:
    """Bot Framework's rule: the token's `serviceurl` claim equals the activity's serviceUrl.

    Compared as URLs (scheme and host case-insensitively, default port, trailing slash), never by
    prefix, so `https://smba.trafficmanager.net.evil.example/` cannot pass for Microsoft's.
    """
    a, b = _normal(first), _normal(second)
    return a is not None and a == b


def _normal(url: str) -> tuple[str, str, int | None, str] | None:
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return None
    if not parsed.is_absolute() or not parsed.host or parsed.user or parsed.query_string:
        return None
    return (parsed.scheme.lower(), parsed.host.lower(), parsed.port, parsed.path.rstrip("/"))


def _host_and_scheme(url: str) -> tuple[str, str]:
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return "", ""
    if not parsed.is_absolute() or parsed.user or parsed.password:
        return "", ""  # credentials in a URL are never ours to send
    return (parsed.host or "").lower().rstrip("."), parsed.scheme.lower()


class FileHosts(ServiceHosts):
    """CONV-5: the hosts a shared file's `downloadUrl` may be on (exact; https, loopback http).

    The URL comes in the activity and is pre-authorised, so the bot fetches it WITHOUT any
    token; the list still keeps the bot from fetching from any host an activity names (SSRF).
    """

    def check(self, service_url: str) -> bool:
        if self.allows(service_url):
            return True
        host = _host_and_scheme(service_url)[0] or service_url[:100]
        if host not in self._refused and len(self._refused) < MAX_REMEMBERED_REFUSALS:
            self._refused.add(host)
            log.warning(
                "refused to fetch a Teams file from host %s: not in SUPPORTBOT_TEAMS_FILE_HOSTS",
                host,
            )
        return False
