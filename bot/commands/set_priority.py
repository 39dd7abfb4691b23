"""`set-priority CASE PRIORITY REASON [--production-down]`: staff change a case's priority.

SLA-4: the due times are recomputed from the case's history under the new priority, which
`tracking.record` does when it moves the case's timers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.casework.tracking import record
from bot.commands import suggest
from bot.commands.context import Context, check_action, ensure, visible_case
from bot.commands.limits import MAX_REASON_CHARS, require_text
from bot.commands.staff_reply import ensure_open, tell_opener
from bot.commands.verb import Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Reply
from bot.model import CaseEvent, EventKind, Priority, Visibility
from bot.policy import priority_change
from bot.policy.access import Action
from bot.policy.intake import priority_guide

_CHOICES = ", ".join(p.value for p in Priority)


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `set-priority`."""

    production_down: bool = False


VERB = Verb(
    "set-priority",
    Action.SET_PRIORITY,
    "set-priority CASE PRIORITY REASON [--production-down]",
    "change a case's priority",
    Options,
)


def _priority(text: str | None) -> Priority | None:
    wanted = (text or "").strip().casefold()
    return next((p for p in Priority if p.value == wanted), None)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`set-priority CASE PRIORITY REASON [--production-down]`: change a case's priority."""
    case, account = await visible_case(req, ctx, req.command.arg(0), for_change=True)
    await check_action(req, ctx, Action.SET_PRIORITY, account)
    new = _priority(req.command.arg(1))
    if new is None:
        shown = (req.command.arg(1) or "")[:30]
        return Reply.invalid(
            f"`{shown}` is not a priority.{suggest.priority_hint(shown, tuple(Priority))} "
            f"Choose one of: {_CHOICES}. Usage: `{VERB.usage}`\n" + priority_guide(tuple(Priority))
        )
    reason = require_text(req.command.text_from(2), "reason", VERB.usage, MAX_REASON_CHARS)
    ensure_open(case, "change the priority of")
    production_down = VERB.read(req.command).production_down
    ensure(priority_change.check_set_priority(case, account, new, production_down))
    before = case.priority.label + (" - Production Down" if case.production_down else "")
    author = req.actor.email or req.actor.user_id
    event = CaseEvent(
        EventKind.PRIORITY_CHANGE,
        req.now,
        author,
        req.platform,
        Visibility.PUBLIC,
        reason,
        priority=new,
        production_down=production_down,
    )
    case = await record(ctx, case, account, event, priority=new, production_down=production_down)
    after = case.priority.label + (" - Production Down" if case.production_down else "")
    await ctx.audit(
        req,
        "case.set_priority",
        case.number,
        before=before,
        after=after,
        production_down=production_down,
    )
    await tell_opener(
        req, ctx, case, account, f"Priority changed to {after}", reason, "set_priority"
    )
    return case_reply(
        req, ctx, case, account, f"Priority {before} -> {after}; SLA due times recomputed (SLA-4)."
    )
