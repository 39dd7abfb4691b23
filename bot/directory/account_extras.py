"""Optional account fields of the directory: the account's own time zone (NOT-1) and its
licensed agents (INC-6). Both are checked like every other field: a bad value names the entry."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from bot.directory.entries import Entry

FIELDS = ("timezone", "agents")
MAX_AGENTS = 10_000_000  # more than any contact centre; a typo beyond this is caught


@cache
def _zone_names() -> frozenset[str]:
    # The IANA keys this system knows (system tzdata or the tzdata package); read once.
    return frozenset(available_timezones())


def _zone(entry: Entry) -> str | None:
    raw = entry.data.get("timezone")
    if raw is None:
        return None
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        entry.error(f"timezone must be an IANA time zone name such as Europe/Berlin, not {raw!r}")
        return None
    if name not in _zone_names():
        entry.error(
            f"timezone {name[:60]!r} is not an IANA time zone name (for example "
            "America/Chicago or Europe/Berlin) (NOT-1)"
        )
        return None
    return name


def _agents(entry: Entry) -> int | None:
    raw = entry.data.get("agents")
    if raw is None:
        return None
    # YAML reads `true` as a bool, which Python counts as an int: refuse it explicitly.
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_AGENTS:
        entry.error(
            f"agents must be the number of licensed agents, a whole number from 1 to "
            f"{MAX_AGENTS:,}, not {str(raw)[:40]!r} (INC-6)"
        )
        return None
    return raw


def account_extras(entry: Entry) -> tuple[str | None, int | None]:
    """(timezone, agents) of an account entry; problems are reported on the entry."""
    return _zone(entry), _agents(entry)
