"""ACC-5: designated contacts need an individual corporate e-mail address."""

from __future__ import annotations

import pytest

from bot.policy.config import PolicyConfig
from bot.policy.identity import corporate_email_problem

CONFIG = PolicyConfig()


@pytest.mark.parametrize(
    "email", ["alice@acme.example", "Alice.Able@ACME.example", "a+cases@corp.acme.example"]
)
def test_acc_5_individual_corporate_addresses_are_fine(email: str) -> None:
    assert corporate_email_problem(email, CONFIG) is None


@pytest.mark.parametrize(
    "email", ["alice@gmail.com", "Alice@GMAIL.COM", "bob@outlook.com", "c@mail.proton.me"]
)
def test_acc_5_public_mail_providers_and_their_subdomains_are_refused(email: str) -> None:
    problem = corporate_email_problem(email, CONFIG)
    assert problem is not None
    assert "public mail provider" in problem
    assert "ACC-5" in problem


@pytest.mark.parametrize(
    "email", ["support@acme.example", "ADMIN@acme.example", "info+eu@acme.example", "noreply@a.io"]
)
def test_acc_5_role_aliases_are_refused_with_or_without_a_tag(email: str) -> None:
    problem = corporate_email_problem(email, CONFIG)
    assert problem is not None
    assert "role address" in problem


@pytest.mark.parametrize(
    "email",
    [
        "",
        "alice",
        "alice@",
        "@acme.example",
        "a@b@acme.example",
        "alice@acme",
        "al ice@acme.example",
        "alice@-acme.example",
        "alice..able@acme.example",
        " alice@acme.example",
    ],
)
def test_acc_5_malformed_addresses_are_refused(email: str) -> None:
    problem = corporate_email_problem(email, CONFIG)
    assert problem is not None
    assert "not a valid e-mail address" in problem


def test_acc_5_the_provider_and_alias_lists_come_from_the_config() -> None:
    config = PolicyConfig(public_mail_domains=frozenset({"Acme.Example"}), role_aliases=frozenset())
    assert corporate_email_problem("alice@acme.example", config) is not None
    assert corporate_email_problem("support@globex.example", config) is None
    assert corporate_email_problem("alice@gmail.com", config) is None
