"""Limits on free text (R6): over-long input is refused naming the limit; control characters
(other than tab and line breaks) are refused before anything reaches the database."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from bot.commands.context import Refused
from bot.messages import Reply

MAX_TEXT_CHARS = 30_000  # an update, response or note; long logs belong in attachments
MAX_REASON_CHARS = 2_000  # reasons, comments, closure notes


def require_text(text: str, what: str, usage: str, limit: int) -> str:
    """The stripped text, or a refusal when it is empty or longer than `limit`."""
    stripped = text.strip()
    if not stripped:
        raise Refused(Reply.invalid(f"The {what} text is missing. Usage: `{usage}`"))
    if len(stripped) > limit:
        raise Refused(
            Reply.invalid(
                f"The {what} text is {len(stripped):,} characters; the limit is {limit:,}."
            )
        )
    return stripped


def control_character(texts: Iterable[str]) -> str | None:
    """The first control character other than tab, line feed and carriage return ("U+0000").

    PostgreSQL refuses NUL in text outright, and the rest (C0, DEL, C1) are invisible in chat
    yet would be stored and posted to others as they are.
    """
    for text in texts:
        for char in text:
            if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
                return f"U+{ord(char):04X}"
    return None
