""" "Did you mean": the nearest verb, priority or case number for a near miss.

A suggestion is only ever words in a reply: nothing typed wrongly is run, so a near miss can
never write anything (R5). Synonyms are listed only where one verb is meant; spelling slips are
matched against what the asker may use, so a customer is never pointed at a staff verb.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bot.model import Priority

# Words people use for a verb the bot spells differently; each means exactly one verb.
_VERB_SYNONYMS = {
    "status": "show",
    "view": "show",
    "details": "show",
    "comment": "update",
    "note": "update",
    "reply": "update",
    "cases": "list",
    "ls": "list",
    "new": "open",
    "create": "open",
    "re-open": "reopen",
    "resolve": "close",
    "assign": "take",
    "who": "whoami",
}
# Ticket-system shorthands: P1 is the most urgent. They name a priority but are not accepted
# as one, because a raise to Critical must go by phone (CASE-4) and a guess must not pick it.
_PRIORITY_SHORTHANDS = {
    "p1": Priority.CRITICAL,
    "p2": Priority.HIGH,
    "p3": Priority.MEDIUM,
    "p4": Priority.LOW,
    "crit": Priority.CRITICAL,
    "urgent": Priority.HIGH,
    "hi": Priority.HIGH,
    "med": Priority.MEDIUM,
    "mid": Priority.MEDIUM,
    "normal": Priority.MEDIUM,
    "lo": Priority.LOW,
    "minor": Priority.LOW,
}
_TRAILING_PUNCTUATION = re.compile(r"^(#?\d{1,10})[.,;:!?)]+$")


def verb(typed: str, known: Iterable[str]) -> str | None:
    """The verb `typed` most likely meant, among `known` (the verbs the asker may use)."""
    names = sorted(set(known))
    word = typed.casefold()
    synonym = _VERB_SYNONYMS.get(word)
    if synonym in names:
        return synonym
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    return close[0] if close else None


def priority(typed: str, allowed: Iterable[Priority]) -> Priority | None:
    """The priority `typed` most likely meant ("P3", "med", "hgih"), if it is one of `allowed`."""
    choices = list(allowed)
    word = typed.strip().casefold()
    meant = _PRIORITY_SHORTHANDS.get(word)
    if meant is None:
        close = difflib.get_close_matches(word, [p.value for p in choices], n=1, cutoff=0.6)
        meant = Priority(close[0]) if close else None
    return meant if meant in choices else None


def priority_hint(typed: str, allowed: Iterable[Priority]) -> str:
    """ " Did you mean `medium`?" (with its leading space), or nothing."""
    meant = priority(typed, allowed)
    return f" Did you mean `{meant.value}`?" if meant is not None else ""


def case_ref(typed: str) -> str | None:
    """A case number with punctuation stuck to it ("1011.", "#1011,"): the number alone."""
    match = _TRAILING_PUNCTUATION.fullmatch(typed.strip())
    return match.group(1) if match else None
