"""Length limits on free text (R6): over-long input is refused naming the limit."""

from __future__ import annotations

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
