"""SLA-4 / SLA-5: clock cycles (each reopen starts a new one) and the keys of their notices.

A notice is sent once per case, clock cycle, target and threshold (SLA-5), and the customer's
breach notice once per case, cycle and target (SLA-5b). The cycle of a threshold is the one in
which its instant falls, so a resolution clock that runs on across a reopen keeps the notices it
already had, while the new response target of a reopened case gets its own.
"""

from __future__ import annotations

from datetime import datetime

from bot.model import Case, EventKind
from bot.policy.sla import DueInstant


def cycle_at(case: Case, at: datetime) -> int:
    """The clock cycle `at` falls in: 0 from the opening, k from the k-th reopen on (SLA-4)."""
    return sum(1 for e in case.events if e.kind is EventKind.REOPENED and e.at <= at)


def warning_key(case: Case, instant: DueInstant) -> str:
    """SLA-5: the queue's warning or breach notice of one threshold in one cycle."""
    cycle = cycle_at(case, instant.at)
    return f"sla:{case.number}:c{cycle}:{instant.name}:{instant.threshold}"


def customer_breach_key(case: Case, instant: DueInstant) -> str:
    """SLA-5b: the customer's breach notice of one target in one cycle."""
    return f"sla5b:{case.number}:c{cycle_at(case, instant.at)}:{instant.name}"


def unsent(case: Case, instants: list[DueInstant], sent: set[str]) -> list[DueInstant]:
    """The instants whose notice is not in `sent`: a threshold once announced never re-arms."""
    return [d for d in instants if warning_key(case, d) not in sent]
