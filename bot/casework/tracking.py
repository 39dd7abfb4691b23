"""Writing a case change: the new fields, the event, and the due times the scheduler indexes.

Every state change goes through `record` so that the SLA and follow-up timers can never drift
from the case history (SLA-4, SLA-5, FUP-1..FUP-3). `record` takes a case read with
`uow.cases.get_for_change` (R9: the store refuses any other), and notices about the change are
keyed by `change_key`, the stored event's id, which no concurrent change can share.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.casework.work import Work
from bot.model import Account, Case, CaseEvent, Status
from bot.policy import sla
from bot.policy.followup import pending_follow_up
from bot.policy.sla_cycles import unsent
from bot.store.interface.cases import EscalationState

SLA_TIMER = "sla"  # the next SLA-5 notice; the scheduler moves it on as it sends
SLA_WATCH = "sla_watch"  # when a running clock reaches its first threshold; `queue` reads it
FOLLOW_UP_TIMER = "follow_up"


async def record(ctx: Work, case: Case, account: Account, event: CaseEvent, **changes: Any) -> Case:
    """Apply `changes` and `event` to the case, write both, and move its timers."""
    event = replace(event, id=await ctx.uow.cases.add_event(case.number, event))
    updated = replace(case, updated_at=event.at, events=(*case.events, event), **changes)
    await ctx.uow.cases.update(updated)
    if updated.status is Status.CLOSED and case.status is not Status.CLOSED:
        await _settle_waiting_escalation(ctx, case.number, event.at)
    await track(ctx, updated, account, event.at)
    return updated


def change_key(cause: str, case: Case) -> str:
    """The key of a notice about the case's latest recorded change: `{cause}:{case}:{event id}`.

    Unique per change even when several people change the case at once (R9), and the same when
    the notice is queued again for that change (R4).
    """
    if not case.events or case.events[-1].id is None:
        raise ValueError(f"case {case.number} has no recorded change to key a notice by")
    return f"{cause}:{case.number}:{case.events[-1].id}"


async def _settle_waiting_escalation(ctx: Work, case_number: int, at: datetime) -> None:
    """ESC-9: closing a case ends its open escalation; one still waiting leaves the queue."""
    waiting = await ctx.uow.escalations.open_for(case_number)
    if waiting is not None:
        await ctx.uow.escalations.decide(
            waiting.id, EscalationState.CLOSED, "system", "The case was closed.", at
        )


async def track(ctx: Work, case: Case, account: Account, now: datetime) -> None:
    """Set the case's SLA-5 and FUP-1 timers from its history (removed when nothing is due)."""
    clocks = sla.clocks(case, account, ctx.config, now)
    due = sla.next_due_instants(clocks)
    subject = str(case.number)
    # SLA-5: a threshold announced once (in this clock cycle) is never armed again, however
    # long ago it was sent; the memory of sent notices outlives the outbox rows.
    if due:
        sent = await ctx.uow.sent_notices.for_cases([case.number])
        arm = unsent(case, due, sent.get(case.number, set()))
    else:
        arm = []
    await ctx.uow.timers.set(SLA_TIMER, subject, arm[0].at if arm else None)
    # The queue's own index: the scheduler never moves it, so a case stays "near or past a
    # target" from its first warning instant until its clocks stop or pause.
    await ctx.uow.timers.set(SLA_WATCH, subject, due[0].at if due else None)
    follow_up = pending_follow_up(case, account, ctx.config)
    if follow_up is None:
        await ctx.uow.timers.set(FOLLOW_UP_TIMER, subject, None)
    else:
        step, at = follow_up
        await ctx.uow.timers.set(FOLLOW_UP_TIMER, subject, at, {"step": step.value})
