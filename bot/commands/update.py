"""`update CASE TEXT`: add an update; a customer's answer resumes a waiting case (CASE-7)."""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands.context import Context, answer, check_action, visible_case
from bot.commands.forms import UPDATE_TEXT, form_case_ref, form_text, is_form, update_form
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Outcome, Reply
from bot.model import CaseEvent, EventKind, Status, Visibility
from bot.policy import lifecycle
from bot.policy.access import Action

VERB = Verb(
    "update",
    Action.UPDATE,
    "update CASE TEXT",
    "add an update to a case",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`update CASE TEXT`: add an update to a case."""
    cmd = req.command
    case, account = await visible_case(req, ctx, form_case_ref(cmd), for_change=True)
    await check_action(req, ctx, Action.UPDATE, account)
    if case.status is Status.CLOSED:
        return Reply.refused(
            "REO-1",
            f"Case {case.ref} is closed, so it can't take updates.",
            f"Reopen it with `reopen {case.number} <why it is not resolved>`, or open a new case.",
        )
    if is_form(cmd):
        text = form_text(cmd, UPDATE_TEXT)
        error = _text_error(text)
        if error:
            # The form comes back with what was typed, so nothing has to be typed again.
            form = update_form(case.number, cmd.options, {UPDATE_TEXT: error})
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
    elif len(cmd.args) < 2:
        # A card's Update button (and a bare `update CASE`): the form, after the checks above.
        return answer(req, ctx, update_form(case.number), account)
    else:
        text = require_text(cmd.text_from(1), "update", "update CASE TEXT", MAX_TEXT_CHARS)
    author = req.actor.email or req.actor.user_id
    if req.actor.is_staff:
        # Staff answer customers with `respond`; their `update` is an internal work note.
        event = CaseEvent(
            EventKind.WORK_NOTE, req.now, author, req.platform, Visibility.INTERNAL, text
        )
        case = await record(ctx, case, account, event)
        await ctx.audit(req, "case.work_note", case.number)
        return case_reply(req, ctx, case, account, "Work note added (internal).")
    case = await record(
        ctx,
        case,
        account,
        CaseEvent(EventKind.CUSTOMER_UPDATE, req.now, author, req.platform, body=text),
    )
    resumed = lifecycle.after_customer_update(case)
    if resumed is not None:
        status, sub = resumed
        case = await record(
            ctx,
            case,
            account,
            CaseEvent(
                EventKind.STATUS_CHANGE,
                req.now,
                "system",
                req.platform,
                body="Customer responded (CASE-7)",
                status=status,
                sub_status=sub,
            ),
            status=status,
            sub_status=sub,
        )
    await ctx.audit(req, "case.update", case.number, resumed=resumed is not None)
    await alerts.customer_changed(
        ctx.uow,
        case,
        account,
        f"Customer update on {case.ref}",
        text,
        author,
        change_key("update", case),
        req.now,
        ctx.time_zone(account),
    )
    note = "Update added." + (" The case is back with support (CASE-7)." if resumed else "")
    return case_reply(req, ctx, case, account, note)


def _text_error(text: str) -> str | None:
    if not text:
        return "Write the update: new details, answers to our questions, what changed."
    if len(text) > MAX_TEXT_CHARS:
        return f"The update is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}."
    return None
