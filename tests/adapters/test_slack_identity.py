"""CONV-6 on Slack: only the vendor's own workspaces yield staff, and a foreign workspace maps a
user to a contact by e-mail only when the contact's account lists it as its own.

The directory (tests/unit/commands/directory.yaml): staff sit in the vendor's workspace T0,
account `acme` lists its own workspace T1, alice holds designated on acme and read-only on
globex (which lists no workspace). Users below are *not* in the directory by Slack id, so only
`users.info` (the stand-in) says who they are and where their home is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.model import AccessLevel, Grant
from bot.standins.slack_api import SlackStandIn
from bot.store.interface import Store
from tests.adapters.slack_fixtures import SlackHarness, running_slack

pytestmark = pytest.mark.security

STAFF_EMAIL = "ana@vendor.example"  # an analyst, listed by Slack id only in T0
CONTACT_EMAIL = "alice@acme.example"
LOG_NEEDLES = ("Connect login fails", "Forged login")  # customer text: tests/test_log_secrets


@pytest.fixture
def people(slack_api: SlackStandIn) -> SlackStandIn:
    """Profiles Slack vouches for: (e-mail, home workspace, Enterprise Grid id)."""
    for user, email, team, grid in [
        ("UFOREIGNANA", STAFF_EMAIL, "T9", None),
        ("UHOMEANA", STAFF_EMAIL, "T0", None),
        ("UGRIDANA", STAFF_EMAIL, "T7", "E0"),
        ("UCONNECTALICE", CONTACT_EMAIL, "T1", None),
        ("UFOREIGNALICE", CONTACT_EMAIL, "T9", None),
    ]:
        slack_api.emails[user] = email
        slack_api.homes[user] = (team, grid)
    return slack_api


@pytest.fixture
async def unconfigured(people: SlackStandIn, slack_store: Store) -> AsyncIterator[SlackHarness]:
    """SUPPORTBOT_SLACK_STAFF_WORKSPACES unset."""
    async with running_slack(people, slack_store, staff_workspaces=frozenset()) as harness:
        yield harness


@pytest.fixture
async def grid(people: SlackStandIn, slack_store: Store) -> AsyncIterator[SlackHarness]:
    """The vendor configured its Enterprise Grid id E0 instead of a workspace id."""
    async with running_slack(people, slack_store, staff_workspaces=frozenset({"E0"})) as harness:
        yield harness


def last_answer(slack: SlackHarness) -> str:
    return str(slack.api.calls_to("response_url")[-1].body)


async def test_conv_6_a_foreign_workspace_user_with_a_staff_email_is_not_staff(
    slack: SlackHarness, people: SlackStandIn
) -> None:
    actor = await slack.adapter.users.actor("T9", "UFOREIGNANA")
    assert actor.staff is None and actor.contact is None
    # Over HTTP, even from the vendor's own workspace's channel: staff verbs are unknown to them.
    await slack.slash("queue", user="UFOREIGNANA", team="T0", channel="CQUEUE")
    assert "Unknown command `queue`" in last_answer(slack)
    await slack.slash("take 1001", user="UFOREIGNANA", team="T9")
    assert "Only the vendor's support analysts can take a case" in last_answer(slack)


async def test_conv_6_a_vendor_workspace_user_with_a_staff_email_is_staff(
    slack: SlackHarness, people: SlackStandIn
) -> None:
    actor = await slack.adapter.users.actor("T0", "UHOMEANA")
    assert actor.staff is not None and actor.staff.email == STAFF_EMAIL
    await slack.slash("queue", user="UHOMEANA", team="T0", channel="CQUEUE")
    assert "Unknown command" not in last_answer(slack)


async def test_conv_6_the_vendors_enterprise_grid_id_makes_its_workspaces_staff_homes(
    grid: SlackHarness,
) -> None:
    assert (await grid.adapter.users.actor("T7", "UGRIDANA")).staff is not None
    assert (await grid.adapter.users.actor("T9", "UFOREIGNANA")).staff is None


async def test_conv_6_without_staff_workspaces_configured_nobody_is_staff_by_email(
    unconfigured: SlackHarness,
) -> None:
    assert (await unconfigured.adapter.users.actor("T0", "UHOMEANA")).staff is None
    # The directory's own Slack ids stay valid: ana is listed as T0/UANA.
    listed = await unconfigured.adapter.users.actor("T0", "UANA")
    assert listed.staff is not None and listed.staff.email == STAFF_EMAIL


async def test_conv_6_a_slack_connect_user_of_the_customers_listed_workspace_maps_to_the_contact(
    slack: SlackHarness, people: SlackStandIn
) -> None:
    # The request comes through the vendor's workspace T0 (a Slack Connect channel bound to
    # acme); the user's home is acme's own workspace T1.
    actor = await slack.adapter.users.actor("T0", "UCONNECTALICE")
    assert actor.contact is not None and actor.contact.email == CONTACT_EMAIL
    # Only the grants of accounts that list T1: globex lists no workspace.
    assert actor.contact.grants == (Grant("acme", AccessLevel.DESIGNATED),)
    await slack.slash(
        "open medium Connect login fails --description 'agents see error 503 at login'",
        user="UCONNECTALICE",
        team="T0",
    )
    case = await slack.case(1001)
    assert case is not None and case.account_id == "acme"
    assert case.opened_by == CONTACT_EMAIL


async def test_conv_6_an_unlisted_foreign_workspace_maps_a_contact_email_to_nobody(
    slack: SlackHarness, people: SlackStandIn
) -> None:
    actor = await slack.adapter.users.actor("T9", "UFOREIGNALICE")
    assert not actor.is_mapped
    await slack.slash(
        "open medium Forged login --description 'agents see error 503 at login'",
        user="UFOREIGNALICE",
        team="T9",
    )
    assert await slack.count_cases() == 0
    assert slack.api.calls_to("response_url")[-1].body["response_type"] == "ephemeral"
