"""The sweeps one scheduler pass runs, in order; each queues notices and returns how many.

A sweep takes `(store, config, now)`, works in its own short units of work (so a replica's pass
never holds locks for long), and must be safe to run again at the same `now` (R4).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.jobs.escalation_sweep import sweep_waiting_escalations
from bot.jobs.follow_up_sweep import sweep_follow_ups
from bot.jobs.housekeeping_sweep import housekeeping, sweep_housekeeping
from bot.jobs.incident_sweep import sweep_incidents, sweep_rca_reminders
from bot.jobs.report_sweep import sweep_monthly_reports
from bot.jobs.sla_sweep import sweep_sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.conversations import AttachmentStorage

Sweep = Callable[[Store, PolicyConfig, datetime], Awaitable[int]]

# Follow-ups run before SLA so a case auto-closed in this pass sends no breach notice for it.
SWEEPS: tuple[tuple[str, Sweep], ...] = (
    ("follow_up", sweep_follow_ups),
    ("sla", sweep_sla),
    ("escalation", sweep_waiting_escalations),
    ("incident", sweep_incidents),
    ("rca_reminder", sweep_rca_reminders),
    ("monthly_report", sweep_monthly_reports),
    ("housekeeping", sweep_housekeeping),
)


def with_attachments(storage: AttachmentStorage | None) -> tuple[tuple[str, Sweep], ...]:
    """`SWEEPS` whose housekeeping also purges the attachments kept in `storage` (CONV-5)."""
    if storage is None:
        return SWEEPS
    return tuple((n, housekeeping(storage) if n == "housekeeping" else s) for n, s in SWEEPS)
