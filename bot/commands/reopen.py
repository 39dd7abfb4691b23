"""`reopen CASE REASON`: reopen a case closed in the last 30 days (REO-1..REO-3)."""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import change_key, record
from bot.commands.context import Context, answer, check_action, refusal, visible_case
from bot.commands.conversation_files import PURGED, attachments_purged
from bot.commands.forms import form_case_ref, form_text, is_form, reopen_form
from bot.commands.limits import MAX_REASON_CHARS
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Fact, Notice, NoticeKind, Outcome, Reply
from bot.model import Account, Case, CaseEvent, EventKind, Priority, Stage, Status, SubStatus
from bot.policy.access import Action
from bot.policy.decision import Decision
from bot.policy.intake import DEFAULT_TYPE
from bot.policy.reopen import check_reopen
from bot.policy.rules import RuleId

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


VERB = Verb(
    "reopen",
    Action.REOPEN,
    "reopen CASE REASON",
    "reopen a case closed in the last 30 days",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`reopen CASE REASON`: reopen a case closed in the last 30 days."""
    cmd = req.command
    case, account = await visible_case(req, ctx, form_case_ref(cmd), for_change=True)
    await check_action(req, ctx, Action.REOPEN, account)
    reason = form_text(cmd, "reason") if is_form(cmd) else cmd.text_from(1).strip()
    if len(reason) > MAX_REASON_CHARS:
        text = f"The reason is {len(reason):,} characters; the limit is {MAX_REASON_CHARS:,}."
        if is_form(cmd):
            form = reopen_form(case.number, {"reason": text}, cmd.options)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
        return Reply.invalid(text)
    decision = check_reopen(case, account, reason, ctx.config, req.now)
    if not decision.allowed:
        if decision.rule == RuleId.REO_2:
            return refusal(_with_open_command(decision, case, account))
        # Only the word count is REO-1 on a closed case: answer it in the form.
        if decision.rule == RuleId.REO_1 and case.status is Status.CLOSED:
            if is_form(cmd):
                form = reopen_form(case.number, {"reason": decision.reason}, cmd.options)
                return answer(req, ctx, form, account, outcome=Outcome.INVALID)
            if not reason:
                return answer(req, ctx, reopen_form(case.number), account)
        return refusal(decision)
    return await _reopen(req, ctx, case, account, reason)


async def _reopen(
    req: ChatRequest, ctx: Context, case: Case, account: Account, reason: str
) -> Reply:
    author = req.actor.email or req.actor.user_id
    event = CaseEvent(
        EventKind.REOPENED,
        req.now,
        author,
        req.platform,
        body=reason,
        status=Status.OPEN,
        sub_status=SubStatus.REOPEN_REQUESTED,
    )
    # REO-1: a REOPENED event starts a new response clock (SLA-4) through `record`.
    case = await record(
        ctx,
        case,
        account,
        event,
        status=Status.OPEN,
        sub_status=SubStatus.REOPEN_REQUESTED,
        closed_at=None,
    )
    await ctx.audit(req, "case.reopen", case.number)
    notice = Notice(
        NoticeKind.CASE_UPDATED,
        f"Case {case.ref} reopened: {case.summary}",
        reason,
        (
            Fact("Account", account.id),
            Fact("By", author),
            Fact("Priority", case.priority.label),
            Fact("Status", f"{case.status} / {case.sub_status}"),
        ),
        case_number=case.number,
        actions=(CaseAction.TAKE,),
    )
    await alerts.to_queue(
        ctx.uow,
        account,
        case.priority,
        notice,
        change_key("reopen", case),
        req.now,
        ctx.time_zone(account),
    )
    note = "Case reopened (REO-1): support has been told and will respond to your reason."
    if await attachments_purged(ctx, case.number):
        note += f" {PURGED}"
    return case_reply(req, ctx, case, account, note)


def _with_open_command(decision: Decision, case: Case, account: Account) -> Decision:
    """REO-2: offer the exact `open` command for a new case pre-filled from and linked to `case`."""
    return Decision.refuse(
        decision.rule,
        decision.reason,
        f"Open a new case linked to {case.ref}, pre-filled from it: `{open_command(case, account)}`",
    )


def open_command(case: Case, account: Account) -> str:
    """The `open` command for a new case with the old one's fields and `--ref` to it (REO-2)."""
    # Chat can't open Incident severity; Critical opens as High with a phone call (CASE-4).
    priority = Priority.CRITICAL if case.priority is Priority.INCIDENT else case.priority
    parts = [
        "open",
        priority.value,
        _quoted(case.summary),
        f"--ref {case.ref}",
        f"--account {account.id}",
    ]
    if (case.case_type, case.case_subtype) != DEFAULT_TYPE:
        kind = f"{case.case_type}/{case.case_subtype}" if case.case_subtype else case.case_type
        parts.append(f"--type {_quoted(kind)}")
    if case.stage is not Stage.PRODUCTION:
        parts.append(f"--stage {case.stage.value}")
    if case.impact and priority in (Priority.CRITICAL, Priority.HIGH):
        parts.append(f"--impact {_quoted(case.impact)}")
    if case.component:
        parts.append(f"--component {_quoted(case.component)}")
    return " ".join(parts)


def _quoted(text: str) -> str:
    """`text` on one line, quoted so the chat parser reads it back as one value."""
    flat = " ".join(text.translate(_QUOTES).split())
    if '"' not in flat:
        return f'"{flat}"'
    if "'" not in flat:
        return f"'{flat}'"
    # The parser has no escapes: a value holding both quote kinds keeps only single ones.
    return '"' + flat.replace('"', "'") + '"'
