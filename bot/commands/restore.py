"""`restore CASE TEXT`: staff record that service is restored on a case (SLA-4).

A restoration target (Critical - Production Down, cloud Incident) is met when an action is
provided that generally restores the system to operation (003 "Restoration Target"), not when
the case closes. `incident restore` records the same on the incident's linked case.
"""

from __future__ import annotations

from datetime import datetime

from bot.casework.tracking import record
from bot.commands.context import Context, check_action, visible_case
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.staff_reply import ensure_open, tell_opener
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Reply
from bot.model import Account, Case, CaseEvent, EventKind, Platform, Visibility
from bot.policy import sla
from bot.policy.access import Action

VERB = Verb(
    "restore",
    Action.RESTORE,
    "restore CASE TEXT",
    "record that service is restored (stops a restoration target)",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`restore CASE TEXT`: record that service is restored (stops the restoration clock)."""
    case, account = await visible_case(req, ctx, req.command.arg(0), for_change=True)
    await check_action(req, ctx, Action.RESTORE, account)
    text = require_text(req.command.text_from(1), "restoration note", VERB.usage, MAX_TEXT_CHARS)
    ensure_open(case, "record a restoration on")
    clocks = sla.clocks(case, account, ctx.config, req.now)
    restoration = clocks.resolution
    if restoration is None or restoration.label != sla.RESTORATION:
        return Reply.refused(
            "SLA-4",
            f"Case {case.ref} has no restoration target; only Critical - Production Down and "
            "cloud Incident cases have one.",
            f"Reply with `respond {case.number} TEXT`, or close it with "
            f"`set-status {case.number} Closed/Resolved NOTE` when it is resolved.",
        )
    if restoration.met_at is not None:
        return Reply.refused(
            "SLA-4",
            f"Service on case {case.ref} was already recorded as restored.",
            f"Add to it with `respond {case.number} TEXT`.",
        )
    author = req.actor.email or req.actor.user_id
    case = await record_restoration(ctx, case, account, author, req.platform, text, req.now)
    await ctx.audit(req, "case.restore", case.number)
    await tell_opener(req, ctx, case, account, "Service restored", text, "restore")
    met = sla.clocks(case, account, ctx.config, req.now).resolution
    late = met is not None and met.late
    outcome = "after the target had passed" if late else "within the target"
    return case_reply(
        req, ctx, case, account, f"Restoration recorded {outcome}; the restoration clock stopped."
    )


async def record_restoration(
    ctx: Context,
    case: Case,
    account: Account,
    author: str,
    platform: Platform | None,
    text: str,
    now: datetime,
) -> Case:
    """Write the RESTORED event (the customer sees it) and move the case's timers (SLA-4)."""
    event = CaseEvent(
        EventKind.RESTORED, now, author, platform, Visibility.PUBLIC, f"Service restored: {text}"
    )
    return await record(ctx, case, account, event)
