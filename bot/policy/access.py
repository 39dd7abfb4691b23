"""Who may do what: access levels (ACC-2), staff roles (ACC-8), unmapped users (ACC-7) and where
case details may be shown (ACC-9); entitlement (ACC-3, ACC-4) is decided in `entitlement`.

`access_today` is the one answer to "which accounts may this contact use now, at which level":
every handler, `help`, `whoami` and the home overview ask it, so they agree at every instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.messages import Actor
from bot.model import (
    AccessLevel,
    Account,
    ChannelBinding,
    ChannelPurpose,
    Contact,
    StaffRole,
)
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision
from bot.policy.entitlement import (
    Party,
    company_party,
    effective,
    effective_level,
    level_refusal,
)

__all__ = [
    "AccountAccess",
    "Action",
    "Party",
    "access_on",
    "access_today",
    "allowed_actions",
    "channel_may_show",
    "check",
    "company_party",
    "effective_level",
    "is_staff_verb",
    "local_date",
    "names_deputies",
    "required_level",
]


class Action(StrEnum):
    """Every verb of PRODUCT.md, customer and staff; `verb` is how it is typed in chat."""

    HELP = "help"
    WHOAMI = "whoami"
    NOTICES = "notices"
    LIST = "list"
    SHOW = "show"
    SLA = "sla"
    OPEN = "open"
    UPDATE = "update"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    PRIORITY = "priority"
    REPORT_INCIDENT = "report_incident"
    SURVEY = "survey"
    QUEUE = "queue"
    TAKE = "take"
    RESPOND = "respond"
    REQUEST_INFO = "request_info"
    PROPOSE = "propose"
    SET_PRIORITY = "set_priority"
    SET_STATUS = "set_status"
    RESTORE = "restore"  # SLA-4: staff record that service is restored on a case
    ESCALATION_DECIDE = "escalation_decide"
    INCIDENT_DECLARE = "incident_declare"
    INCIDENT_RUN = "incident_run"  # incident status / restore / all-clear / rca
    NOTIFY = "notify"

    @property
    def verb(self) -> str:
        return _VERBS.get(self, self.value)


_VERBS = {
    Action.REPORT_INCIDENT: "report-incident",
    Action.REQUEST_INFO: "request-info",
    Action.SET_PRIORITY: "set-priority",
    Action.SET_STATUS: "set-status",
    Action.ESCALATION_DECIDE: "escalation",
    Action.INCIDENT_DECLARE: "incident declare",
    Action.INCIDENT_RUN: "incident",
}

# ACC-2: the least level each customer verb needs.
_REQUIRED_LEVEL: dict[Action, AccessLevel] = {
    Action.HELP: AccessLevel.BASIC,
    Action.WHOAMI: AccessLevel.BASIC,
    Action.NOTICES: AccessLevel.BASIC,
    Action.LIST: AccessLevel.READ_ONLY,
    Action.SHOW: AccessLevel.READ_ONLY,
    Action.SLA: AccessLevel.READ_ONLY,
    Action.OPEN: AccessLevel.DESIGNATED,
    Action.UPDATE: AccessLevel.DESIGNATED,
    Action.CLOSE: AccessLevel.DESIGNATED,
    Action.REOPEN: AccessLevel.DESIGNATED,
    Action.ESCALATE: AccessLevel.DESIGNATED,
    Action.PRIORITY: AccessLevel.DESIGNATED,
    Action.REPORT_INCIDENT: AccessLevel.DESIGNATED,
    Action.SURVEY: AccessLevel.DESIGNATED,
}

_ANYONE = frozenset({Action.HELP, Action.WHOAMI})  # ACC-7: even unmapped users
_INCIDENT_VERBS = frozenset({Action.INCIDENT_DECLARE, Action.INCIDENT_RUN})
# NOT-1: every staff role (analysts, incident commanders, admins) posts service notices.
_ALL_STAFF = frozenset({Action.NOTIFY})
_STAFF_VERBS = frozenset(a for a in Action if a not in _REQUIRED_LEVEL)
# What a customer asks of support is not something support asks of itself: staff see and work
# every case (ACC-8) with their own verbs, and these customer requests point them there.
_CUSTOMER_REQUESTS: dict[Action, str] = {
    Action.OPEN: "Cases are opened by the customer's designated contacts, in chat or by phone.",
    Action.CLOSE: "Close it with `set-status CASE Closed/Resolved NOTE`.",
    Action.REOPEN: "Reopen it with `set-status CASE Open/Reopen Requested NOTE`.",
    Action.ESCALATE: "Escalations are the customer's request; decide one with `escalation "
    "accept|reject CASE TEXT`.",
    Action.PRIORITY: "Change it with `set-priority CASE PRIORITY REASON`.",
    Action.REPORT_INCIDENT: "Incident commanders declare incidents with `incident declare`.",
    Action.SURVEY: "The survey is the opener's own rating of support (CASE-8).",
}
# ACC-8: analysts see and work every case on every account, with the staff verbs.
_ANALYST = frozenset(a for a in Action if a not in _INCIDENT_VERBS | set(_CUSTOMER_REQUESTS))
_COMMANDER = _ANALYST | _INCIDENT_VERBS


def is_staff_verb(action: Action) -> bool:
    """ACC-8: verbs only support staff may use."""
    return action in _STAFF_VERBS


def required_level(action: Action) -> AccessLevel | None:
    """ACC-2: the least customer level the action needs; None for staff verbs."""
    return _REQUIRED_LEVEL.get(action)


def _unknown_verb(action: Action) -> Decision:
    # PRODUCT.md: staff verbs are refused for customers exactly like an unknown verb.
    return Decision.refuse(
        "ACC-8",
        f"Unknown command `{action.verb}`.",
        "Type `help` to see the commands you can use.",
    )


def _staff_check(actor: Actor, action: Action) -> Decision | None:
    """The staff side of ACC-8; None when staff roles do not settle it."""
    if action in _ALL_STAFF and actor.is_staff:
        return Decision.allow("NOT-1")
    if actor.has_role(StaffRole.INCIDENT_COMMANDER) and action in _COMMANDER:
        return Decision.allow("ACC-8")
    if actor.has_role(StaffRole.ANALYST) and action in _ANALYST:
        return Decision.allow("ACC-8")
    if action in _ANYONE:
        return Decision.allow("ACC-8")
    if action in _INCIDENT_VERBS and actor.has_role(StaffRole.ANALYST):
        return Decision.refuse(
            "ACC-8",
            f"`{action.verb}` is for incident commanders.",
            "Ask an incident commander on the bridge to do it.",
        )
    works_cases = actor.has_role(StaffRole.ANALYST) or actor.has_role(StaffRole.INCIDENT_COMMANDER)
    if action in _CUSTOMER_REQUESTS and works_cases and actor.contact is None:
        return Decision.refuse(
            "ACC-8",
            f"`{action.verb}` is a customer's request to support.",
            _CUSTOMER_REQUESTS[action],
        )
    if actor.contact is None:
        if actor.has_role(StaffRole.ADMIN) and not actor.has_role(StaffRole.ANALYST):
            return Decision.refuse(
                "ACC-8",
                "Admins manage the directory from the command line, not in chat.",
                "Use `supportbot directory load FILE`; ask for the analyst role to work cases.",
            )
        return _unknown_verb(action)
    return None


def check(
    actor: Actor,
    action: Action,
    account: Account | None,
    today: date,
    deputies: Sequence[Contact] = (),
) -> Decision:
    """ACC-2..ACC-4, ACC-7, ACC-8: may `actor` do `action` on `account` (None: no account) today.

    `deputies` are the account's designated contacts, if the caller has them: a refusal names
    those acting as designated today as the people who can act instead (ACC-4).
    """
    if actor.staff is not None:
        staff_decision = _staff_check(actor, action)
        if staff_decision is not None:
            return staff_decision
    contact = actor.contact
    if contact is None:
        if action in _ANYONE:
            return Decision.allow("ACC-7")
        return Decision.refuse(
            "ACC-7",
            "Your chat account isn't linked to a support contact, so you have no access to cases.",
            "Ask your company's designated support contact to add you to the support directory; "
            "`whoami` shows how you are known.",
        )
    needed = _REQUIRED_LEVEL.get(action)
    if needed is None:
        return _unknown_verb(action)
    if action in _ANYONE or (account is None and needed is AccessLevel.BASIC):
        return Decision.allow("ACC-2")
    if account is None:
        return Decision.refuse(
            "ACC-2",
            f"`{action.verb}` needs an account.",
            "Name it with `--account ID`; `whoami` lists your accounts.",
        )
    eff = effective(contact, account, today)
    if eff.level is None:
        return Decision.refuse(
            "ACC-2",
            f"You have no access to account {account.id}.",
            "`whoami` lists the accounts you can use.",
        )
    if eff.level.rank >= needed.rank:
        return Decision.allow("ACC-2")
    acting = [
        c
        for c in deputies
        if c.email != contact.email and effective(c, account, today).level is AccessLevel.DESIGNATED
    ]
    return level_refusal(action.verb, account, needed, eff, acting)


def names_deputies(decision: Decision) -> bool:
    """Would this refusal name the account's designated contacts, given them (ACC-2, ACC-4)?"""
    return not decision.allowed and decision.rule in ("ACC-2", "ACC-4")


@dataclass(frozen=True, slots=True)
class AccountAccess:
    """One account as a contact may use it at an instant (ACC-2..ACC-4)."""

    account: Account
    today: date  # the account's own calendar day at that instant: contract days are (ACC-3)
    granted: AccessLevel  # the contact's best grant on the account
    level: AccessLevel  # the level they act with today: the grant, lowered by ACC-3 and ACC-4
    why: str | None = None  # why `level` is below `granted`, naming the rule

    def allows(self, needed: AccessLevel) -> bool:
        return self.level.rank >= needed.rank


def local_date(account: Account, now: datetime, config: PolicyConfig) -> date:
    """ACC-3: the account's calendar day at `now`, in its own zone (else its region's)."""
    return now.astimezone(ZoneInfo(config.account_time_zone(account))).date()


def access_on(
    contact: Contact, account: Account, now: datetime, config: PolicyConfig
) -> AccountAccess | None:
    """ACC-2..ACC-4: how `contact` may use `account` at `now`; None without a grant on it."""
    today = local_date(account, now, config)
    level, why = effective_level(contact, account, today)
    levels = [g.level for g in contact.grants if g.account_id == account.id]
    if level is None or not levels:
        return None
    return AccountAccess(account, today, max(levels, key=lambda g: g.rank), level, why)


def access_today(
    contact: Contact, accounts: Iterable[Account], now: datetime, config: PolicyConfig
) -> tuple[AccountAccess, ...]:
    """Each of `accounts` `contact` holds a grant on, as they may use it at `now`, by account id."""
    found = {a.id: a for a in accounts}
    judged = (access_on(contact, found[i], now, config) for i in sorted(found))
    return tuple(a for a in judged if a is not None)


def allowed_actions(actor: Actor, accounts: Sequence[AccountAccess], now: datetime) -> set[Action]:
    """For `help`: every action `actor` may take now on at least one of `accounts` (or on none).

    Each account is judged on its own calendar day (`AccountAccess.today`), exactly as the
    actions themselves are, so `help` and the verb agree near midnight (ACC-3).
    """
    candidates: list[tuple[Account | None, date]] = [(None, now.date())]
    candidates += [(a.account, a.today) for a in accounts]
    return {a for a in Action for acc, day in candidates if check(actor, a, acc, day).allowed}


def channel_may_show(case_account_id: str, channel: ChannelBinding | None, actor: Actor) -> bool:
    """ACC-9: may details of a case of `case_account_id` be posted in `channel` for everyone?"""
    if channel is None:
        return False
    if channel.purpose is ChannelPurpose.ACCOUNT:
        return channel.account_id == case_account_id
    return channel.purpose in (ChannelPurpose.QUEUE, ChannelPurpose.BRIDGE) and actor.is_staff
