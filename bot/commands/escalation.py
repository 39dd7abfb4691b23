"""`escalation accept|reject CASE TEXT`: decide the case's waiting escalation (ESC-10).

Accepting carries the next steps, rejecting the reasons; either way the decision goes on the
case's history for the customer to read, and the requester is told privately.
"""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import record
from bot.commands.context import Context, check_action, visible_case
from bot.commands.limits import MAX_REASON_CHARS, require_text
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Fact, Notice, NoticeKind, Reply
from bot.model import CaseEvent, EventKind, Visibility
from bot.policy.access import Action
from bot.store.interface.cases import EscalationState

_DECISIONS = {
    "accept": (EscalationState.ACCEPTED, EventKind.ESCALATION_ACCEPTED, "accepted"),
    "reject": (EscalationState.REJECTED, EventKind.ESCALATION_REJECTED, "rejected"),
}


VERB = Verb(
    "escalation",
    Action.ESCALATION_DECIDE,
    "escalation accept|reject CASE TEXT",
    "accept or reject a waiting escalation",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`escalation accept|reject CASE TEXT`: accept or reject a waiting escalation."""
    word = (req.command.arg(0) or "").casefold()
    if word not in _DECISIONS:
        return Reply.invalid(f"Accept or reject? Usage: `{VERB.usage}`")
    state, kind, done = _DECISIONS[word]
    case, account = await visible_case(req, ctx, req.command.arg(1), for_change=True)
    await check_action(req, ctx, Action.ESCALATION_DECIDE, account)
    what = "next steps" if state is EscalationState.ACCEPTED else "reasons"
    text = require_text(req.command.text_from(2), what, VERB.usage, MAX_REASON_CHARS)
    waiting = await ctx.uow.escalations.open_for(case.number)
    if waiting is None:
        return Reply.refused(
            "ESC-10",
            f"Case {case.ref} has no escalation waiting for a decision.",
            "`queue` lists the escalations waiting.",
        )
    author = req.actor.email or req.actor.user_id
    decided = await ctx.uow.escalations.decide(waiting.id, state, author, text, req.now)
    event = CaseEvent(kind, req.now, author, req.platform, Visibility.PUBLIC, text)
    case = await record(ctx, case, account, event)
    await ctx.audit(
        req,
        f"escalation.{word}",
        case.number,
        escalation=decided.id,
        requester=decided.requested_by,
    )
    notice = Notice(
        NoticeKind.ESCALATION_DECIDED,
        f"Your escalation of case {case.ref} was {done}",
        text,
        (
            Fact("Case", f"{case.ref}: {case.summary}"),
            Fact("Your reason", decided.reason),
            Fact("Decided by", f"{req.actor.name} (support)"),
        ),
        case_number=case.number,
        times=(("Requested", decided.requested_at),),
    )
    told = await alerts.to_person(
        ctx.uow,
        decided.requested_by,
        notice,
        f"escalation:{decided.id}:{state.value}",
        req.now,
        ctx.time_zone(account),
        case.opened_on,
    )
    note = f"Escalation {done}." + (
        " The requester was told privately." if told else " The requester has no chat identity."
    )
    return case_reply(req, ctx, case, account, note)
