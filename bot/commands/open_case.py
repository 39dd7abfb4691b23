"""`open`: the open-case form, or `open PRIORITY SUMMARY [options]` (CASE-2, CASE-4)."""

from __future__ import annotations

from bot.commands import alerts, suggest
from bot.commands.context import (
    Context,
    Refused,
    accounts_today,
    answer,
    check_action,
    choose_account,
    refusal,
)
from bot.commands.forms import is_form, open_form
from bot.commands.tracking import track
from bot.commands.views import case_reply
from bot.messages import CaseAction, ChatRequest, Fact, Notice, NoticeKind, Outcome, Reply
from bot.model import AccessLevel, Account, Case, CaseEvent, EventKind, Stage, Status, SubStatus
from bot.policy import intake, sla
from bot.policy.access import Action
from bot.policy.decision import Decision


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`open PRIORITY SUMMARY [options]`, or just `open` for the form."""
    cmd = req.command
    values: dict[str, str | bool] = dict(cmd.options)
    if not is_form(cmd):
        if not cmd.args:
            return answer(req, ctx, open_form(await _designated_accounts(req, ctx)), None)
        values["priority"] = cmd.args[0]
        values["summary"] = cmd.text_from(1)
    explicit = values.get("account")
    account = await choose_account(
        req, ctx, Action.OPEN, explicit if isinstance(explicit, str) else None
    )
    await check_action(req, ctx, Action.OPEN, account)
    new, errors = intake.validate(values, ctx.config)
    if new is None:
        if is_form(cmd):
            form = open_form(await _designated_accounts(req, ctx), values, errors)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
        stage = _stage_refusal(values)
        if stage is not None and set(errors) == {"priority"}:
            return refusal(stage)  # CASE-3: Critical asked for a UAT system
        problems = " ".join(errors.values())
        typed = values.get("priority")
        if "priority" in errors and isinstance(typed, str):
            problems += suggest.priority_hint(typed, intake.CHAT_PRIORITIES)
        guide = f"\n{intake.priority_guide()}" if "priority" in errors else ""
        return Reply.invalid(
            f"{problems} Usage: `open PRIORITY SUMMARY [--impact TEXT] ...`{guide}"
        )
    return await _open(req, ctx, account, new)


def _stage_refusal(values: dict[str, str | bool]) -> Decision | None:
    """CASE-3 as a refusal, when the typed priority and stage are valid but don't go together."""
    priority, stage = values.get("priority"), values.get("stage", Stage.PRODUCTION.value)
    wanted = intake.parse_priority(priority) if isinstance(priority, str) else None
    at = str(stage).strip().casefold()
    if wanted is None or at not in {s.value for s in Stage}:
        return None
    decision = intake.check_stage(wanted, Stage(at))
    return None if decision.allowed else decision


async def _open(req: ChatRequest, ctx: Context, account: Account, new: intake.NewCase) -> Reply:
    author = req.actor.email or req.actor.user_id
    opened = CaseEvent(
        EventKind.OPENED,
        req.now,
        author,
        req.platform,
        body=new.description,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=new.opened_priority,
    )
    case = Case(
        number=await ctx.uow.cases.next_number(),
        account_id=account.id,
        summary=new.summary,
        description=new.description,
        priority=new.opened_priority,
        case_type=new.case_type,
        case_subtype=new.case_subtype,
        stage=new.stage,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        opened_by=author,
        opened_at=req.now,
        updated_at=req.now,
        impact=new.impact,
        agents=new.agents,
        external_ref=new.external_ref,
        component=new.component,
        security_threat=new.security_threat,
        events=(opened,),
    )
    await ctx.uow.cases.add(case)
    await track(ctx, case, account, req.now)
    await ctx.audit(
        req,
        "case.open",
        case.number,
        priority=case.priority.value,
        requested_priority=new.priority.value,
        account=account.id,
    )
    zone = ctx.time_zone(account)
    facts = (
        Fact("Account", account.id),
        Fact("Region", account.region),
        Fact("Priority", case.priority.label),
        Fact("Opened by", author),
        Fact("Type", f"{case.case_type}/{case.case_subtype}".rstrip("/")),
    )
    response = sla.clocks(case, account, ctx.config, req.now).response
    due = (("Response due", response.due_at),) if response and response.due_at else ()
    await alerts.to_queue(
        ctx.uow,
        account,
        case.priority,
        Notice(
            NoticeKind.NEW_CASE,
            f"New case {case.ref}: {case.summary}",
            new.impact or "",
            facts,
            case_number=case.number,
            # Analysts take a new case from the alert itself (ACC-8: analysts work every case).
            actions=(CaseAction.TAKE,),
            times=due,
        ),
        f"new:{case.number}",
        req.now,
        zone,
    )
    notes = []
    if new.critical_requested:
        # CASE-4: no self-service Critical; the queue expects the phone call now.
        phone = ctx.phone(account)
        notes.append(
            f"Cases can't be opened as Critical from chat, so this one is High. Phone support "
            f"on {phone} now to raise it to Critical (CASE-4); the support team has been alerted."
        )
        await alerts.to_queue(
            ctx.uow,
            account,
            case.priority,
            Notice(
                NoticeKind.CRITICAL_RAISE_EXPECTED,
                f"Critical raise expected on {case.ref}",
                f"{author} asked for Critical from chat and was told to phone {phone}.",
                facts,
                case_number=case.number,
            ),
            f"critical:{case.number}",
            req.now,
            zone,
        )
    nudge = intake.description_nudge(new.description, ctx.config)
    if nudge:
        notes.append(nudge)
    return case_reply(req, ctx, case, account, " ".join(notes) or None)


async def _designated_accounts(req: ChatRequest, ctx: Context) -> list[Account]:
    contact = req.actor.contact
    if contact is None:
        raise Refused(
            Reply.refused(
                "ACC-2",
                "Only designated contacts can open cases.",
                "Ask a designated contact of your company to open it.",
            )
        )
    usable = await accounts_today(req, ctx)
    found = [a.account for a in usable if a.level is AccessLevel.DESIGNATED]
    if not found:
        if len(usable) == 1:
            # Its refusal says why and who can open it instead (ACC-3, ACC-4).
            await check_action(req, ctx, Action.OPEN, usable[0].account)
        await check_action(req, ctx, Action.OPEN, None)
        raise Refused(
            Reply.refused(
                "ACC-2",
                "You are not a designated contact on any account today.",
                "`whoami` shows your accounts and why; ask a designated contact to open the case.",
            )
        )
    return found
