"""What `respond`, `request-info` and `propose` share: a public staff reply, the status it moves
the case to, and the private notice to the contact who opened the case (SLA-4, FUP-1, ACC-9).

`set-priority`, `set-status` and `take` use the closed-case refusal and `tell_opener` too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands.context import Context, Refused, check_action, visible_case
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Fact, Notice, NoticeKind, Reply
from bot.model import (
    Account,
    Case,
    CaseEvent,
    EventKind,
    Status,
    SubStatus,
    Visibility,
)

Move = Callable[[Case], tuple[Status, SubStatus] | None]


@dataclass(frozen=True, slots=True)
class StaffReply:
    """One way of answering the customer: its verb, usage, and where it moves the case."""

    verb: Verb[NoOptions]
    moves_to: Move
    status_note: str  # the body of the STATUS_CHANGE event the move records
    done: str  # what the staff member reads on the card


def ensure_open(case: Case, what: str) -> None:
    """Raise `Refused` when the case is closed: closed cases are reopened before being worked."""
    if case.status is Status.CLOSED:
        raise Refused(
            Reply.refused(
                "CASE-6",
                f"Case {case.ref} is closed ({case.sub_status.value}), so you can't {what} it.",
                f"Reopen it first: `set-status {case.number} Open/Investigation <note>`.",
            )
        )


async def tell_opener(
    req: ChatRequest, ctx: Context, case: Case, account: Account, title: str, body: str, cause: str
) -> bool:
    """Queue a private notice to the contact who opened the case (ACC-9: never a channel)."""
    notice = Notice(
        NoticeKind.CASE_UPDATED,
        f"{title} on case {case.ref}: {case.summary}",
        body,
        (
            Fact("Status", f"{case.status.value} / {case.sub_status.value}"),
            Fact(
                "Priority",
                case.priority.label + (" - Production Down" if case.production_down else ""),
            ),
            Fact("By", f"{req.actor.name} (support)"),
        ),
        case_number=case.number,
    )
    key = change_key(cause, case)
    return await alerts.to_person(
        ctx.uow, case.opened_by, notice, key, req.now, ctx.time_zone(account), case.opened_on
    )


async def send(req: ChatRequest, ctx: Context, kind: StaffReply) -> Reply:
    """Record the staff reply (and the status it implies), tell the opener, show the card."""
    case, account = await visible_case(req, ctx, req.command.arg(0), for_change=True)
    await check_action(req, ctx, kind.verb.action, account)
    text = require_text(req.command.text_from(1), "reply", kind.verb.usage, MAX_TEXT_CHARS)
    ensure_open(case, f"`{kind.verb.action.verb}` on")
    author = req.actor.email or req.actor.user_id
    # SLA-4: the first STAFF_RESPONSE after an opening stops the response clock.
    reply = CaseEvent(
        EventKind.STAFF_RESPONSE, req.now, author, req.platform, Visibility.PUBLIC, text
    )
    case = await record(ctx, case, account, reply)
    target = kind.moves_to(case)
    if target is not None:
        status, sub = target
        change = CaseEvent(
            EventKind.STATUS_CHANGE,
            req.now,
            author,
            req.platform,
            Visibility.PUBLIC,
            kind.status_note,
            status=status,
            sub_status=sub,
        )
        # FUP-3: a repeated request records a new change, which restarts the follow-up timer.
        case = await record(ctx, case, account, change, status=status, sub_status=sub)
    await ctx.audit(
        req,
        f"case.{kind.verb.action.value}",
        case.number,
        status=case.status.value,
        sub_status=case.sub_status.value,
    )
    told = await tell_opener(
        req, ctx, case, account, "Support replied", text, kind.verb.action.value
    )
    note = kind.done if told else f"{kind.done} The opener has no chat identity to notify."
    return case_reply(req, ctx, case, account, note)
