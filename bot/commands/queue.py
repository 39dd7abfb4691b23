"""`queue`: open cases near or past a target, most urgent first, and escalations waiting.

Finding them never scans the cases of every account (P3): `tracking.track` keeps one
`sla_watch` timer per case at the earliest SLA-5 instant of its *counting* clocks, passed
instants included (the scheduler moves the separate `sla` timer on as it sends, never this
one), so the due `sla_watch` timers are exactly the index of cases whose running clock has
reached a warning threshold, breached ones too (`cases.with_due_timer`, read without locks).
Each candidate's clocks confirm it and sort it: the earliest due time first, so the
longest-breached case leads. Paused clocks are not listed: SLA-5 is silent while support waits on
the customer. A running clock's thresholds are fixed instants once its history is in the past,
so they are computed once per version of the case (`_DUE_CACHE`), not per `queue` (#18), and the
loop is handed back between slices of candidates so that no request waits for a whole queue.
"""

from __future__ import annotations

import asyncio
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
from bot.policy.config import PolicyConfig
from bot.policy.priority_change import priority_rank
from bot.store.interface.cases import Escalation

QUEUE_LIMIT = PAGE_SIZE  # rows per page; the total says how many there are
CANDIDATE_LIMIT = 1_000  # due timers read per `queue`; beyond this the index itself is behind
SLICE = 5  # candidates between two returns to the event loop (well under a millisecond of work)
CACHE_SIZE = 4 * CANDIDATE_LIMIT
_Version = tuple[int, int, int | None, datetime]  # number, events, last event id, updated_at
# (first threshold, breach) of each counting clock, as computed at `_Due.at`.
_Thresholds = tuple[tuple[datetime, datetime], ...]


class _Due(NamedTuple):
    at: datetime
    account: Account
    config: PolicyConfig
    thresholds: _Thresholds


_DUE_CACHE: dict[_Version, _Due] = {}


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
    candidates = await ctx.uow.cases.with_due_timer(SLA_WATCH, req.now, CANDIDATE_LIMIT)
    for index, case in enumerate(candidates):
        if index and not index % SLICE:
            await asyncio.sleep(0)  # let other requests run between slices
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
    thresholds = _thresholds(case, account, ctx.config, now)
    return min((due for first_at, due in thresholds if first_at <= now), default=None)


def _thresholds(case: Case, account: Account, config: PolicyConfig, now: datetime) -> _Thresholds:
    """(first threshold, breach) of each counting clock: from the cache when still true."""
    last = case.events[-1] if case.events else None
    version = (case.number, len(case.events), None if last is None else last.id, case.updated_at)
    cached = _DUE_CACHE.get(version)
    if (
        cached is not None
        and cached.account is account  # a directory reload makes new accounts: recompute
        and cached.config is config
        and cached.at <= now  # a clock replayed to an earlier instant may not have started
    ):
        return cached.thresholds
    clocks = sla.clocks(case, account, config, now)
    thresholds = tuple(
        (clock.warnings[0][1], clock.due_at)  # thresholds are sorted; the breach (1.0) is last
        for clock in (clocks.response, clocks.resolution)
        if clock is not None and clock.counting and clock.warnings and clock.due_at is not None
    )
    # Only a history wholly in the past fixes the instants: a later event would change them.
    if case.opened_at <= now and (last is None or last.at <= now):
        if len(_DUE_CACHE) >= CACHE_SIZE:
            del _DUE_CACHE[next(iter(_DUE_CACHE))]  # the oldest entry
        _DUE_CACHE[version] = _Due(now, account, config, thresholds)
    return thresholds


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
