"""Building the neutral views handlers reply with: the case card and case-list rows."""

from __future__ import annotations

from datetime import datetime

from bot.commands.context import Context, answer, audience_for, designated_on
from bot.messages import Audience, CaseAction, CaseLine, CaseView, ChatRequest, Reply
from bot.model import Account, Case, CaseEvent, ChannelPurpose, EventKind, Status, Visibility
from bot.policy import sla

RECENT_UPDATES = 5
_SHOWN_KINDS = frozenset(
    {
        EventKind.OPENED,
        EventKind.CUSTOMER_UPDATE,
        EventKind.STAFF_RESPONSE,
        EventKind.WORK_NOTE,
        EventKind.STATUS_CHANGE,
        EventKind.PRIORITY_CHANGE,
        EventKind.PRIORITY_REQUEST,
        EventKind.ESCALATION_REQUEST,
        EventKind.ESCALATION_ACCEPTED,
        EventKind.ESCALATION_REJECTED,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.RESTORED,
    }
)


def visible_events(
    req: ChatRequest, case: Case, customers_see: bool = False
) -> tuple[CaseEvent, ...]:
    """The case history the asker may read, most recent first: customers never see work notes,
    not even on a card staff have posted where customers read it (`customers_see`, CONV-3)."""
    staff = req.actor.is_staff and not customers_see
    events = [
        e
        for e in case.events
        if e.kind in _SHOWN_KINDS and (staff or e.visibility is Visibility.PUBLIC)
    ]
    return tuple(reversed(events))


def actions_for(
    req: ChatRequest, ctx: Context, case: Case, account: Account
) -> tuple[CaseAction, ...]:
    """The card buttons the viewer may use (none for read-only viewers)."""
    if req.actor.is_staff:
        return (
            ()
            if case.status is Status.CLOSED or case.owner == req.actor.email
            else (CaseAction.TAKE,)
        )
    if not designated_on(req, ctx, account):
        return ()
    if case.status is Status.CLOSED:
        return (CaseAction.REOPEN,)
    return (CaseAction.UPDATE, CaseAction.CLOSE, CaseAction.ESCALATE)


def case_view(
    req: ChatRequest,
    ctx: Context,
    case: Case,
    account: Account,
    note: str | None = None,
    customers_see: bool = False,
) -> CaseView:
    clocks = sla.clocks(case, account, ctx.config, req.now)
    return CaseView(
        case=case,
        account=account,
        timers=sla.to_timers(clocks),
        updates=visible_events(req, case, customers_see)[:RECENT_UPDATES],
        actions=actions_for(req, ctx, case, account),
        note=note,
    )


def case_reply(
    req: ChatRequest, ctx: Context, case: Case, account: Account, note: str | None = None
) -> Reply:
    """The case card, where ACC-9 allows it to be seen."""
    audience = audience_for(req, account.id)
    shown = audience is Audience.CHANNEL and customers_read(req)
    view = case_view(req, ctx, case, account, note, customers_see=shown)
    return answer(req, ctx, view, account, audience)


def customers_read(req: ChatRequest) -> bool:
    """CONV-3: is a post in the request's channel read by customers (their channel, a DM)?"""
    if req.channel is not None and req.channel.purpose is ChannelPurpose.ACCOUNT:
        return True
    return req.is_direct and not req.actor.is_staff


def case_line(case: Case, account: Account, ctx: Context, now: datetime) -> CaseLine:
    due = sla.next_due_instants(sla.clocks(case, account, ctx.config, now), after=now)
    # A closed case (resolved or cancelled) has nothing due, whatever its clocks last said.
    closed = case.status is Status.CLOSED
    breach = [] if closed else [d.at for d in due if d.threshold >= sla.BREACH]
    return CaseLine(
        number=case.number,
        account_id=case.account_id,
        summary=case.summary,
        priority=case.priority,
        status=case.status,
        sub_status=case.sub_status,
        updated_at=case.updated_at,
        next_due_at=breach[0] if breach else None,
    )
