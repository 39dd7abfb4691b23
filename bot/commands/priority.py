"""`priority CASE PRIORITY REASON`: a customer's priority change request (PRI-1)."""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands import suggest
from bot.commands.context import Context, check_action, ensure, visible_case
from bot.commands.limits import MAX_REASON_CHARS, require_text
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Fact, Notice, NoticeKind, Reply
from bot.model import CaseEvent, EventKind, Priority, Visibility
from bot.policy.access import Action
from bot.policy.intake import priority_guide
from bot.policy.priority_change import check_priority_request

VERB = Verb(
    "priority",
    Action.PRIORITY,
    "priority CASE PRIORITY REASON",
    "ask for a priority change",
    NoOptions,
)


def parse_requested(text: str | None) -> Priority | None:
    """A priority as typed ("Medium", "high"); None when it names none."""
    if not text:
        return None
    wanted = text.strip().casefold()
    return next((p for p in Priority if p.value == wanted), None)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`priority CASE PRIORITY REASON`: ask for a priority change."""
    cmd = req.command
    case, account = await visible_case(req, ctx, cmd.arg(0), for_change=True)
    await check_action(req, ctx, Action.PRIORITY, account)
    wanted = parse_requested(cmd.arg(1))
    if wanted is None:
        shown = (cmd.arg(1) or "")[:40]
        hint = suggest.priority_hint(shown, tuple(Priority)) if shown else ""
        problem = f"`{shown}` is not a priority.{hint} " if shown else ""
        return Reply.invalid(
            f"{problem}Choose low, medium, high or critical. Usage: `{VERB.usage}`\n{priority_guide()}"
        )
    # PRI-1 first: a raise that needs a phone call is refused whatever the reason says.
    decision = check_priority_request(case, account, wanted, ctx.config)
    ensure(decision)
    reason = require_text(cmd.text_from(2), "reason", VERB.usage, MAX_REASON_CHARS)
    author = req.actor.email or req.actor.user_id
    old = case.priority
    # PRI-1: recorded as a work note for staff; the priority itself changes only by staff.
    event = CaseEvent(
        EventKind.PRIORITY_REQUEST,
        req.now,
        author,
        req.platform,
        Visibility.INTERNAL,
        f"Priority change requested: {old.label} -> {wanted.label}\nReason: {reason}",
    )
    case = await record(ctx, case, account, event)
    await ctx.audit(
        req, "case.priority_request", case.number, current=old.value, requested=wanted.value
    )
    notice = Notice(
        NoticeKind.CASE_UPDATED,
        f"Priority change requested on {case.ref}: {old.label} -> {wanted.label}",
        reason,
        (
            Fact("Account", account.id),
            Fact("Requested by", author),
            Fact("Owner", case.owner or "Unassigned"),
        ),
        case_number=case.number,
        actions=() if case.owner else (CaseAction.TAKE,),
    )
    await alerts.to_queue(
        ctx.uow,
        account,
        case.priority,
        notice,
        change_key("priority", case),
        req.now,
        ctx.time_zone(account),
    )
    return case_reply(req, ctx, case, account, decision.reason)
