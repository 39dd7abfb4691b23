"""`sla CASE`: the case's response and resolution targets, due times and paused time (SLA-4)."""

from __future__ import annotations

from bot.commands.context import Context, answer, audience_for, check_action, visible_case
from bot.commands.verb import NoOptions, Verb
from bot.messages import CaseView, ChatRequest, Reply
from bot.model import Account, CareLevel, Case, Deployment
from bot.policy import sla
from bot.policy.access import Action
from bot.policy.config import PolicyConfig

_CARE = {
    CareLevel.BUSINESS: "Business Care",
    CareLevel.BUSINESS_PLUS: "Business Care Plus",
    CareLevel.PREMIUM: "Premium Care",
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS = frozenset(range(5))


VERB = Verb(
    "sla",
    Action.SLA,
    "sla CASE",
    "response and resolution targets, due times, paused time",
    NoOptions,
    read_only=True,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`sla CASE`: response and resolution targets, due times, paused time."""
    case, account = await visible_case(req, ctx, req.command.arg(0))
    await check_action(req, ctx, Action.SLA, account)
    clocks = sla.clocks(case, account, ctx.config, req.now)
    # The case card without updates or buttons: its SLA section is the answer (read-only too).
    view = CaseView(
        case=case,
        account=account,
        timers=sla.to_timers(clocks),
        note=explanation(case, account, ctx.config),
    )
    return answer(req, ctx, view, account, audience_for(req, account.id))


def explanation(case: Case, account: Account, config: PolicyConfig) -> str:
    """Which targets apply and how the clocks count, in the account's own terms (SLA-1..SLA-4)."""
    region = config.region(account.region)
    deployment = "cloud" if account.deployment is Deployment.CLOUD else "on-premises"
    priority = case.priority.label + (" - Production Down" if case.production_down else "")
    days = (
        "Monday to Friday"
        if region.workdays == _WEEKDAYS
        else ", ".join(_DAYS[d] for d in sorted(region.workdays))
    )
    return (
        f"Targets for {priority} under {_CARE[account.care_level]}, {deployment} "
        f"(SLA-1..SLA-3). Business hours: {region.opens:%H:%M}-{region.closes:%H:%M} "
        f"{region.time_zone}, {days}, excluding public holidays; Critical targets run "
        "24x7 (CAL-3). The response clock runs from opening (or reopening) to support's first "
        "reply; the resolution clock pauses while support waits for you (SLA-4)."
        + (_RESTORATION if _has_restoration(case, account, config) else "")
    )


_RESTORATION = (
    " The restoration target is met when service is restored (the linked incident restored, "
    "or support records it on the case), not when the case closes (SLA-4)."
)


def _has_restoration(case: Case, account: Account, config: PolicyConfig) -> bool:
    try:
        return sla.target_for(
            config, account, case.priority, case.production_down
        ).resolution_is_restoration
    except ValueError:
        return False
