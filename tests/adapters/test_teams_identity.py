"""CONV-6 on Teams: only the vendor's own tenant yields staff, and a foreign tenant maps a user to
a contact by e-mail only when the contact's account lists that tenant as its own.

Senders here are not in the directory by (tenant, AAD id); the connector's member lookup (the
stand-in) vouches for their e-mail and home `tenantId`, as Teams does for a shared channel's
external members. Account `acme` lists tenant-acme; staff live in tenant-vendor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.standins.teams_connector import ConnectorStandIn
from bot.store.interface import Store
from tests.adapters.teams_fixtures import SECURE, TeamsWorld, TokenMinter, make_world

pytestmark = pytest.mark.security

STAFF_EMAIL = "ana@vendor.example"
CONTACT_EMAIL = "alice@acme.example"


def member(user: str, email: str, tenant: str) -> dict[str, str]:
    return {"id": f"29:{user}", "email": email, "tenantId": tenant}


async def world_with(
    store: Store, connector: ConnectorStandIn, minter: TokenMinter, staff_tenants: frozenset[str]
) -> tuple[TeamsWorld, object]:
    for user, email, tenant in [
        ("foreignana", STAFF_EMAIL, "tenant-evil"),
        ("homeana", STAFF_EMAIL, "tenant-vendor"),
        ("sharedalice", CONTACT_EMAIL, "tenant-acme"),
        ("foreignalice", CONTACT_EMAIL, "tenant-evil"),
    ]:
        connector.members[f"29:{user}"] = member(user, email, tenant)
    settings = replace(
        SECURE, microsoft_app_password="test-app-password-conv6", teams_staff_tenants=staff_tenants
    )
    return await make_world(store, connector, settings, minter)


@pytest.fixture
async def world(
    teams_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    made, stop = await world_with(
        teams_store, teams_connector, minter, frozenset({"TENANT-VENDOR"})
    )
    yield made
    await stop()  # type: ignore[operator]


@pytest.fixture
async def unconfigured(
    teams_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    made, stop = await world_with(teams_store, teams_connector, minter, frozenset())
    yield made
    await stop()  # type: ignore[operator]


async def ask(world: TeamsWorld, user: str, text: str, tenant: str = "tenant-vendor") -> str:
    """`text` from `user` in a chat hosted by `tenant`; the bot's answer."""
    activity = world.personal(text, user=user, aad=f"aad-{user}")
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"] = {"tenant": {"id": tenant}}
    response = await world.send(activity)
    assert response.status in (200, 201)
    # Teams markdown escapes dropped; monospace runs (commands) come as their own lines.
    return " ".join(world.connector.posts[-1].text.replace("\\", "").split())


async def test_conv_6_a_foreign_tenant_user_with_a_staff_email_is_not_staff(
    world: TeamsWorld,
) -> None:
    assert "Unknown command queue" in await ask(world, "foreignana", "queue")
    assert "support analysts can take a case" in await ask(
        world, "foreignana", "take 1001", "tenant-evil"
    )


async def test_conv_6_a_vendor_tenant_user_with_a_staff_email_is_staff(world: TeamsWorld) -> None:
    answer = await ask(world, "homeana", "whoami")
    assert STAFF_EMAIL in answer and "analyst" in answer
    assert "Unknown command" not in await ask(world, "homeana", "queue")


async def test_conv_6_without_staff_tenants_configured_nobody_is_staff_by_email(
    unconfigured: TeamsWorld,
) -> None:
    assert "Unknown command queue" in await ask(unconfigured, "homeana", "queue")


async def test_conv_6_a_shared_channel_user_of_the_customers_listed_tenant_maps_to_the_contact(
    world: TeamsWorld,
) -> None:
    answer = await ask(world, "sharedalice", "whoami")
    assert CONTACT_EMAIL in answer
    assert "acme" in answer
    assert "globex" not in answer  # globex lists no tenant: that grant does not come along


async def test_conv_6_an_unlisted_foreign_tenant_maps_a_contact_email_to_nobody(
    world: TeamsWorld,
) -> None:
    answer = await ask(world, "foreignalice", "whoami", "tenant-evil")
    assert CONTACT_EMAIL not in answer
    assert "not linked" in answer
