"""Priority changes (PRI-1): what a customer may request from chat, what staff may set.

A customer may request Low -> Medium, or any lowering (less urgency needs no phone call and
support still decides); both are recorded as a work note for staff. Any raise to High, Critical
or Incident needs a phone call, because support must hear the impact first.
"""

from __future__ import annotations

from bot.model import Account, Case, Deployment, Priority, Status
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision
from bot.policy.intake import check_stage, priority_guide

_RANK = {
    Priority.LOW: 0,
    Priority.MEDIUM: 1,
    Priority.HIGH: 2,
    Priority.CRITICAL: 3,
    Priority.INCIDENT: 4,
}
_PHONE_ONLY = frozenset({Priority.HIGH, Priority.CRITICAL, Priority.INCIDENT})


def priority_rank(priority: Priority) -> int:
    """Low < Medium < High < Critical < Incident."""
    return _RANK[priority]


def check_priority_request(
    case: Case, account: Account, new_priority: Priority, config: PolicyConfig
) -> Decision:
    """PRI-1: may a designated contact request this change from chat?"""
    ref = case.ref
    if case.status is Status.CLOSED:
        return Decision.refuse(
            "PRI-1",
            f"Case {ref} is closed, so its priority can't change.",
            f"Reopen it first: `reopen {ref} <why the issue is not resolved>`.",
        )
    if new_priority is case.priority:
        return Decision.refuse(
            "PRI-1",
            f"Case {ref} is already {case.priority.label} priority.",
            f"To ask for management attention instead: `escalate {ref} <reason>`.",
        )
    production = check_stage(new_priority, case.stage, case_ref=ref)
    if not production.allowed:
        return production  # CASE-3: no phone call can make a UAT case Critical
    raising = _RANK[new_priority] > _RANK[case.priority]
    if raising and new_priority in _PHONE_ONLY:
        phone = config.region(account.region).phone
        return Decision.refuse(
            "PRI-1",
            f"Raising a case to {new_priority.label} priority needs a phone call so support can "
            "hear the impact.",
            f"Phone support on {phone} and quote case {ref}.\n{priority_guide()}",
        )
    return Decision.allow(
        "PRI-1",
        f"Your request to change case {ref} from {case.priority.label} to "
        f"{new_priority.label} was passed to support, who will review it.",
    )


def check_set_priority(
    case: Case, account: Account, new_priority: Priority, production_down: bool
) -> Decision:
    """PRI-1, CASE-3: may staff set this priority (any change; production-down only Critical)?"""
    ref = case.ref
    if production_down and new_priority is not Priority.CRITICAL:
        return Decision.refuse(
            "CASE-3",
            "Production down applies only to Critical cases.",
            f"`set-priority {ref} critical <reason> --production-down`",
        )
    if new_priority is Priority.INCIDENT and account.deployment is not Deployment.CLOUD:
        return Decision.refuse(
            "CASE-3",
            "The Incident severity exists only for cloud accounts.",
            f"Use critical: `set-priority {ref} critical <reason> --production-down`.",
        )
    production = check_stage(new_priority, case.stage, production_down, ref)
    if not production.allowed:
        return production
    if (new_priority, production_down) == (case.priority, case.production_down):
        flag = " - Production Down" if production_down else ""
        return Decision.refuse("PRI-1", f"Case {ref} is already {case.priority.label}{flag}.")
    return Decision.allow("PRI-1")
