"""The delivery side of /healthz (R3): dead letters, the oldest pending post, a stuck scheduler.

`/healthz` answers 503 with the reasons when any threshold is passed, so a probe or an alert sees
a throttled or broken delivery instead of `ok: true` throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.interface.outbox import OutboxBacklog


@dataclass(frozen=True, slots=True)
class HealthLimits:
    """Past these the process reports itself unhealthy."""

    max_dead_letters: int = 0
    max_pending_age_seconds: float = 900.0
    stuck_after_seconds: float = 300.0


def oldest_pending_seconds(backlog: OutboxBacklog, now: datetime) -> float:
    """How long the oldest pending post has been due (0 with none, or one due in the future)."""
    oldest = backlog.oldest_pending_at
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


def outbox_report(
    backlog: OutboxBacklog, now: datetime, limits: HealthLimits
) -> tuple[dict[str, Any], list[str]]:
    """The outbox part of /healthz, and why it is unhealthy (empty when it is not)."""
    age = oldest_pending_seconds(backlog, now)
    problems: list[str] = []
    if backlog.dead > limits.max_dead_letters:
        problems.append(
            f"{backlog.dead} dead letter(s) in the outbox (more than "
            f"{limits.max_dead_letters}); see `supportbot outbox list --dead`"
        )
    if age > limits.max_pending_age_seconds:
        problems.append(
            f"the oldest pending post has waited {age:.0f} s (more than "
            f"{limits.max_pending_age_seconds:g} s)"
        )
    report = {
        "pending": backlog.pending,
        "dead": backlog.dead,
        "oldest_pending_seconds": round(age),
    }
    if backlog.waiting:  # posts for a platform this process does not serve yet: kept, not late
        report["waiting_for_platform"] = backlog.waiting
    return report, problems
