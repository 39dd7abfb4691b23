"""`queue`: open cases near or past a target, most urgent first, and escalations waiting.

Finding them never scans the cases of every account (P3): `tracking.track` keeps one
`sla_watch` timer per case at the earliest SLA-5 instant of its *counting* clocks, passed
instants included (the scheduler moves the separate `sla` timer on as it sends, never this
one), so `timers.due(until=now, kind="sla_watch")` is exactly the index of cases whose running
clock has reached a warning threshold, breached ones too. Each candidate's clocks are then recomputed to confirm it and to sort:
the earliest due time first, so the longest-breached case leads. Paused clocks are not listed:
SLA-5 is silent while support waits on the customer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from bot.commands.context import Context, answer, check_action
from bot.commands.tracking import SLA_WATCH
from bot.messages import Audience, CaseLine, CaseList, ChatRequest, Reply
from bot.model import Account, Case, Status
from bot.policy import access, sla
from bot.policy.access import Action
from bot.policy.priority_change import priority_rank
from bot.store.interface import Escalation

QUEUE_LIMIT = 25  # rows shown; the total says how many there were
CANDIDATE_LIMIT = 1_000  # due timers read per `queue`; beyond this the index itself is behind


class _Entry(NamedTuple):
    due_at: datetime  # the breach instant of the most urgent counting clock
    case: Case
    account: Account


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`queue`: cases near or past a target, escalations waiting."""
    await check_action(req, ctx, Action.QUEUE, None)
    accounts: dict[str, Account | None] = {}
    entries: list[_Entry] = []
    for timer in await ctx.uow.timers.due(until=req.now, kind=SLA_WATCH, limit=CANDIDATE_LIMIT):
        case = await _case(ctx, timer.subject)
        if case is None or case.status is Status.CLOSED:
            continue
        account = await _account(ctx, accounts, case.account_id)
        if account is None:
            continue
        due_at = _urgent_due(case, account, ctx, req.now)
        if due_at is not None:
            entries.append(_Entry(due_at, case, account))
    entries.sort(key=lambda e: (e.due_at, -priority_rank(e.case.priority), e.case.number))
    lines = tuple(_line(e) for e in entries[:QUEUE_LIMIT])
    waiting = await ctx.uow.escalations.waiting()
    escalated = [await _escalation_line(ctx, e) for e in waiting[:QUEUE_LIMIT]]
    escalation_lines = tuple(line for line in escalated if line is not None)
    shown = {e.case.account_id for e in entries[:QUEUE_LIMIT]} | {
        line.account_id for line in escalation_lines
    }
    reply = answer(
        req,
        ctx,
        CaseList("Queue", lines, len(entries), "No open case is near or past a target."),
        None,
        _audience(req, shown),
    )
    escalations = CaseList(
        "Escalations waiting", escalation_lines, len(waiting), "No escalation is waiting."
    )
    return replace(reply, follow_ups=(escalations,))


def _urgent_due(case: Case, account: Account, ctx: Context, now: datetime) -> datetime | None:
    """The breach instant of the most urgent running clock at or past its first threshold."""
    clocks = sla.clocks(case, account, ctx.config, now)
    due: list[datetime] = []
    for clock in (clocks.response, clocks.resolution):
        if clock is None or not clock.counting or not clock.warnings:
            continue
        first_at = clock.warnings[0][1]  # thresholds are sorted; the breach (1.0) is last
        if first_at <= now and clock.due_at is not None:
            due.append(clock.due_at)
    return min(due, default=None)


def _line(entry: _Entry) -> CaseLine:
    case = entry.case
    return CaseLine(
        number=case.number,
        account_id=case.account_id,
        summary=case.summary,
        priority=case.priority,
        status=case.status,
        sub_status=case.sub_status,
        updated_at=case.updated_at,
        next_due_at=entry.due_at,  # in the past for a breached case: how long it has been late
    )


async def _escalation_line(ctx: Context, escalation: Escalation) -> CaseLine | None:
    case = await ctx.uow.cases.get(escalation.case_number)
    if case is None:
        return None
    reason = escalation.reason.splitlines()[0] if escalation.reason else ""
    return CaseLine(
        number=case.number,
        account_id=case.account_id,
        summary=f"Escalated by {escalation.requested_by}: {reason[:200]}",
        priority=case.priority,
        status=case.status,
        sub_status=case.sub_status,
        updated_at=escalation.requested_at,
    )


async def _case(ctx: Context, subject: str) -> Case | None:
    # Timer subjects of kind `sla` are case numbers (tracking.track); anything else is skipped.
    return await ctx.uow.cases.get(int(subject)) if subject.isdigit() else None


async def _account(
    ctx: Context, cache: dict[str, Account | None], account_id: str
) -> Account | None:
    if account_id not in cache:
        cache[account_id] = await ctx.uow.directory.account(account_id)
    return cache[account_id]


def _audience(req: ChatRequest, account_ids: set[str]) -> Audience:
    """ACC-9: the queue spans accounts, so it is posted only where all of them may be seen."""
    if req.is_direct or (
        req.channel is not None
        and all(access.channel_may_show(a, req.channel, req.actor) for a in account_ids)
        and req.channel.account_id is None
    ):
        return Audience.CHANNEL
    return Audience.PRIVATE
