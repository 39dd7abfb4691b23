"""`escalate CASE REASON [--impact TEXT] [--rca]`: ask for management attention (ESC-1..10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.casework import alerts
from bot.casework.tracking import record
from bot.commands.context import Context, answer, check_action, refusal, visible_case
from bot.commands.forms import escalate_form, form_case_ref, form_text, is_form
from bot.commands.limits import MAX_REASON_CHARS
from bot.commands.verb import Verb
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Fact, Notice, NoticeKind, Outcome, Reply
from bot.model import Account, Case, CaseEvent, EventKind, Status, format_case_number
from bot.policy import escalation
from bot.policy.access import Action
from bot.policy.decision import Decision
from bot.policy.rules import RuleId
from bot.store.interface.cases import Escalation, EscalationState
from bot.store.interface.errors import EscalationWaiting
from bot.store.interface.incidents import Incident

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `escalate`."""

    impact: str | None = None
    rca: bool = False


VERB = Verb(
    "escalate",
    Action.ESCALATE,
    "escalate CASE REASON [--impact TEXT] [--rca]",
    "ask for management attention on a case",
    Options,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`escalate CASE REASON [--impact TEXT] [--rca]`: ask for management attention on a case."""
    cmd = req.command
    case, account = await visible_case(req, ctx, form_case_ref(cmd), for_change=True)
    await check_action(req, ctx, Action.ESCALATE, account)
    opts = VERB.read(cmd)
    impact = (opts.impact or "").strip()
    rca = opts.rca
    if is_form(cmd):
        reason = form_text(cmd, "reason")
    else:
        reason = cmd.text_from(1).strip()
        if not reason and case.status is not Status.CLOSED:
            return answer(req, ctx, escalate_form(case.number), account)
    errors = _text_errors(reason, impact)
    # ESC-2: a closed case is refused below whatever was typed, pointing at `reopen`.
    if errors and case.status is not Status.CLOSED:
        if is_form(cmd):
            form = escalate_form(case.number, errors, cmd.options)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
        return Reply.invalid(" ".join(errors.values()) + f" Usage: `{VERB.usage}`")
    waiting = await _open_escalation(ctx, case)
    incident = await _linked_incident(ctx, case, account, req.now) if rca else None
    restored_at = incident.restored_at if incident is not None else None

    def judge(stated_impact: str | None) -> Decision:
        return escalation.check_escalation(
            case, account, waiting is not None, rca, restored_at, stated_impact, ctx.config, req.now
        )

    decision = judge(impact or None)
    if escalation.alerts_staff(decision):
        await _alert_phone_escalation(req, ctx, case, account, reason)
        # ESC-7: the refusal is answered, but the alerts it wrote must reach the queue now.
        ctx.keep_writes = True
        return refusal(decision)
    if not decision.allowed:
        if decision.rule == RuleId.ESC_9 and waiting is not None:
            decision = _pointing_at(decision, waiting, account, ctx)
        elif decision.rule == RuleId.ESC_8 and incident is None:
            decision = _no_incident(case)
        elif is_form(cmd) and not impact and judge("stated").allowed:
            # ESC-6: the impact is all that is missing, so the form marks that field.
            form = escalate_form(case.number, {"impact": decision.reason}, cmd.options)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
        return refusal(decision)
    return await _escalate(req, ctx, case, account, reason, impact or None, rca)


async def _open_escalation(ctx: Context, case: Case) -> Escalation | None:
    """ESC-9: the case's open escalation (waiting, or accepted), if any."""
    requests = await ctx.uow.escalations.for_case(case.number)
    live = [
        r
        for r in requests
        if r.state in (EscalationState.WAITING, EscalationState.ACCEPTED)
        and escalation.escalation_is_open(case, r.requested_at, rejected=False)
    ]
    return live[-1] if live else None


def _text_errors(reason: str, impact: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why the case needs management attention (ESC-1)."
    elif len(reason) > MAX_REASON_CHARS:
        errors["reason"] = (
            f"The reason is {len(reason):,} characters; the limit is {MAX_REASON_CHARS:,}."
        )
    if len(impact) > MAX_REASON_CHARS:
        errors["impact"] = (
            f"The impact is {len(impact):,} characters; the limit is {MAX_REASON_CHARS:,}."
        )
    return errors


async def _linked_incident(
    ctx: Context, case: Case, account: Account, now: datetime
) -> Incident | None:
    """ESC-8: the latest incident declared for this case, which says when service came back."""
    found = {i.id: i for i in await ctx.uow.incidents.for_account(account.id, _EPOCH, now)}
    # An incident need not list the case's account; open ones are few, so look at them too.
    found.update({i.id: i for i in await ctx.uow.incidents.open_incidents()})
    linked = [i for i in found.values() if i.case_number == case.number]
    return max(linked, key=lambda i: (i.declared_at, i.id), default=None)


def _pointing_at(
    decision: Decision, waiting: Escalation, account: Account, ctx: Context
) -> Decision:
    """ESC-9: name the open request, so the asker can tell it apart from a lost one."""
    zone = ctx.time_zone(account)
    when = waiting.requested_at.astimezone(ZoneInfo(zone))
    asked = f"requested by {waiting.requested_by} on {when:%Y-%m-%d %H:%M} ({zone})"
    if waiting.state is EscalationState.ACCEPTED and waiting.decided_at is not None:
        decided = waiting.decided_at.astimezone(ZoneInfo(zone))
        return Decision.refuse(
            decision.rule,
            f"This case has been escalated: the request {asked} was accepted on "
            f"{decided:%Y-%m-%d %H:%M} ({zone}), and it stays open until the case closes.",
            f"Add details with `update {format_case_number(waiting.case_number)} <text>`; "
            "support management is already involved.",
        )
    return Decision.refuse(
        decision.rule,
        f"{decision.reason} It was {asked}.",
        decision.instead,
    )


def _no_incident(case: Case) -> Decision:
    return Decision.refuse(
        "ESC-8",
        f"No incident is linked to case {case.ref}, so there is no restoration whose "
        "root-cause analysis could be escalated.",
        f"Escalate without --rca: `escalate {case.ref} <reason>`.",
    )


async def _alert_phone_escalation(
    req: ChatRequest, ctx: Context, case: Case, account: Account, reason: str
) -> None:
    """ESC-7: tell the analyst queue and the case owner now that a phone call is coming."""
    author = req.actor.email or req.actor.user_id
    phone = ctx.phone(account)
    notice = Notice(
        NoticeKind.CRITICAL_RAISE_EXPECTED,
        f"Escalation call expected on {case.ref}: {case.summary}",
        f"{author} asked to escalate this {case.priority.label} case from chat and was told "
        f"to phone {phone} (ESC-7).\nReason: {reason}",
        (
            Fact("Account", account.id),
            Fact("Priority", case.priority.label),
            Fact("Owner", case.owner or "Unassigned"),
        ),
        case_number=case.number,
        actions=() if case.owner else (CaseAction.TAKE,),
    )
    # One alert per case and minute: a user repeating the command does not page twice.
    key = f"esc7:{case.number}:{req.now.astimezone(UTC):%Y%m%d%H%M}"
    zone = ctx.time_zone(account)
    queued = await alerts.to_queue(ctx.uow, account, case.priority, notice, key, req.now, zone)
    if case.owner:
        queued += await alerts.to_person(ctx.uow, case.owner, notice, key, req.now, zone)
    if queued:
        await ctx.audit(req, "case.escalation_by_phone", case.number, phone=phone)


async def _escalate(
    req: ChatRequest,
    ctx: Context,
    case: Case,
    account: Account,
    reason: str,
    impact: str | None,
    rca: bool,
) -> Reply:
    author = req.actor.email or req.actor.user_id
    stale = await ctx.uow.escalations.open_for(case.number)
    if stale is not None and not escalation.escalation_is_open(case, stale.requested_at, False):
        # ESC-9: waiting from before the case last closed (written before closing settled it);
        # a request that is still open makes the insert below lose, as it should.
        await ctx.uow.escalations.decide(
            stale.id, EscalationState.CLOSED, "system", "The case was closed.", req.now
        )
    try:
        request = await ctx.uow.escalations.add(case.number, author, reason, impact, rca, req.now)
    except EscalationWaiting:
        # ESC-9, decided by the database: another request got in at the same moment.
        waiting = await ctx.uow.escalations.open_for(case.number)
        decision = escalation.check_escalation(
            case, account, True, rca, None, impact, ctx.config, req.now
        )
        return refusal(_pointing_at(decision, waiting, account, ctx) if waiting else decision)
    body = escalation.escalation_update_text(reason, impact)
    event = CaseEvent(EventKind.ESCALATION_REQUEST, req.now, author, req.platform, body=body)
    case = await record(ctx, case, account, event)
    await ctx.audit(req, "case.escalate", case.number, escalation=request.id, rca=rca)
    facts = [
        Fact("Account", account.id),
        Fact("Priority", case.priority.label),
        Fact("Requested by", author),
        Fact("Owner", case.owner or "Unassigned"),
    ]
    if rca:
        facts.append(Fact("Request", "Root-cause analysis (ESC-8)"))
    notice = Notice(
        NoticeKind.ESCALATION_REQUESTED,
        f"Escalation request on {case.ref}: {case.summary}",
        body,
        tuple(facts),
        case_number=case.number,
    )
    await alerts.to_queue(
        ctx.uow,
        account,
        case.priority,
        notice,
        f"escalation:{request.id}",
        req.now,
        ctx.time_zone(account),
    )
    note = (
        "Escalation requested (ESC-10). Support management will review it and you will be "
        "told whether it is accepted, with next steps."
    )
    return case_reply(req, ctx, case, account, note)
