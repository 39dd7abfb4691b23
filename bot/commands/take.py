"""`take CASE`: make yourself the case owner (ACC-8: analysts work every case)."""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands.context import Context, check_action, visible_case
from bot.commands.staff_reply import ensure_open
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Fact, Notice, NoticeKind, Reply
from bot.model import CaseEvent, EventKind, Visibility
from bot.policy.access import Action

VERB = Verb(
    "take",
    Action.TAKE,
    "take CASE",
    "make yourself the case owner",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`take CASE`: make yourself the case owner."""
    case, account = await visible_case(req, ctx, req.command.arg(0), for_change=True)
    await check_action(req, ctx, Action.TAKE, account)
    ensure_open(case, "take")
    me = req.actor.email or req.actor.user_id
    if case.owner == me:
        return case_reply(req, ctx, case, account, f"Case {case.ref} is already yours.")
    previous = case.owner
    event = CaseEvent(
        EventKind.OWNER_CHANGE,
        req.now,
        me,
        req.platform,
        Visibility.INTERNAL,  # who works a case is support's business, not the customer's
        f"Owner: {previous or 'nobody'} -> {me}",
    )
    case = await record(ctx, case, account, event, owner=me)
    await ctx.audit(req, "case.take", case.number, previous_owner=previous)
    if previous is not None:
        notice = Notice(
            NoticeKind.CASE_UPDATED,
            f"{req.actor.name} took case {case.ref}: {case.summary}",
            f"You are no longer the owner of case {case.ref}.",
            (Fact("Account", account.id), Fact("New owner", me)),
            case_number=case.number,
        )
        key = change_key("take", case)
        await alerts.to_person(ctx.uow, previous, notice, key, req.now, "UTC")
    return case_reply(req, ctx, case, account, f"You now own case {case.ref}.")
