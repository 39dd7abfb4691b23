"""A platform-neutral card: the few element kinds every renderer knows how to draw.

`bot.cards.compose` turns a reply body into a `Layout`; `slack`, `teams` and `text` draw it. All
text in a layout is shown literally: each renderer escapes it for its platform (R6).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.messages import Fact


class Tone(StrEnum):
    PLAIN = "plain"
    GOOD = "good"
    WARNING = "warning"
    ATTENTION = "attention"
    MUTED = "muted"  # small print: rule ids, "showing 10 of 25"


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    tone: Tone = Tone.PLAIN


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of text, optionally under a short label."""

    text: str
    label: str | None = None
    tone: Tone = Tone.PLAIN
    # The bot's own wording, where `x` marks a command or value to show as code. False for user
    # text (descriptions, updates, notice bodies), whose backticks are shown literally (R6).
    code: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    items: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class Divider:
    pass


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action_id: str  # bot.cards.actions: "case:update", "form:open", ...
    case_number: int | None = None
    primary: bool = False


@dataclass(frozen=True, slots=True)
class Buttons:
    items: tuple[Button, ...]
    inline: bool = False  # drawn where it stands (a list row's buttons), not at the card's foot


Element = Heading | Paragraph | Facts | Divider | Buttons


@dataclass(frozen=True, slots=True)
class Layout:
    """What to draw, a one-line summary (notification fallback) and the case for cut markers."""

    elements: tuple[Element, ...]
    summary: str
    case_ref: str | None = None
    code_in_summary: bool = False  # the summary is the bot's wording: `x` marks code
