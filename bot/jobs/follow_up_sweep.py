"""FUP-1..FUP-3: reminders to the opener of a case waiting on them, then the No Response close.

Driven by the "follow_up" timer `tracking.track` keeps at the next step (P3). Each step is
written through `tracking.record`, so the FOLLOW_UP or CLOSED event moves the timers with it.

Catch-up after downtime: one step per case per `CATCH_UP_SPACING`; a case whose reminders and
close all fell due while no pass ran gets reminder 1 now and the next step a day later, never
the reminders and the close in one burst.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.casework import alerts
from bot.casework.tracking import FOLLOW_UP_TIMER, record
from bot.casework.work import CaseWork
from bot.jobs.due_timers import work_through
from bot.messages import Fact, Notice, NoticeKind
from bot.model import Account, Case, CaseEvent, EventKind, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.followup import (
    FollowUpStep,
    describe_days,
    follow_up_started_at,
    pending_follow_up,
)
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.timers import Timer

SYSTEM = "system"  # R7: the actor of the bot's own changes
CATCH_UP_SPACING = timedelta(days=1)
BUSY_RETRY = timedelta(minutes=1)  # a case a request is changing right now is tried this later


async def sweep_follow_ups(store: Store, config: PolicyConfig, now: datetime) -> int:
    """FUP-1: send due reminders and auto-close silent cases; how many notices were queued."""
    return await work_through(store, FOLLOW_UP_TIMER, now, FollowUpBatch(config, now))


class FollowUpBatch:
    """The `BatchHandler` of follow-up timers: the batch's cases read at once (P3)."""

    def __init__(self, config: PolicyConfig, now: datetime) -> None:
        self._config = config
        self._now = now
        self._cases: dict[int, Case] = {}
        self._busy: set[int] = set()

    async def start(self, uow: UnitOfWork, timers: Sequence[Timer]) -> None:
        # A subject that is not a number is left to `handle`, which fails on it alone.
        numbers = [int(t.subject) for t in timers if t.subject.isdigit()]
        # R9: a step is a case change, so the cases are locked; those a request holds are skipped.
        self._cases = await uow.cases.get_many_for_change(numbers)
        skipped = [n for n in numbers if n not in self._cases]
        self._busy = set(await uow.cases.get_many(skipped)) if skipped else set()

    async def handle(self, uow: UnitOfWork, timer: Timer) -> int:
        number = int(timer.subject)
        if number in self._busy:
            # The request changing it moves this timer when it commits; if it changes nothing,
            # the step is taken a moment later.
            await uow.timers.set(
                FOLLOW_UP_TIMER, timer.subject, self._now + BUSY_RETRY, timer.payload
            )
            return 0
        case = self._cases.get(number)
        account = await uow.directory.account(case.account_id) if case is not None else None
        return await follow_up(CaseWork(uow, self._config), timer, self._now, case, account)

    async def finish(self, uow: UnitOfWork) -> int:
        return 0  # every step is written as it is taken, through `tracking.record`


async def follow_up(
    ctx: CaseWork, timer: Timer, now: datetime, case: Case | None, account: Account | None
) -> int:
    """Do the case's due follow-up step, if it still has one."""
    uow = ctx.uow
    if case is None or account is None:
        await uow.timers.set(FOLLOW_UP_TIMER, timer.subject, None)
        return 0
    pending = pending_follow_up(case, account, ctx.config)
    started = follow_up_started_at(case)
    if pending is None or started is None:
        await uow.timers.set(FOLLOW_UP_TIMER, timer.subject, None)
        return 0
    step, at = pending
    if at > now:
        # A stale timer (the case changed since it was set): put it where the step is.
        await uow.timers.set(FOLLOW_UP_TIMER, timer.subject, at, {"step": step.value})
        return 0
    key = f"fup:{case.number}:{started.isoformat()}:{step.value}"
    if step is FollowUpStep.AUTO_CLOSE:
        return await _close(ctx, case, account, key, now)
    return await _remind(ctx, case, account, step, key, now)


async def _remind(
    ctx: CaseWork, case: Case, account: Account, step: FollowUpStep, key: str, now: datetime
) -> int:
    number = 1 if step is FollowUpStep.REMINDER_1 else 2
    event = CaseEvent(
        EventKind.FOLLOW_UP,
        now,
        SYSTEM,
        body=f"Follow-up reminder {number} sent to {case.opened_by} (FUP-1).",
    )
    case = await record(ctx, case, account, event)
    await ctx.uow.audit.add(
        SYSTEM, None, "case.follow_up", case.number, {"step": step.value, "to": case.opened_by}, now
    )
    notice = Notice(
        NoticeKind.FOLLOW_UP,
        f"Case {case.ref} is waiting for you: {case.summary}",
        f"Support is waiting for your answer on this case ({case.status.value}). Reply with "
        f"`update {case.number} ...` or close it with `close {case.number}` if it is solved; "
        f"without an answer it closes automatically after "
        f"{describe_days(ctx.config.follow_up.close_after_days, account, ctx.config)} (FUP-1).",
        (Fact("Reminder", f"{number} of {len(ctx.config.follow_up.reminder_days)}"),),
        case_number=case.number,
    )
    told = await alerts.to_person(
        ctx.uow,
        case.opened_by,
        notice,
        key,
        now,
        ctx.config.account_time_zone(account),
        case.opened_on,
    )
    await _space_catch_up(ctx, case, account, now)
    return int(told)


async def _close(ctx: CaseWork, case: Case, account: Account, key: str, now: datetime) -> int:
    event = CaseEvent(
        EventKind.CLOSED,
        now,
        SYSTEM,
        body="Closed automatically: no response from the customer (FUP-1).",
        status=Status.CLOSED,
        sub_status=SubStatus.NO_RESPONSE,
    )
    case = await record(
        ctx,
        case,
        account,
        event,
        status=Status.CLOSED,
        sub_status=SubStatus.NO_RESPONSE,
        closed_at=now,
    )
    await ctx.uow.audit.add(
        SYSTEM,
        None,
        "case.auto_close",
        case.number,
        {"sub_status": SubStatus.NO_RESPONSE.value},
        now,
    )
    notice = Notice(
        NoticeKind.AUTO_CLOSED,
        f"Case {case.ref} closed: no response",
        f"We closed this case because we did not hear back after "
        f"{describe_days(ctx.config.follow_up.close_after_days, account, ctx.config)} (FUP-1). "
        f"If the problem is still there, phone support on {ctx.config.region(account.region).phone} and quote case "
        f"{case.ref}: a case closed for no response is reopened by phone only (REO-3).",
        (
            Fact("Status", f"{Status.CLOSED.value} / {SubStatus.NO_RESPONSE.value}"),
            Fact("Phone", ctx.config.region(account.region).phone),
        ),
        case_number=case.number,
    )
    told = await alerts.to_person(
        ctx.uow,
        case.opened_by,
        notice,
        key,
        now,
        ctx.config.account_time_zone(account),
        case.opened_on,
    )
    return int(told)


async def _space_catch_up(ctx: CaseWork, case: Case, account: Account, now: datetime) -> None:
    pending = pending_follow_up(case, account, ctx.config)
    if pending is not None and pending[1] <= now:
        step, _ = pending
        later = now + CATCH_UP_SPACING
        await ctx.uow.timers.set(FOLLOW_UP_TIMER, str(case.number), later, {"step": step.value})
