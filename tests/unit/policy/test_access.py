"""ACC-2, ACC-3, ACC-4, ACC-7, ACC-8, ACC-9: who may do what, where."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.model import AccessLevel, Account, ChannelBinding, ChannelPurpose, Platform, StaffRole
from bot.policy.access import (
    Action,
    access_today,
    allowed_actions,
    channel_may_show,
    check,
    effective_level,
    is_staff_verb,
    required_level,
)
from bot.policy.config import PolicyConfig
from tests.unit.policy.casefactory import account, contact, customer, grant, staff, unmapped

TODAY = date(2026, 6, 1)
BASIC = {Action.HELP, Action.WHOAMI, Action.NOTICES}
READ = BASIC | {Action.LIST, Action.SHOW, Action.SLA}
DESIGNATED = READ | {
    Action.OPEN,
    Action.UPDATE,
    Action.CLOSE,
    Action.REOPEN,
    Action.ESCALATE,
    Action.PRIORITY,
    Action.REPORT_INCIDENT,
    Action.SURVEY,
}
STAFF_VERBS = {a for a in Action if a not in DESIGNATED}


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (AccessLevel.BASIC, BASIC),
        (AccessLevel.READ_ONLY, READ),
        (AccessLevel.DESIGNATED, DESIGNATED),
    ],
)
def test_acc_2_each_level_allows_exactly_its_column_of_the_table(
    level: AccessLevel, expected: set[Action]
) -> None:
    actor = customer(contact(grant(level)))
    allowed = {a for a in Action if check(actor, a, account(), TODAY).allowed}
    assert allowed == expected


def test_acc_2_read_only_contact_is_told_which_level_opening_needs() -> None:
    decision = check(customer(contact(grant(AccessLevel.READ_ONLY))), Action.OPEN, account(), TODAY)
    assert not decision.allowed
    assert decision.rule == "ACC-2"
    assert "designated" in decision.reason
    assert "read-only" in decision.reason


def test_acc_2_contact_without_grant_on_the_account_has_no_access() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "globex"))
    decision = check(customer(person), Action.LIST, account("acme"), TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-2")
    assert effective_level(person, account("acme"), TODAY) == (None, None)


def test_acc_2_levels_are_per_account() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "acme"), grant(AccessLevel.READ_ONLY, "globex"))
    actor = customer(person)
    assert check(actor, Action.OPEN, account("acme"), TODAY).allowed
    assert not check(actor, Action.OPEN, account("globex"), TODAY).allowed
    assert check(actor, Action.SHOW, account("globex"), TODAY).allowed


def test_acc_2_account_verbs_without_an_account_ask_for_one() -> None:
    decision = check(customer(contact(grant(AccessLevel.DESIGNATED))), Action.LIST, None, TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-2")
    assert "--account" in (decision.instead or "")


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (date(2026, 1, 1), AccessLevel.DESIGNATED),  # the contract's first day
        (date(2026, 12, 31), AccessLevel.DESIGNATED),  # its last day
        (date(2027, 1, 1), AccessLevel.BASIC),  # the day after
        (date(2025, 12, 31), AccessLevel.BASIC),  # the day before
    ],
)
def test_acc_3_contract_days_are_inclusive_at_both_ends(today: date, level: AccessLevel) -> None:
    person = contact(grant(AccessLevel.DESIGNATED))
    assert effective_level(person, account(), today)[0] is level


def test_acc_3_refusal_says_the_service_contract_is_not_active() -> None:
    person = contact(grant(AccessLevel.DESIGNATED))
    decision = check(customer(person), Action.SHOW, account(), date(2027, 1, 1))
    assert (decision.allowed, decision.rule) == (False, "ACC-3")
    assert "service contract" in decision.reason
    assert "not active" in decision.reason
    assert "Maintenance Review" in decision.reason
    assert check(customer(person), Action.NOTICES, account(), date(2027, 1, 1)).allowed
    level, note = effective_level(person, account(), date(2027, 1, 1))
    assert level is AccessLevel.BASIC
    assert note is not None
    assert "ACC-3" in note


def resold(**extra: bool) -> Account:
    """A partner account with directory ids: Partner Ltd resells to Enduser, Inc (ACC-4)."""
    return account(
        "globex",
        sold_to="Partner Ltd",
        end_user="Enduser, Inc",
        partner=True,
        sold_to_id="partner",
        end_user_id="enduser",
        **extra,
    )


APPROVED = ("bob@partner.example", date(2026, 2, 1))


def test_acc_4_end_user_contact_without_partner_approval_acts_as_basic() -> None:
    person = contact(grant(AccessLevel.READ_ONLY, "globex"), company_id="enduser")
    level, note = effective_level(person, resold(), TODAY)
    assert level is AccessLevel.BASIC
    assert note is not None
    assert "ACC-4" in note
    decision = check(customer(person), Action.LIST, resold(), TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-4")
    assert "Partner Ltd" in (decision.instead or "")


def test_acc_4_approved_end_user_contact_is_at_most_read_only() -> None:
    approved = grant(AccessLevel.DESIGNATED, "globex", *APPROVED)
    person = contact(approved, company_id="enduser")
    assert effective_level(person, resold(), TODAY)[0] is AccessLevel.READ_ONLY
    assert check(customer(person), Action.SHOW, resold(), TODAY).allowed
    decision = check(customer(person), Action.OPEN, resold(), TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-4")


def test_acc_4_approval_dated_in_the_future_is_not_yet_recorded() -> None:
    later = grant(AccessLevel.READ_ONLY, "globex", "bob@partner.example", date(2026, 7, 1))
    person = contact(later, company_id="enduser")
    assert effective_level(person, resold(), TODAY)[0] is AccessLevel.BASIC
    no_approver = grant(AccessLevel.READ_ONLY, "globex", None, date(2026, 2, 1))
    assert effective_level(contact(no_approver, company_id="enduser"), resold(), TODAY)[0] is (
        AccessLevel.BASIC
    )


def test_acc_4_partner_staff_keep_their_designated_level() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "globex"), company_id="partner")
    assert effective_level(person, resold(), TODAY) == (AccessLevel.DESIGNATED, None)


@pytest.mark.parametrize("spelling", ["Enduser Inc.", "Enduser, Inc", "ENDUSER INC", "Partner Ltd"])
def test_acc_4_spelling_variants_of_a_company_name_never_decide_access(spelling: str) -> None:
    # The directory id decides: the end user's contact is an end user whatever its name says...
    end_user = contact(
        grant(AccessLevel.DESIGNATED, "globex"), company=spelling, company_id="enduser"
    )
    assert effective_level(end_user, resold(), TODAY)[0] is AccessLevel.BASIC
    # ...and without an id, no spelling (not even the partner's own name) gives designated.
    unplaced = contact(grant(AccessLevel.DESIGNATED, "globex"), company=spelling)
    level, note = effective_level(unplaced, resold(), TODAY)
    assert level is AccessLevel.BASIC
    assert note is not None and "does not identify your company" in note
    decision = check(customer(unplaced), Action.OPEN, resold(), TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-4")


def test_acc_4_a_partner_account_without_ids_fails_closed_to_end_user_access() -> None:
    no_ids = account("globex", sold_to="Partner Ltd", end_user="Enduser, Inc", partner=True)
    approved = contact(grant(AccessLevel.DESIGNATED, "globex", *APPROVED), company_id="partner")
    assert effective_level(approved, no_ids, TODAY)[0] is AccessLevel.READ_ONLY


def test_acc_4_a_direct_account_without_ids_keeps_the_granted_levels() -> None:
    person = contact(grant(AccessLevel.DESIGNATED), company="Acme Corporation")
    assert effective_level(person, account(), TODAY) == (AccessLevel.DESIGNATED, None)


@pytest.mark.parametrize("partner", [True, False])
def test_acc_4_an_integrator_without_the_sold_to_approval_acts_as_basic(partner: bool) -> None:
    acct = resold() if partner else account(sold_to_id="acme", end_user_id="acme")
    acct_id = acct.id
    person = contact(
        grant(AccessLevel.DESIGNATED, acct_id), company="Integra SI", company_id="integra"
    )
    level, note = effective_level(person, acct, TODAY)
    assert level is AccessLevel.BASIC
    assert note is not None and "Integra SI is neither the Sold To nor the End User" in note
    decision = check(customer(person), Action.OPEN, acct, TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-4")
    assert f"Ask {acct.sold_to}, the Sold To, to approve your access" in (decision.instead or "")
    assert not check(customer(person), Action.LIST, acct, TODAY).allowed


@pytest.mark.parametrize("partner", [True, False])
def test_acc_4_an_integrator_with_the_sold_to_approval_may_be_designated(partner: bool) -> None:
    acct = resold() if partner else account(sold_to_id="acme", end_user_id="acme")
    person = contact(
        grant(AccessLevel.DESIGNATED, acct.id, *APPROVED),
        company="Integra SI",
        company_id="integra",
    )
    assert effective_level(person, acct, TODAY) == (AccessLevel.DESIGNATED, None)
    assert check(customer(person), Action.OPEN, acct, TODAY).allowed
    later = grant(AccessLevel.DESIGNATED, acct.id, "bob@partner.example", date(2026, 6, 2))
    assert effective_level(contact(later, company_id="integra"), acct, TODAY)[0] is (
        AccessLevel.BASIC
    )


def test_acc_4_a_subsidiary_end_user_counts_as_the_sold_to() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "globex"), company_id="enduser")
    assert effective_level(person, resold(end_user_subsidiary=True), TODAY) == (
        AccessLevel.DESIGNATED,
        None,
    )
    assert effective_level(person, resold(), TODAY)[0] is AccessLevel.BASIC


def test_acc_4_refusal_to_an_approved_end_user_names_the_partners_designated_contacts() -> None:
    asker = contact(
        grant(AccessLevel.READ_ONLY, "globex", *APPROVED),
        email="eve@enduser.example",
        company_id="enduser",
    )
    ian = contact(
        grant(AccessLevel.DESIGNATED, "globex"),
        email="ian@partner.example",
        name="Ian Init",
        company_id="partner",
    )
    # Listed as designated but acting as read-only: an end user can never act for the partner.
    other = contact(
        grant(AccessLevel.DESIGNATED, "globex", *APPROVED),
        email="otto@enduser.example",
        name="Otto Other",
        company_id="enduser",
    )
    decision = check(customer(asker), Action.OPEN, resold(), TODAY, (ian, other, asker))
    assert (decision.allowed, decision.rule) == (False, "ACC-2")
    assert "can view its cases but not change them" in decision.reason
    assert decision.instead == (
        "Ask the partner's designated contacts (Ian Init <ian@partner.example>) to `open` for you."
    )
    assert "your company" not in decision.instead
    unapproved = contact(grant(AccessLevel.READ_ONLY, "globex"), company_id="enduser")
    refused = check(customer(unapproved), Action.LIST, resold(), TODAY, (ian,))
    assert refused.instead == (
        "Ask the partner's designated contacts (Ian Init <ian@partner.example>) to approve your "
        "read-only access."
    )


def test_acc_2_refusal_names_the_accounts_designated_contacts_when_known() -> None:
    reader = contact(grant(AccessLevel.READ_ONLY), email="rita@acme.example")
    dave = contact(grant(AccessLevel.DESIGNATED), email="dave@acme.example", name="Dave Dee")
    decision = check(customer(reader), Action.OPEN, account(), TODAY, (dave,))
    assert decision.rule == "ACC-2"
    assert "Dave Dee <dave@acme.example>" in (decision.instead or "")


def test_acc_7_unmapped_user_may_only_ask_for_help_and_whoami() -> None:
    actor = unmapped()
    allowed = {a for a in Action if check(actor, a, account(), TODAY).allowed}
    assert allowed == {Action.HELP, Action.WHOAMI}
    decision = check(actor, Action.LIST, account(), TODAY)
    assert decision.rule == "ACC-7"
    assert "directory" in (decision.instead or "")


def test_acc_8_customers_never_get_staff_verbs_and_read_them_as_unknown() -> None:
    actor = customer(contact(grant(AccessLevel.DESIGNATED)))
    for action in STAFF_VERBS:
        decision = check(actor, action, account(), TODAY)
        assert (decision.allowed, decision.rule) == (False, "ACC-8")
        assert decision.reason.startswith("Unknown command")
        assert is_staff_verb(action)
        assert required_level(action) is None


CUSTOMER_REQUESTS = {
    Action.OPEN,
    Action.CLOSE,
    Action.REOPEN,
    Action.ESCALATE,
    Action.PRIORITY,
    Action.REPORT_INCIDENT,
    Action.SURVEY,
}


def test_acc_8_analyst_works_every_case_on_any_account_with_staff_verbs_but_not_incidents() -> None:
    actor = staff(StaffRole.ANALYST)
    expired = account("old", start=date(2020, 1, 1), end=date(2020, 12, 31))
    allowed = {a for a in Action if check(actor, a, expired, TODAY).allowed}
    incident = {Action.INCIDENT_DECLARE, Action.INCIDENT_RUN}
    assert allowed == set(Action) - incident - CUSTOMER_REQUESTS  # NOT-1: notify included
    assert check(actor, Action.INCIDENT_DECLARE, expired, TODAY).rule == "ACC-8"


def test_acc_8_staff_asking_a_customer_request_are_pointed_at_their_own_verb() -> None:
    actor = staff(StaffRole.ANALYST)
    decision = check(actor, Action.CLOSE, account(), TODAY)
    assert (decision.allowed, decision.rule) == (False, "ACC-8")
    assert "set-status" in (decision.instead or "")
    assert "escalation accept" in (check(actor, Action.ESCALATE, account(), TODAY).instead or "")


def test_acc_8_incident_commander_also_runs_incidents_and_notices() -> None:
    actor = staff(StaffRole.INCIDENT_COMMANDER)
    allowed = {a for a in Action if check(actor, a, account(), TODAY).allowed}
    assert allowed == set(Action) - CUSTOMER_REQUESTS


def test_acc_8_admin_alone_gets_only_help_whoami_and_not_1_notices_in_chat() -> None:
    actor = staff(StaffRole.ADMIN)
    allowed = {a for a in Action if check(actor, a, account(), TODAY).allowed}
    assert allowed == {Action.HELP, Action.WHOAMI, Action.NOTIFY}
    assert check(actor, Action.NOTIFY, None, TODAY).rule == "NOT-1"
    assert "supportbot directory" in (check(actor, Action.QUEUE, None, TODAY).instead or "")
    both = staff(StaffRole.ADMIN, StaffRole.ANALYST)
    assert check(both, Action.QUEUE, None, TODAY).allowed


def test_acc_8_staff_who_is_also_a_contact_keeps_the_contact_grants() -> None:
    actor = staff(StaffRole.ADMIN, person=contact(grant(AccessLevel.DESIGNATED)))
    assert check(actor, Action.SURVEY, account(), TODAY).allowed
    assert not check(actor, Action.QUEUE, account(), TODAY).allowed


def test_acc_2_help_lists_the_union_over_the_contact_accounts() -> None:
    person = contact(grant(AccessLevel.READ_ONLY, "acme"), grant(AccessLevel.DESIGNATED, "globex"))
    accounts = [account("acme"), account("globex"), account("other")]
    noon = datetime(2026, 6, 1, 12, tzinfo=UTC)
    config = PolicyConfig()
    usable = access_today(person, accounts, noon, config)
    assert allowed_actions(customer(person), usable, noon) == DESIGNATED
    basic_only = contact(grant(AccessLevel.BASIC, "acme"))
    usable = access_today(basic_only, accounts, noon, config)
    assert allowed_actions(customer(basic_only), usable, noon) == BASIC
    assert allowed_actions(unmapped(), (), noon) == {Action.HELP, Action.WHOAMI}


def _binding(purpose: ChannelPurpose, account_id: str | None = None) -> ChannelBinding:
    return ChannelBinding(Platform.SLACK, "C1", purpose, account_id)


def test_acc_9_case_details_show_only_in_the_account_channel_or_staff_channels() -> None:
    person = customer(contact(grant(AccessLevel.DESIGNATED)))
    analyst = staff(StaffRole.ANALYST)
    assert channel_may_show("acme", _binding(ChannelPurpose.ACCOUNT, "acme"), person)
    assert not channel_may_show("acme", _binding(ChannelPurpose.ACCOUNT, "globex"), person)
    assert not channel_may_show("acme", _binding(ChannelPurpose.ACCOUNT, "globex"), analyst)
    assert channel_may_show("acme", _binding(ChannelPurpose.QUEUE), analyst)
    assert channel_may_show("acme", _binding(ChannelPurpose.BRIDGE), analyst)
    assert not channel_may_show("acme", _binding(ChannelPurpose.QUEUE), person)
    assert not channel_may_show("acme", None, analyst)


def test_action_verbs_are_what_users_type() -> None:
    assert Action.REPORT_INCIDENT.verb == "report-incident"
    assert Action.SET_STATUS.verb == "set-status"
    assert Action.LIST.verb == "list"
