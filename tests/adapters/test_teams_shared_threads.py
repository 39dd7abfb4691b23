"""CONV-6 over HTTP on Teams: case threads in a shared channel hosted by the vendor's tenant.

acme's account channel and the queue are shared channels of the vendor (tenant-vendor): every
activity in them carries the host tenant (`conversation.tenantId`, `channelData.tenant.id`),
while each member's home tenant is what the connector's member lookup returns (`tenantId`), as
for a shared channel's external members. Account acme lists tenant-acme; tenant-evil is a tenant
nobody lists. The directory lists Alice by (tenant-acme, aad-alice); staff live in tenant-vendor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.teams.conversation import REPLY_COMMAND
from bot.directory import load_directory
from bot.model import EventKind
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.sql import open_store

from .teams_fixtures import CHANNEL, DIRECTORY, SECURE, TeamsWorld, TokenMinter, make_world
from .test_teams_threads import QUEUE, alert_id, case_of, deliver, in_one_on_one, updates

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

HOST = "tenant-vendor"
MEMBERS = [
    ("alice", "aad-alice", "alice@acme.example", "tenant-acme"),
    ("evilalice", "aad-evilalice", "alice@acme.example", "tenant-evil"),
    ("evilana", "aad-evilana", "ana@vendor.example", "tenant-evil"),
]


@pytest.fixture
async def world(
    tmp_path: Path, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    directory = yaml.safe_load(DIRECTORY.read_text("utf-8"))
    for channel in directory["channels"]:
        if channel["platform"] == "teams":
            channel |= {"service_url": teams_connector.url, "tenant": HOST}
    directory["channels"].append(
        {
            "platform": "teams",
            "id": QUEUE,
            "purpose": "queue",
            "tenant": HOST,
            "service_url": teams_connector.url,
        }
    )
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(directory), "utf-8")
    for user, _aad, email, home in MEMBERS:
        teams_connector.members[f"29:{user}"] = {"id": f"29:{user}", "email": email}
        teams_connector.members[f"29:{user}"]["tenantId"] = home
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'teams.db'}")
    await load_directory(store, path)
    settings = replace(SECURE, teams_staff_tenants=frozenset({HOST}))
    made, stop = await make_world(store, teams_connector, settings, minter)
    yield made
    await stop()
    await store.close()


def hosted(activity: dict[str, Any]) -> dict[str, Any]:
    """The activity as the shared channel's host tenant delivers it."""
    activity["conversation"]["tenantId"] = HOST
    activity["channelData"]["tenant"] = {"id": HOST}
    return activity


def said(world: TeamsWorld, text: str, root: str, user: str, channel: str = CHANNEL) -> Any:
    aad = next(a for u, a, _e, _h in MEMBERS if u == user)
    activity = world.in_channel("x", user, aad)
    activity["text"], activity["entities"] = f"<p>{text}</p>", []
    activity["conversation"]["id"] = f"{channel};messageid={root}"
    activity["channelData"]["channel"] = {"id": channel}
    return hosted(activity)


async def open_case(world: TeamsWorld) -> str:
    post = hosted(world.in_channel("open medium Reports export fails --description 'Error 500'"))
    assert (await world.send(post)).status == 200
    (card,) = world.connector.in_thread(CHANNEL, post["id"])
    assert "0000001001" in card.text
    return str(post["id"])


async def written(world: TeamsWorld) -> tuple[Any, int]:
    """The case and its audit trail length: what a refusal must leave as it was."""
    async with world.store.unit_of_work(read_only=True) as uow:
        return await uow.cases.get(1001), len(await uow.audit.entries(1001))


@pytest.mark.parametrize("email_shown", [True, False])
async def test_conv_6_a_contact_of_the_accounts_own_tenant_replying_in_a_shared_channel_thread_is_one_update(
    world: TeamsWorld, email_shown: bool
) -> None:
    """Mapped by the e-mail her home tenant vouches for, or, where the host tenant's member
    lookup shows no e-mail for an external member, by the directory's (tenant-acme, aad-alice)."""
    if not email_shown:
        del world.connector.members["29:alice"]["email"]
    root = await open_case(world)
    reply = said(world, "Log attached", root, "alice")
    assert (await world.send(reply)).status == 200
    await world.send(reply)  # re-delivered
    assert await updates(world) == [("alice@acme.example", "Log attached")]


async def test_conv_6_a_contact_email_from_a_foreign_tenant_is_not_mapped_and_writes_nothing(
    world: TeamsWorld,
) -> None:
    root = await open_case(world)
    before = await written(world)
    in_channel = len(world.connector.in_thread(CHANNEL, root))
    await world.send(said(world, "Close it", root, "evilalice"))
    assert await written(world) == before
    assert await updates(world) == []
    (hint,) = in_one_on_one(world, "evilalice")
    assert "Nothing changed" in hint.text
    assert len(world.connector.in_thread(CHANNEL, root)) == in_channel  # the hint is private


async def test_conv_6_a_foreign_tenant_user_with_a_staff_email_is_never_staff_in_a_thread(
    world: TeamsWorld,
) -> None:
    root = await open_case(world)
    await deliver(world)
    alert = alert_id(world)
    before = await written(world)
    note = said(world, "Fixed, closing", alert, "evilana", QUEUE)
    await world.send(note)
    action = said(world, "", alert, "evilana", QUEUE) | {
        "type": "invoke",
        "name": "composeExtension/submitAction",
        "value": {
            "commandId": REPLY_COMMAND,
            "commandContext": "message",
            "data": {},
            "messagePayload": {
                "id": note["id"],
                "body": {"contentType": "html", "content": "<p>Fixed, closing</p>"},
            },
        },
    }
    await world.send(action)
    await deliver(world)
    after = await written(world)
    assert after == before
    case = await case_of(world)
    assert not [e for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert len(world.connector.in_thread(CHANNEL, root)) == 1  # only the case card
