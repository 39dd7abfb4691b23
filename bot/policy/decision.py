"""The answer of every policy check: allowed or not, which rule, why, and what to do instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decision:
    """One check's outcome; the same value drives refusals, audit entries and `help` (STYLE.md)."""

    allowed: bool
    rule: str  # the rule id that decided (docs/policy.md), e.g. "ESC-4"; see `rules.RuleId`
    reason: str = ""  # for refusals: a sentence the user reads
    instead: str | None = None  # for refusals: what to do instead

    @classmethod
    def allow(cls, rule: str, reason: str = "") -> Decision:
        return cls(True, rule, reason)

    @classmethod
    def refuse(cls, rule: str, reason: str, instead: str | None = None) -> Decision:
        return cls(False, rule, reason, instead)

    def __bool__(self) -> bool:
        return self.allowed
