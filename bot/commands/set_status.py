"""`set-status CASE STATUS[/SUBSTATUS] NOTE`: staff move a case to any CASE-6 pair.

Closing sets `closed_at` and sends the opener the satisfaction survey (CASE-8). Moving a closed
case back out of Closed is a reopening: it is recorded as a REOPENED event, so the case gets a
new response target as SLA-4 and REO-1 say (REO-3: how a No Response case comes back after the
customer phones).
"""

from __future__ import annotations

from bot.casework import alerts
from bot.casework.tracking import record
from bot.commands.context import Context, Refused, check_action, ensure, visible_case
from bot.commands.conversation_files import PURGED, attachments_purged
from bot.commands.limits import MAX_REASON_CHARS, require_text
from bot.commands.staff_reply import tell_opener
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Command, Notice, NoticeKind, Reply
from bot.model import Account, Case, CaseEvent, EventKind, Status, SubStatus, Visibility
from bot.policy import lifecycle
from bot.policy.access import Action
from bot.policy.config import PolicyConfig

VERB = Verb(
    "set-status",
    Action.SET_STATUS,
    "set-status CASE STATUS[/SUBSTATUS] NOTE",
    "change a case's status",
    NoOptions,
)


def split_status(cmd: Command) -> tuple[Status, SubStatus | None, str]:
    """The status words after the case and the note after them; raises `Refused`.

    Sub-statuses have spaces ("Open/Customer Responded"), so the longest leading run of words
    that names a status wins; at least one word is left for the note.
    """
    words = cmd.args[1:]
    if not words:
        raise Refused(Reply.invalid(f"Which status? Usage: `{VERB.usage}`"))
    for count in range(len(words) - 1, 0, -1):
        try:
            status, sub = lifecycle.parse_status(" ".join(words[:count]))
        except lifecycle.StatusError:
            continue
        return status, sub, cmd.text_from(1 + count)
    try:
        lifecycle.parse_status(" ".join(words))
    except lifecycle.StatusError as err:
        raise Refused(Reply.invalid(f"{_capital(str(err))}. Usage: `{VERB.usage}`")) from None
    raise Refused(Reply.invalid(f"The note text is missing. Usage: `{VERB.usage}`"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def survey_notice(case: Case, config: PolicyConfig) -> Notice:
    """CASE-8: the short satisfaction survey sent to the opener (worded like `close`'s)."""
    return Notice(
        NoticeKind.SURVEY,
        f"How did we do on case {case.ref}?",
        f"Case {case.ref} ({case.summary}) was closed as {case.sub_status.value}. Rate our "
        f"support from 1 (poor) to 5 (excellent) with Rate, or type "
        f"`survey {case.number} <1-5> [comment]`. "
        f"The survey stays open for {config.survey_window_days} days.",
        case_number=case.number,
        actions=(CaseAction.SURVEY,),  # opens the rating form (forms.survey_form)
    )


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`set-status CASE STATUS[/SUBSTATUS] NOTE`: change a case's status."""
    case, account = await visible_case(req, ctx, req.command.arg(0), for_change=True)
    await check_action(req, ctx, Action.SET_STATUS, account)
    status, sub, note = split_status(req.command)
    note = require_text(note, "note", VERB.usage, MAX_REASON_CHARS)
    ensure(lifecycle.check_set_status(case, status, sub))
    sub = sub or lifecycle.default_sub_status(status)
    if sub is None:  # check_set_status refuses a missing sub-status; this keeps mypy honest
        raise Refused(Reply.invalid(f"Which sub-status? Usage: `{VERB.usage}`"))
    before = f"{case.status.value} / {case.sub_status.value}"
    reopening = case.status is Status.CLOSED and status is not Status.CLOSED
    case = await _change(req, ctx, case, account, status, sub, note)
    after = f"{case.status.value} / {case.sub_status.value}"
    await ctx.audit(req, "case.set_status", case.number, before=before, after=after)
    purged = reopening and await attachments_purged(ctx, case.number)
    told = f"{note}\n{PURGED}" if purged else note  # CONV-5: the files must come again
    await tell_opener(req, ctx, case, account, f"Status changed to {after}", told, "set_status")
    extra = f" {PURGED}" if purged else ""
    if status is Status.CLOSED:
        zone = ctx.time_zone(account)
        sent = await alerts.to_person(
            ctx.uow,
            case.opened_by,
            survey_notice(case, ctx.config),
            f"survey:{case.number}",
            req.now,
            zone,
            case.opened_on,
        )
        extra += " The satisfaction survey was sent to the opener (CASE-8)." if sent else ""
    return case_reply(req, ctx, case, account, f"Status {before} -> {after}.{extra}")


async def _change(
    req: ChatRequest,
    ctx: Context,
    case: Case,
    account: Account,
    status: Status,
    sub: SubStatus,
    note: str,
) -> Case:
    reopening = case.status is Status.CLOSED and status is not Status.CLOSED
    kind = EventKind.REOPENED if reopening else EventKind.STATUS_CHANGE
    author = req.actor.email or req.actor.user_id
    event = CaseEvent(
        kind, req.now, author, req.platform, Visibility.PUBLIC, note, status=status, sub_status=sub
    )
    if status is Status.CLOSED:
        closed_at = case.closed_at if case.status is Status.CLOSED else req.now
    else:
        closed_at = None
    return await record(
        ctx, case, account, event, status=status, sub_status=sub, closed_at=closed_at
    )
