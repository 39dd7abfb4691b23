"""Entitlement: the level a contact acts with on an account today, and who can act instead.

ACC-3 (a current contract) and ACC-4 (partner approval, integrators, subsidiaries) lower a grant;
companies are told apart by their directory ids only. See docs/policy.md#acc-4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.model import AccessLevel, Account, Contact, Grant
from bot.policy.decision import Decision


class Party(StrEnum):
    """ACC-4: whom a contact works for, relative to one account, by directory id only."""

    SOLD_TO = "sold_to"  # the Sold To, or an End User that counts as it (direct, subsidiary)
    END_USER = "end_user"  # the End User of an account a partner resells
    THIRD = "third"  # a solution integrator or contractor
    UNIDENTIFIED = "unidentified"  # the directory gives no ids to tell (see docs/policy.md)


def company_party(contact: Contact, account: Account) -> Party:
    """ACC-4: compare directory ids, never names: "Enduser Inc." is not "Enduser, Inc"."""
    if account.sold_to_id is None or contact.company_id is None:
        return Party.UNIDENTIFIED
    if contact.company_id == account.sold_to_id:
        return Party.SOLD_TO
    if contact.company_id == account.end_user_company_id:
        if account.partner and not account.end_user_subsidiary:
            return Party.END_USER
        return Party.SOLD_TO
    return Party.THIRD


def acts_as_end_user(party: Party, account: Account) -> bool:
    # Failing closed: on a partner account, a contact the directory cannot place is treated
    # like an end-user contact, so a missing id never gives an end user more than read-only.
    return party is Party.END_USER or (party is Party.UNIDENTIFIED and account.partner)


@dataclass(frozen=True, slots=True)
class Effective:
    """The level a contact acts with; when lower than granted, the rule and reason why."""

    level: AccessLevel | None
    rule: str | None = None
    reason: str | None = None
    party: Party = Party.SOLD_TO


def _best_grant(contact: Contact, account_id: str) -> Grant | None:
    grants = [g for g in contact.grants if g.account_id == account_id]
    return max(grants, key=lambda g: g.level.rank, default=None)


def _approved(grant: Grant, today: date) -> bool:
    return (
        grant.approved_by is not None
        and grant.approved_at is not None
        and grant.approved_at <= today
    )


def effective(contact: Contact, account: Account, today: date) -> Effective:
    """ACC-2..ACC-4: the contact's best grant on `account`, lowered by contract and company."""
    grant = _best_grant(contact, account.id)
    if grant is None:
        return Effective(None)
    party = company_party(contact, account)
    if grant.level is AccessLevel.BASIC:
        return Effective(AccessLevel.BASIC, party=party)
    if not account.contract_start <= today <= account.contract_end:
        return Effective(
            AccessLevel.BASIC,
            "ACC-3",
            f"the service contract of account {account.id} is not active "
            f"({account.contract_start.isoformat()} to {account.contract_end.isoformat()}; "
            "Maintenance Review)",
            party,
        )
    if party is Party.THIRD:
        if _approved(grant, today):
            return Effective(grant.level, party=party)
        return Effective(
            AccessLevel.BASIC,
            "ACC-4",
            f"{contact.company} is neither the Sold To nor the End User of account "
            f"{account.id}, and the approval of your access by {account.sold_to} (the Sold To) "
            "is not recorded",
            party,
        )
    if not acts_as_end_user(party, account):
        return Effective(grant.level, party=party)
    unplaced = (
        "the support directory does not identify your company on it, so you count as an "
        "end-user contact, and "
        if party is Party.UNIDENTIFIED
        else ""
    )
    if not _approved(grant, today):
        return Effective(
            AccessLevel.BASIC,
            "ACC-4",
            f"account {account.id} is supported through the partner {account.sold_to}; "
            f"{unplaced}the partner's approval of your access is not recorded",
            party,
        )
    if grant.level is AccessLevel.DESIGNATED:
        return Effective(
            AccessLevel.READ_ONLY,
            "ACC-4",
            f"account {account.id} is supported through the partner {account.sold_to}; "
            f"{unplaced}end-user contacts have at most read-only access",
            party,
        )
    return Effective(grant.level, party=party)


def effective_level(
    contact: Contact, account: Account, today: date
) -> tuple[AccessLevel | None, str | None]:
    """The level `contact` acts with on `account` today, and why it is lower than granted."""
    eff = effective(contact, account, today)
    if eff.reason is None:
        return eff.level, None
    return eff.level, f"{eff.reason} ({eff.rule})"


_MAX_NAMED = 5


def _who(deputies: Sequence[Contact]) -> str:
    named = ", ".join(f"{c.name} <{c.email}>" for c in deputies[:_MAX_NAMED])
    more = len(deputies) - _MAX_NAMED
    return named + (f" and {more} more" if more > 0 else "")


def level_refusal(
    verb: str,
    account: Account,
    needed: AccessLevel,
    eff: Effective,
    deputies: Sequence[Contact],
) -> Decision:
    """Why `verb` needs more than the contact acts with, and who can act instead (ACC-4)."""
    if eff.rule == "ACC-3":
        return Decision.refuse(
            "ACC-3",
            f"The service contract of account {account.id} is not active "
            f"(it runs {account.contract_start.isoformat()} to "
            f"{account.contract_end.isoformat()}; Maintenance Review), "
            "so you have basic access only.",
            "Ask your account manager to renew the service contract; "
            "`notices` and `help` still work.",
        )
    if eff.party is Party.THIRD and eff.rule == "ACC-4":
        asked = (
            f"Ask the designated contacts of {account.sold_to}, the Sold To ({_who(deputies)}), "
            if deputies
            else f"Ask {account.sold_to}, the Sold To, "
        )
        return Decision.refuse(
            "ACC-4",
            f"{eff.reason[0].upper()}{eff.reason[1:]}." if eff.reason else "",
            asked + "to approve your access (ACC-4).",
        )
    if acts_as_end_user(eff.party, account):
        partner = (
            f"the partner's designated contacts ({_who(deputies)})"
            if deputies
            else f"{account.sold_to} (the partner)"
        )
        if eff.level is AccessLevel.READ_ONLY:
            reason = (
                f"Account {account.id} is supported through the partner {account.sold_to}: "
                "end-user contacts can view its cases but not change them."
            )
            instead = f"Ask {partner} to `{verb}` for you."
        elif eff.rule is None:  # a basic grant: nothing to approve yet
            reason = (
                f"`{verb}` needs {needed.value.replace('_', '-')} access on account "
                f"{account.id}, which is supported through the partner {account.sold_to}; "
                "you have basic access."
            )
            instead = f"Ask {partner} to request read-only access for you."
        else:
            reason = (
                f"Account {account.id} is supported through the partner {account.sold_to}, and "
                "the partner's approval of your access is not recorded."
            )
            instead = f"Ask {partner} to approve your read-only access."
        if eff.party is Party.UNIDENTIFIED:
            reason += (
                " The support directory does not identify your company on this account, so "
                "you count as an end-user contact."
            )
        # The rule that lowered the grant, else the level itself (ACC-2) decided; either way
        # the answer names the partner's people, never "a designated contact of your company".
        return Decision.refuse(eff.rule or "ACC-2", reason, instead)
    who = (
        f"Ask one of the account's designated contacts ({_who(deputies)}) to do it, "
        if deputies
        else "Ask a designated contact of your company to do it, "
    )
    return Decision.refuse(
        "ACC-2",
        f"`{verb}` needs {needed.value.replace('_', '-')} access on account {account.id}; "
        f"you have {eff.level.value.replace('_', '-') if eff.level else 'no'} access.",
        who + "or to request a higher level for you.",
    )
