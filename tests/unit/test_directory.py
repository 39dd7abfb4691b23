"""Parsing and validating the directory file (PRODUCT.md "Directory file", ACC-1..ACC-8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.directory import DirectoryError, parse_directory
from bot.model import AccessLevel, ChannelPurpose, Deployment, Platform, Priority, StaffRole
from bot.policy.config import PolicyConfig
from bot.store.interface.directory import Directory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yaml"
CONFIG = PolicyConfig()

ACCOUNT = """
accounts:
  - id: acme
    sold_to: Acme Corp
    end_user: Acme Corp
    deployment: on_premises
    care_level: business
    region: NA
    contract: {start: 2026-01-01, end: 2027-12-31}
  - id: resold
    sold_to: Initech Solutions
    sold_to_id: initech
    end_user: Hooli Pty Ltd
    end_user_id: hooli
    partner: true
    deployment: cloud
    care_level: premium
    region: APAC
    contract: {start: 2026-01-01, end: 2027-12-31}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(DirectoryError) as refused:
        parse_directory(text, "dir.yaml", CONFIG)
    return refused.value.errors


def test_the_example_directory_parses_with_every_kind_of_entry() -> None:
    directory = parse_directory(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE), CONFIG)
    assert len(directory.accounts) == 5
    assert {a.region for a in directory.accounts} >= {"NA", "EMEA", "APAC"}
    assert {a.deployment for a in directory.accounts} == set(Deployment)
    assert any(a.partner for a in directory.accounts)
    assert {r for s in directory.staff for r in s.roles} == set(StaffRole)
    assert {(c.platform, c.purpose) for c in directory.channels} == {
        (p, k) for p in (Platform.SLACK, Platform.TEAMS) for k in ChannelPurpose
    }
    isla = next(c for c in directory.contacts if c.email == "isla@hooli.example")
    assert isla.grants[0].approved_at == date(2026, 3, 15)
    queue = next(c for c in directory.channels if c.channel_id == "C0QUEUECR")
    assert queue.priorities == {Priority.CRITICAL, Priority.INCIDENT} and queue.regions == set()


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("someone@gmail.com", "public mail provider"),
        ("help@acme.example", "role address"),
        ("support+acme@acme.example", "role address"),
    ],
)
def test_acc_5_a_designated_contact_needs_an_individual_corporate_email(
    email: str, why: str
) -> None:
    text = (
        ACCOUNT
        + f"""
contacts:
  - {{email: ok@acme.example, name: Ok, company: Acme Corp, grants: [{{account: acme, level: designated}}]}}
  - {{email: "{email}", name: Someone, company: Acme Corp, grants: [{{account: acme, level: designated}}]}}
"""
    )
    (error,) = errors_of(text)
    assert error.startswith(f"dir.yaml: contacts[1] {email}: ")
    assert why in error and error.endswith("(ACC-5)")


def test_acc_5_a_public_address_may_hold_a_read_only_grant() -> None:
    text = (
        ACCOUNT
        + """
contacts:
  - {email: someone@gmail.com, name: Someone, company: Acme Corp, grants: [{account: acme, level: read_only}]}
"""
    )
    directory = parse_directory(text, "dir.yaml", CONFIG)
    assert directory.contacts[0].grants[0].level is AccessLevel.READ_ONLY


@pytest.mark.parametrize("spelling", ["Hooli Pty Ltd", "Hooli Pty. Ltd.", "Initech Solutions"])
def test_acc_4_an_end_user_contact_cannot_be_designated_on_a_partner_account(
    spelling: str,
) -> None:
    text = (
        ACCOUNT
        + f"""
contacts:
  - {{email: pat@hooli.example, name: Pat, company: "{spelling}", company_id: hooli,
     grants: [{{account: resold, level: designated}}]}}
  - {{email: ria@initech.example, name: Ria, company: Initech Solutions, company_id: initech,
     grants: [{{account: resold, level: designated}}]}}
"""
    )
    (error,) = errors_of(text)
    assert error.startswith("dir.yaml: contacts[0] pat@hooli.example: grants[0] resold: ")
    assert error.endswith("(ACC-4)")


def test_acc_4_company_ids_are_loaded_onto_accounts_and_contacts() -> None:
    text = (
        ACCOUNT.replace("    partner: true\n", "    partner: true\n    end_user_subsidiary: true\n")
        + """
contacts:
  - {email: pat@hooli.example, name: Pat, company: Hooli, company_id: hooli,
     grants: [{account: resold, level: designated}]}
  - {email: old@acme.example, name: Old, company: Acme Corp, grants: [{account: acme, level: designated}]}
"""
    )
    directory = parse_directory(text, "dir.yaml", CONFIG)
    resold = next(a for a in directory.accounts if a.id == "resold")
    assert (resold.sold_to_id, resold.end_user_id, resold.end_user_subsidiary) == (
        "initech",
        "hooli",
        True,
    )
    acme = next(a for a in directory.accounts if a.id == "acme")
    assert (acme.sold_to_id, acme.end_user_id, acme.end_user_subsidiary) == (None, None, False)
    assert [c.company_id for c in directory.contacts] == ["hooli", None]


def test_acc_4_bad_company_ids_are_refused_with_each_entry_named() -> None:
    common = "deployment: cloud, care_level: business, region: NA, contract: {start: 2026-01-01, end: 2027-01-01}"
    text = f"""
accounts:
  - {{id: a1, sold_to: A, end_user: B, partner: true, sold_to_id: "Acme Corp", end_user_id: b, {common}}}
  - {{id: a2, sold_to: A, end_user: B, end_user_id: b, {common}}}
  - {{id: a3, sold_to: A, end_user: B, partner: true, sold_to_id: a, {common}}}
  - {{id: a4, sold_to: A, end_user: A, partner: true, sold_to_id: a, end_user_id: a, {common}}}
  - {{id: a5, sold_to: A, end_user: A, sold_to_id: a, end_user_subsidiary: true, {common}}}
  - {{id: a6, sold_to: A, end_user: B, sold_to_id: a, end_user_id: b, end_user_subsidiary: "yes", {common}}}
contacts:
  - {{email: x@a.example, name: X, company: A, company_id: 7-Up!, grants: []}}
"""
    errors = errors_of(text)
    assert len(errors) == 7, errors
    expected = [
        ("accounts[0] a1: sold_to_id 'Acme Corp' is not a directory id", "(ACC-4)"),
        ("accounts[1] a2: end_user_id needs sold_to_id", "(ACC-4)"),
        ("accounts[2] a3: a partner account with sold_to_id also needs end_user_id", "(ACC-4)"),
        ("accounts[3] a4: a partner resells to another company", "(ACC-4)"),
        ("accounts[4] a5: end_user_subsidiary marks an End User", "(ACC-4)"),
        ("accounts[5] a6: end_user_subsidiary must be true or false", "(ACC-4)"),
        ("contacts[0] x@a.example: company_id '7-Up!' is not a directory id", "(ACC-4)"),
    ]
    for error, (start, end) in zip(errors, expected, strict=True):
        assert error.startswith(f"dir.yaml: {start}") and error.endswith(end), error


def test_acc_4_an_approval_needs_both_who_and_when() -> None:
    text = (
        ACCOUNT
        + """
contacts:
  - {email: pat@hooli.example, name: Pat, company: Hooli Pty Ltd,
     grants: [{account: resold, level: read_only, approved_by: ria@initech.example}]}
"""
    )
    (error,) = errors_of(text)
    assert "approved_by and approved_at" in error


def test_every_bad_entry_is_named_in_one_refusal() -> None:
    text = """
accounts:
  - {id: a1, sold_to: A, end_user: A, deployment: hybrid, care_level: business, region: NA,
     contract: {start: 2026-01-01, end: 2027-01-01}}
  - {id: a2, sold_to: B, end_user: B, deployment: cloud, care_level: business, region: MARS,
     contract: {start: 2027-01-01, end: 2026-01-01}}
  - {id: a3, end_user: C, deployment: cloud, care_level: business, region: NA,
     contract: {start: 2026-13-01, end: 2027-01-01}}
  - {id: a3, sold_to: D, end_user: D, deployment: cloud, care_level: business, region: NA,
     contract: {start: 2026-01-01, end: 2027-01-01}, colour: red}
contacts:
  - {email: x@d.example, name: X, company: D, grants: [{account: zz, level: admin}]}
  - {email: X@d.example, name: X2, company: D, slack: {team: T1, user: U1}}
  - {email: y@d.example, company: D, slack: {team: T1, user: U1}}
staff:
  - {email: s@vendor.example, name: S, roles: [analyst, boss]}
  - {email: t@vendor.example, name: T}
channels:
  - {platform: irc, id: "#x", purpose: account, account: a3}
  - {platform: slack, id: C1, purpose: account, account: nope}
  - {platform: slack, id: C1, purpose: bridge, regions: [NA]}
"""
    errors = errors_of(text)
    expected = [
        "accounts[0] a1: deployment 'hybrid' is not one of: on_premises, cloud",
        "accounts[1] a2: region 'MARS' is not a support region",
        "accounts[1] a2: contract starts 2027-01-01 after it ends 2026-01-01",
        "accounts[2] a3: sold_to is required",
        "accounts[2] a3: contract.start '2026-13-01' is not a date",
        "accounts[3] a3: unknown field 'colour'",
        "accounts[3] a3: duplicate account id 'a3'",
        "contacts[0] x@d.example: grants[0] zz: level 'admin' is not one of",
        "contacts[0] x@d.example: grants[0] zz: account 'zz' is not in the directory's accounts",
        "contacts[1] X@d.example: duplicate contact e-mail X@d.example",
        "contacts[2] y@d.example: name is required",
        "contacts[2] y@d.example: slack identity T1/U1 is already used by contacts[1] X@d.example",
        "staff[0] s@vendor.example: role 'boss' is not one of",
        "staff[1] t@vendor.example: roles is required",
        "channels[0] irc #x: platform 'irc' is not one of: slack, teams",
        "channels[1] slack C1: account 'nope' is not in the directory's accounts",
        "channels[2] slack C1: only a queue channel has regions or priorities filters",
        "channels[2] slack C1: duplicate channel slack C1",
    ]
    for message in expected:
        assert any(e.startswith("dir.yaml: " + message) for e in errors), message
    assert len(errors) == len(expected)


def test_invalid_yaml_and_unknown_sections_are_refused_naming_the_file() -> None:
    assert errors_of("accounts: [")[0].startswith("dir.yaml: not valid YAML")
    assert errors_of("- just a list")[0].startswith("dir.yaml: the file must be a mapping")
    assert errors_of("acounts: []") == [
        "dir.yaml: unknown section 'acounts'; expected accounts, contacts, staff, channels"
    ]


def test_an_empty_file_is_an_empty_directory() -> None:
    directory = parse_directory("", "dir.yaml", CONFIG)
    assert directory == Directory()


def test_acc_1_an_account_carries_its_companies_deployment_care_level_region_and_contract() -> None:
    text = """
accounts:
  - {id: initech, sold_to: Initech Solutions, end_user: Hooli Pty Ltd, partner: true,
     deployment: cloud, care_level: business_plus, region: APAC,
     contract: {start: 2026-03-01, end: 2027-02-28}}
"""
    directory = parse_directory(text, "acc1.yaml", PolicyConfig())
    (account,) = directory.accounts
    assert (account.sold_to, account.end_user, account.partner) == (
        "Initech Solutions",
        "Hooli Pty Ltd",
        True,
    )
    assert (account.deployment.value, account.care_level.value, account.region) == (
        "cloud",
        "business_plus",
        "APAC",
    )
    assert (account.contract_start.isoformat(), account.contract_end.isoformat()) == (
        "2026-03-01",
        "2027-02-28",
    )


def test_not_1_inc_6_accounts_may_carry_their_own_time_zone_and_licensed_agents() -> None:
    text = ACCOUNT.replace(
        "    region: NA\n", "    region: NA\n    timezone: America/Chicago\n    agents: 250\n", 1
    )
    directory = parse_directory(text, "dir.yaml", CONFIG)
    acme, resold = directory.accounts
    assert (acme.timezone, acme.agents) == ("America/Chicago", 250)
    assert (resold.timezone, resold.agents) == (None, None)  # both optional
    assert CONFIG.account_time_zone(acme) == "America/Chicago"
    assert CONFIG.account_time_zone(resold) == "Australia/Brisbane"  # the APAC region's


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("timezone: Mars/Olympus_Mons", "timezone 'Mars/Olympus_Mons' is not an IANA time zone"),
        ("timezone: ../../etc/passwd", "is not an IANA time zone"),
        ("timezone: 5", "timezone must be an IANA time zone name"),
        ("agents: 0", "agents must be the number of licensed agents"),
        ("agents: -3", "agents must be the number of licensed agents"),
        ("agents: lots", "agents must be the number of licensed agents"),
        ("agents: true", "agents must be the number of licensed agents"),
        ("agents: 2.5", "agents must be the number of licensed agents"),
    ],
)
def test_not_1_inc_6_a_bad_time_zone_or_agent_count_names_the_account(
    field: str, problem: str
) -> None:
    text = ACCOUNT.replace("    region: APAC\n", f"    region: APAC\n    {field}\n", 1)
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith("dir.yaml: accounts[1] resold: ")
    assert problem in errors[0]


def test_conv_6_an_account_lists_its_own_slack_workspaces_and_teams_tenants() -> None:
    text = ACCOUNT.replace(
        "    region: NA\n",
        "    region: NA\n    slack_workspaces: [T0ACME, E0ACME]\n"
        "    teams_tenants: [6F1C3B2A-0000-4000-8000-00000000ACME]\n",
        1,
    )
    acme, resold = parse_directory(text, "dir.yaml", CONFIG).accounts
    assert acme.homes == {
        ("slack", "T0ACME"),
        ("slack", "E0ACME"),
        ("teams", "6f1c3b2a-0000-4000-8000-00000000acme"),
    }
    assert resold.homes == frozenset()


@pytest.mark.parametrize(
    ("field", "why"),
    [
        ("slack_workspaces: T0ACME", "slack_workspaces must be a list"),
        (
            "slack_workspaces: [U0ALICE]",
            "slack_workspaces must list T... or E... ids, not 'U0ALICE'",
        ),
        ("slack_workspaces: [42]", "slack_workspaces must list T... or E... ids, not 42"),
        ("teams_tenants: ['tenant with spaces']", "teams_tenants must list tenant ids"),
    ],
)
def test_conv_6_a_malformed_workspace_or_tenant_list_is_refused_naming_the_account(
    field: str, why: str
) -> None:
    text = ACCOUNT.replace("    region: NA\n", f"    region: NA\n    {field}\n", 1)
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith("dir.yaml: accounts[0] acme: ") and why in errors[0]
