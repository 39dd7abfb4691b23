"""`queue`: open cases near or past a target, most urgent first, and escalations waiting.

Finding them never scans the cases of every account (P3): `tracking.track` keeps one
`sla_watch` timer per case at the earliest SLA-5 instant of its *counting* clocks, passed
instants included (the scheduler moves the separate `sla` timer on as it sends, never this
one), so the due `sla_watch` timers are exactly the index of cases whose running clock has
reached a warning threshold, breached ones too (`cases.with_due_timer`, read without locks). Each candidate's clocks are then recomputed to confirm it and to sort:
the earliest due time first, so the longest-breached case leads. Paused clocks are not listed:
SLA-5 is silent while support waits on the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from bot.casework.tracking import SLA_WATCH
from bot.commands.context import Context, answer, check_action
from bot.commands.paging import PAGE_SIZE, page_number, titled
from bot.commands.verb import Verb
from bot.messages import Audience, CaseLine, CaseList, ChatRequest, Reply
from bot.model import Account, Case
from bot.policy import access, sla
from bot.policy.access import Action
from bot.policy.priority_change import priority_rank
from bot.store.interface import Escalation

QUEUE_LIMIT = PAGE_SIZE  # rows per page; the total says how many there are
CANDIDATE_LIMIT = 1_000  # due timers read per `queue`; beyond this the index itself is behind


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `queue`."""

    page: str | None = None


VERB = Verb(
    "queue",
    Action.QUEUE,
    "queue [--page N]",
    "cases near or past a target, escalations waiting",
    Options,
    read_only=True,
)


class _Entry(NamedTuple):
    due_at: datetime  # the breach instant of the most urgent counting clock
    case: Case
    account: Account


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`queue [--page N]`: cases near or past a target, escalations waiting."""
    await check_action(req, ctx, Action.QUEUE, None)
    page = page_number(VERB.read(req.command).page)
    entries: list[_Entry] = []
    # The candidates and their events in two statements, without locking the timers that a
    # scheduler pass works on (#18); accounts come from the in-memory directory.
    for case in await ctx.uow.cases.with_due_timer(SLA_WATCH, req.now, CANDIDATE_LIMIT):
        account = await ctx.uow.directory.account(case.account_id)
        if account is None:
            continue
        due_at = _urgent_due(case, account, ctx, req.now)
        if due_at is not None:
            entries.append(_Entry(due_at, case, account))
    entries.sort(key=lambda e: (e.due_at, -priority_rank(e.case.priority), e.case.number))
    on_page = entries[(page - 1) * QUEUE_LIMIT : page * QUEUE_LIMIT]
    lines = tuple(_line(e) for e in on_page)
    waiting = await ctx.uow.escalations.waiting()
    escalated = await ctx.uow.cases.get_many([e.case_number for e in waiting[:QUEUE_LIMIT]])
    escalation_lines = tuple(
        _escalation_line(e, escalated[e.case_number])
        for e in waiting[:QUEUE_LIMIT]
        if e.case_number in escalated
    )
    shown = {e.case.account_id for e in on_page} | {line.account_id for line in escalation_lines}
    title = titled("Queue", page, len(entries))
    reply = answer(
        req,
        ctx,
        CaseList(title, lines, len(entries), "No open case is near or past a target."),
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


def _escalation_line(escalation: Escalation, case: Case) -> CaseLine:
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


def _audience(req: ChatRequest, account_ids: set[str]) -> Audience:
    """ACC-9: the queue spans accounts, so it is posted only where all of them may be seen."""
    if req.is_direct or (
        req.channel is not None
        and all(access.channel_may_show(a, req.channel, req.actor) for a in account_ids)
        and req.channel.account_id is None
    ):
        return Audience.CHANNEL
    return Audience.PRIVATE
