"""Escalation requests (ESC-1..ESC-10): who may ask for management attention, and when.

The criteria are checked in a fixed order so the refusal names the first thing to fix:
ESC-2 closed, ESC-9 one open escalation, ESC-3 awaiting information, then the priority rules
(ESC-7 critical, ESC-4 low, ESC-5 medium, ESC-6 high). A request for a root-cause analysis is
about a restored service, not live urgency, so after ESC-2/9/3 only ESC-8 decides it.
Incident-severity cases follow ESC-7: incidents are run by phone and on the bridge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.model import Account, Case, CaseEvent, EventKind, Priority, Status, Visibility
from bot.policy.calendar import add_duration, calendar_for
from bot.policy.config import Duration, PolicyConfig, TimeUnit
from bot.policy.decision import Decision
from bot.policy.incident import rca_escalation_opens
from bot.policy.rules import RuleId

ESCALATION_HEADER = "Escalation Request"  # ESC-10: the first line of the recorded update
ALERT_RULE = RuleId.ESC_7  # the refusal after which the caller alerts the queue and the case owner
# ESC-5/ESC-6: "an update" is something support did that the customer can see; the customer's
# own updates do not restart the wait (000 "Contacting Technical Support Management"). The
# opening and each reopening start it.
_WAIT_STARTS = frozenset({EventKind.OPENED, EventKind.REOPENED})
SUPPORT_UPDATE_KINDS = frozenset(
    {
        EventKind.STAFF_RESPONSE,
        EventKind.STATUS_CHANGE,
        EventKind.PRIORITY_CHANGE,
        EventKind.ESCALATION_ACCEPTED,
        EventKind.ESCALATION_REJECTED,
        EventKind.RESTORED,
    }
)
# The bot's own status changes follow the customer's update (CASE-7) or the follow-up timer:
# they are not support's doing.
_BOT = "system"


def _support_update(event: CaseEvent) -> bool:
    if event.kind in _WAIT_STARTS:
        return True
    return (
        event.kind in SUPPORT_UPDATE_KINDS
        and event.visibility is Visibility.PUBLIC
        and event.author != _BOT
    )


def alerts_staff(decision: Decision) -> bool:
    """ESC-7: must the caller alert the analyst queue and the case owner now?"""
    return not decision.allowed and decision.rule == ALERT_RULE


def last_update_at(case: Case) -> datetime:
    """ESC-5/ESC-6: support's last update the customer could see (else the latest opening).

    The case card's "Last support update" is this same instant, so the card and an escalation
    refusal never disagree.
    """
    times = [e.at for e in case.events if _support_update(e)]
    return max(times, default=case.opened_at)


def last_closed_at(case: Case) -> datetime | None:
    """When the case was last closed (it may have been reopened since); None if never."""
    return max((e.at for e in case.events if e.status is Status.CLOSED), default=None)


def escalation_is_open(case: Case, requested_at: datetime, rejected: bool) -> bool:
    """ESC-9: a request is open from when it is made until staff reject it or the case closes.

    An accepted request stays open ("This case has been escalated", 004); a request made before
    the case's last closing ended with that closing, so a reopened case may be escalated anew.
    """
    if rejected or case.status is Status.CLOSED:
        return False
    closed = last_closed_at(case)
    return closed is None or requested_at > closed


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def _local(at: datetime, account: Account, config: PolicyConfig) -> str:
    zone = config.account_time_zone(account)
    return f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def check_escalation(
    case: Case,
    account: Account,
    open_escalation_exists: bool,
    rca_requested: bool,
    restored_at: datetime | None,
    impact: str | None,
    config: PolicyConfig,
    now: datetime,
) -> Decision:
    """ESC-1..ESC-9: may this case be escalated now? The refusal says what to do instead."""
    ref = case.ref
    if case.status is Status.CLOSED:
        return Decision.refuse(
            RuleId.ESC_2,
            f"Case {ref} is closed, so it can't be escalated.",
            f"Reopen it first: `reopen {ref} <why the issue is not resolved>`.",
        )
    if open_escalation_exists:
        return Decision.refuse(
            RuleId.ESC_9,
            f"Case {ref} already has an open escalation request; support management is "
            "reviewing it.",
            f"Wait for the decision on that request; add details with `update {ref} <text>`.",
        )
    if case.status is Status.AWAITING_INFORMATION:
        return Decision.refuse(
            RuleId.ESC_3,
            f"Support is waiting for information from you on case {ref}.",
            f"Post the information as an update: `update {ref} <information>`.",
        )
    if rca_requested:
        return _check_rca(case, account, restored_at, config, now)
    phone = config.region(account.region).phone
    if case.priority in (Priority.CRITICAL, Priority.INCIDENT):
        return Decision.refuse(
            RuleId.ESC_7,
            f"Critical cases are escalated by phone, not through chat. Phone support on "
            f"{phone}; the support queue and the case owner have been alerted.",
            f"Phone {phone} and quote case {ref}.",
        )
    if case.priority is Priority.LOW:
        return Decision.refuse(
            RuleId.ESC_4,
            "Low-priority cases can't be escalated.",
            f"Ask for a priority change: `priority {ref} medium <reason>`.",
        )
    last = last_update_at(case)
    if case.priority is Priority.MEDIUM:
        return _check_medium(case, account, last, config, now)
    return _check_high(case, account, last, impact, config, now)


def _check_medium(
    case: Case, account: Account, last: datetime, config: PolicyConfig, now: datetime
) -> Decision:
    days = config.escalation.medium_quiet_business_days
    cal = calendar_for(config, account.region)
    needed = timedelta(minutes=days * config.region(account.region).day_minutes)
    # CAL-2: N business days is N x the region's business-day length, in business time.
    if cal.between(last, now) >= needed:
        return Decision.allow(RuleId.ESC_5)
    eligible = add_duration(config, account.region, last, Duration(days, TimeUnit.BUSINESS_DAYS))
    return Decision.refuse(
        RuleId.ESC_5,
        f"Medium-priority cases can be escalated after {_count(days, 'business day')} "
        "without an update from support; "
        f"support last updated case {case.ref} {_local(last, account, config)}.",
        f"Escalate from {_local(eligible, account, config)}. Details you add meanwhile with "
        f"`update {case.ref} <text>` help support and do not restart the wait.",
    )


def _check_high(
    case: Case,
    account: Account,
    last: datetime,
    impact: str | None,
    config: PolicyConfig,
    now: datetime,
) -> Decision:
    hours = config.escalation.high_quiet_hours
    # In UTC: arithmetic on a zoned datetime would add wall-clock hours across DST.
    eligible = last.astimezone(UTC) + timedelta(hours=hours)
    if now.astimezone(UTC) < eligible:
        return Decision.refuse(
            RuleId.ESC_6,
            f"High-priority cases can be escalated after {_count(hours, 'hour')} "
            "without an update from support; "
            f"support last updated case {case.ref} {_local(last, account, config)}.",
            f"Escalate from {_local(eligible, account, config)}. Details you add meanwhile with "
            f"`update {case.ref} <text>` help support and do not restart the wait.",
        )
    if impact is None or not impact.strip():
        return Decision.refuse(
            RuleId.ESC_6,
            "Escalating a high-priority case needs the current business impact.",
            f'`escalate {case.ref} <reason> --impact "<current business impact>"`',
        )
    return Decision.allow(RuleId.ESC_6)


def _check_rca(
    case: Case,
    account: Account,
    restored_at: datetime | None,
    config: PolicyConfig,
    now: datetime,
) -> Decision:
    if restored_at is None:
        return Decision.refuse(
            RuleId.ESC_8,
            f"Service on case {case.ref} has not been restored yet, so the root-cause analysis "
            "is not due.",
            f"Follow the incident on the bridge, or escalate without --rca: "
            f"`escalate {case.ref} <reason>`.",
        )
    opens = rca_escalation_opens(restored_at, account.region, config)
    if now < opens:
        days = config.escalation.rca_wait_business_days
        return Decision.refuse(
            RuleId.ESC_8,
            f"A root-cause analysis can be escalated {_count(days, 'business day')} after "
            f"service was restored ({_local(restored_at, account, config)}).",
            f"Escalate the RCA from {_local(opens, account, config)}.",
        )
    return Decision.allow(RuleId.ESC_8)


def escalation_update_text(reason: str, impact: str | None) -> str:
    """ESC-10: the update recorded for an accepted request; its first line is the header."""
    lines = [ESCALATION_HEADER, f"Reason: {reason.strip()}"]
    if impact is not None and impact.strip():
        lines.append(f"Impact: {impact.strip()}")
    return "\n".join(lines)
