"""FakeChat's renderer: the neutral reply as plain-text messages (the console's text renderer).

A real platform's renderer lives beside the others in `bot/cards/<name>.py`.
"""

from __future__ import annotations

from typing import Any

from bot.cards.format import cut_marker
from bot.cards.text import render_body
from bot.messages import Reply

MESSAGE_CHARS = 4000  # FakeChat's limit per message, like many chat services


def render_messages(reply: Reply) -> list[dict[str, Any]]:
    """One `{"text": ...}` message for the reply's body and one per follow-up."""
    bodies = (reply.body, *reply.follow_ups)
    return [{"text": _fit(render_body(b, reply.time_zone, reply.show_utc))} for b in bodies]


def _fit(text: str) -> str:
    if len(text) <= MESSAGE_CHARS:
        return text
    marker = cut_marker(None)
    return text[: MESSAGE_CHARS - len(marker) - 1].rstrip() + "\n" + marker
