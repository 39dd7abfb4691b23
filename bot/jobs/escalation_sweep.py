"""Escalations waiting on staff (ESC-10): remind the analyst queue every N business hours.

The waiting escalations are few and indexed by (state, requested_at), oldest first, so the sweep
reads them directly rather than through a timer, and stops at the first one too young to count.
Reminder k has the key `esc_wait:{escalation}:{k}`: once per escalation and period across passes
and replicas, and after downtime only the current period is posted, not one per missed period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.casework import alerts
from bot.messages import CaseAction, Fact, Notice, NoticeKind
from bot.model import Account, Case
from bot.policy.calendar import calendar_for
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.cases import Escalation

REMINDER_BUSINESS_HOURS = 4


async def sweep_waiting_escalations(
    store: Store,
    config: PolicyConfig,
    now: datetime,
    reminder_hours: int = REMINDER_BUSINESS_HOURS,
) -> int:
    """Queue a reminder for each escalation waiting a further `reminder_hours` business hours."""
    if reminder_hours < 1:
        raise ValueError(f"reminder_hours must be at least 1, got {reminder_hours}")
    period = timedelta(hours=reminder_hours)
    async with store.unit_of_work(read_only=True) as uow:
        waiting = await uow.escalations.waiting()
    queued = 0
    for escalation in waiting:
        if now - escalation.requested_at < period:
            break  # business time never runs faster than the clock; the rest are younger still
        async with store.unit_of_work() as uow:
            case = await uow.cases.get(escalation.case_number)
            account = await uow.directory.account(case.account_id) if case is not None else None
            if case is None or account is None:
                continue
            waited = calendar_for(config, account.region).between(escalation.requested_at, now)
            periods = waited // period
            if periods < 1:
                continue
            zone = config.region(account.region).time_zone
            notice = _reminder(escalation, case, account, waited)
            key = f"esc_wait:{escalation.id}:{periods}"
            queued += await alerts.to_queue(uow, account, case.priority, notice, key, now, zone)
            await uow.commit()
    return queued


def _reminder(escalation: Escalation, case: Case, account: Account, waited: timedelta) -> Notice:
    hours = int(waited // timedelta(hours=1))
    return Notice(
        NoticeKind.ESCALATION_REQUESTED,
        f"Escalation on {case.ref} still waiting after {hours} business hours",
        f"{escalation.requested_by} asked for management attention: {escalation.reason}",
        (
            Fact("Account", account.id),
            Fact("Priority", case.priority.label),
            Fact("Owner", case.owner or "Unassigned"),
        ),
        case_number=case.number,
        actions=() if case.owner else (CaseAction.TAKE,),
        times=(("Requested", escalation.requested_at),),
    )
