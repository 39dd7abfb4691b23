"""`close CASE resolved|cancelled COMMENT`: a designated contact closes a case (CASE-8)."""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands.context import Context, answer, check_action, ensure, visible_case
from bot.commands.forms import close_form, form_case_ref, form_text, is_form
from bot.commands.limits import MAX_REASON_CHARS, require_text
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Notice, NoticeKind, Outcome, Reply
from bot.model import Account, Case, CaseEvent, EventKind, Status
from bot.policy import lifecycle
from bot.policy.access import Action

VERB = Verb(
    "close",
    Action.CLOSE,
    "close CASE resolved|cancelled COMMENT",
    "close a case (a short survey follows)",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`close CASE resolved|cancelled COMMENT`: close a case (a short survey follows)."""
    cmd = req.command
    case, account = await visible_case(req, ctx, form_case_ref(cmd), for_change=True)
    await check_action(req, ctx, Action.CLOSE, account)
    if case.status is Status.CLOSED:
        # CASE-8: "already closed" is refused before the form or the choice is looked at.
        ensure(lifecycle.check_customer_close(case, ""))
    if is_form(cmd):
        choice, comment = form_text(cmd, "resolution"), form_text(cmd, "comment")
        errors = _form_errors(case, choice, comment)
        if errors:
            form = close_form(case.number, errors, cmd.options)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
    else:
        if len(cmd.args) < 2:
            return answer(req, ctx, close_form(case.number), account)
        choice = cmd.args[1]
        ensure(lifecycle.check_customer_close(case, choice))
        comment = require_text(cmd.text_from(2), "closure comment", VERB.usage, MAX_REASON_CHARS)
    return await _close(req, ctx, case, account, choice, comment)


def _form_errors(case: Case, choice: str, comment: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    decision = lifecycle.check_customer_close(case, choice)
    if not decision.allowed:
        errors["resolution"] = "Choose Resolved or Cancelled (CASE-8)."
    if not comment:
        errors["comment"] = "Write a short closure comment (CASE-8)."
    elif len(comment) > MAX_REASON_CHARS:
        errors["comment"] = (
            f"The comment is {len(comment):,} characters; the limit is {MAX_REASON_CHARS:,}."
        )
    return errors


async def _close(
    req: ChatRequest, ctx: Context, case: Case, account: Account, choice: str, comment: str
) -> Reply:
    author = req.actor.email or req.actor.user_id
    sub = lifecycle.close_sub_status(choice)
    event = CaseEvent(
        EventKind.CLOSED,
        req.now,
        author,
        req.platform,
        body=comment,
        status=Status.CLOSED,
        sub_status=sub,
    )
    case = await record(
        ctx, case, account, event, status=Status.CLOSED, sub_status=sub, closed_at=req.now
    )
    await ctx.audit(req, "case.close", case.number, sub_status=sub.value)
    zone = ctx.time_zone(account)
    days = ctx.config.survey_window_days
    survey = Notice(
        NoticeKind.SURVEY,
        f"How did we do on case {case.ref}?",
        f"Case {case.ref} ({case.summary}) was closed as {sub.value}. Rate our support from "
        f"1 (poor) to 5 (excellent) with Rate, or type `survey {case.number} <1-5> [comment]`. "
        f"The survey stays open for {days} days.",
        case_number=case.number,
        actions=(CaseAction.SURVEY,),  # opens the rating form (forms.survey_form)
    )
    # CASE-8: the survey goes to whoever opened the case, privately, once per case.
    surveyed = await alerts.to_person(
        ctx.uow,
        case.opened_by,
        survey,
        f"survey:{case.number}",
        req.now,
        zone,
        prefer=case.opened_on,
    )
    await alerts.customer_changed(
        ctx.uow,
        case,
        account,
        f"Case {case.ref} closed as {sub.value}",
        comment,
        author,
        change_key("closed", case),
        req.now,
        zone,
    )
    note = f"Case closed as {sub.value}."
    if surveyed:
        note += f" {case.opened_by} gets a short satisfaction survey (CASE-8)."
    return case_reply(req, ctx, case, account, note)
