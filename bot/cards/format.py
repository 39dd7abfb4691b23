"""Wording shared by every renderer: times in the viewer's zone, durations, cutting long text."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_STAMP = "%a %d %b %Y %H:%M"


def cut_marker(ref: str | None) -> str:
    """The visible end of a cut text; names the command that shows everything when there is one."""
    if ref is None:
        return "… (cut)"
    # Plain quotes, not a code span: the marker ends user text, which Teams shows literally.
    return f'… (cut; send "show {ref}" for the rest)'


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: str) -> list[tuple[str, bool]]:
    """The bot's wording split into (text, is_code) pieces: `x` marks a command or a value."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(1), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def plain_wording(text: str) -> str:
    """The bot's wording for places with no formatting at all (notifications, chat lists).

    A code span becomes the same words in quotes: "Unknown command" and a backticked `x` read
    'Unknown command "x"' where a notification shows text as it is.
    """
    return _CODE_SPAN.sub(lambda match: f'"{match.group(1)}"', text)


def cut(text: str, limit: int, ref: str | None = None) -> str:
    """`text` if it fits in `limit` characters, else its start followed by the cut marker."""
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    if len(text) <= limit:
        return text
    marker = cut_marker(ref)
    if len(marker) >= limit:
        # No room for the whole marker (a button or a modal title): keep the ellipsis at least.
        return text[: limit - 1] + "…"
    return text[: limit - len(marker)].rstrip() + marker


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; UTC when the name is unknown so a bad directory entry never crashes."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_time(at: datetime, time_zone: str, show_utc: bool = False) -> str:
    """Like "Tue 24 Nov 2026 14:00 EST (19:00 UTC)": the viewer's zone, UTC too for staff."""
    if at.tzinfo is None:
        # SQLite hands datetimes back naive; the store keeps everything in UTC.
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(zone(time_zone))
    text = f"{local.strftime(_STAMP)} {local.tzname()}"
    if not show_utc or local.tzname() == "UTC":
        return text
    utc = at.astimezone(UTC)
    if utc.date() == local.date():
        return f"{text} ({utc.strftime('%H:%M')} UTC)"
    return f"{text} ({utc.strftime(_STAMP)} UTC)"


def format_minutes(minutes: int) -> str:
    """A short duration: "45 min", "3 h", "2 h 15 min"."""
    hours, rest = divmod(max(minutes, 0), 60)
    if hours == 0:
        return f"{rest} min"
    if rest == 0:
        return f"{hours} h"
    return f"{hours} h {rest} min"


def printable(text: str) -> str:
    """Control characters (terminal escapes, NUL) shown as visible codes; newlines and tabs kept."""
    out: list[str] = []
    for char in text:
        if char in "\n\t" or unicodedata.category(char) != "Cc":
            out.append(char)
        else:
            out.append(f"\\x{ord(char):02x}")
    return "".join(out)
