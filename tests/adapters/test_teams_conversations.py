"""#13: private notices reach Teams users through their 1:1 chat (ACC-9, R3).

The acme tenant has no Teams channel bound in this directory, so nothing but what the users
themselves sent tells the bot where their tenant's connector is: the 1:1 chat a user wrote in,
or the tenant's service URL from another user's activity.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.teams.delivery import TeamsDeliverer
from bot.adapters.teams.hosts import ServiceHosts
from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.jobs.outbox_worker import OutboxWorker
from bot.messages import ChatRequest, Command, Outcome
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.settings import DEFAULT_TEAMS_SERVICE_HOSTS
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.interface import Store
from bot.store.sql import open_store

from .teams_fixtures import APP_ID, DIRECTORY, SECURE, TeamsWorld, TokenMinter, make_world

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

ANSWER = "We found the cause: the export job ran out of disk"


@pytest.fixture
async def unbound_store(tmp_path: Path, teams_connector: ConnectorStandIn) -> AsyncIterator[Store]:
    """The command tests' directory with acme's Teams channel bound in another tenant."""
    text = DIRECTORY.read_text("utf-8").replace(
        'service_url: "http://127.0.0.1:1/teams/", tenant: tenant-acme}',
        f'service_url: "{teams_connector.url}", tenant: tenant-elsewhere}}',
    )
    assert "tenant-elsewhere" in text
    path = tmp_path / "directory.yaml"
    path.write_text(text, "utf-8")
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'teams.db'}")
    await load_directory(store, path)
    yield store
    await store.close()


@pytest.fixture
async def world(
    unbound_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    teams_connector.members["29:rita"] = {"id": "29:rita", "email": "rita@acme.example"}
    made, stop = await make_world(unbound_store, teams_connector, SECURE, minter)
    yield made
    await stop()


async def say(store: Store, email: str, platform: Platform, text: str, world: TeamsWorld) -> None:
    """`text` typed by a directory person through the shared router (an analyst on Slack)."""
    async with store.unit_of_work() as uow:
        actor = await identity.by_email(uow.directory, platform, f"id-{email}", email)
    request = ChatRequest(platform, "T0", "D1", actor, Command.unparsed(text), world.now[0], True)
    reply = await Router(store, PolicyConfig()).handle(request)
    assert reply.outcome is Outcome.OK, reply


async def deliver(world: TeamsWorld) -> None:
    teams = TeamsDeliverer(world.store, world.adapter.connector, world.adapter.chats, APP_ID)
    await OutboxWorker(world.store, {Platform.TEAMS: teams}).drain(world.now[0])


async def only_case(store: Store) -> int:
    async with store.unit_of_work() as uow:
        [case] = await uow.cases.for_account("acme")
    return case.number


async def test_13_a_user_who_only_wrote_in_a_1_1_chat_receives_the_analysts_respond_reply(
    world: TeamsWorld,
):
    opening = world.personal('open medium "Export fails" --description "Every export fails"')
    assert (await world.send(opening)).status == 200  # alice writes to the bot, nothing else
    number = await only_case(world.store)
    world.advance(hours=1)
    await say(
        world.store, "ana@vendor.example", Platform.SLACK, f"respond {number} {ANSWER}", world
    )
    await deliver(world)
    [answer] = [p for p in world.connector.posts if ANSWER in p.text]
    assert answer.conversation_id == "a:1on1-29:alice"  # the chat she wrote in
    assert answer.authorization == "Bearer outbound-test-token"
    assert world.connector.created == []  # no new conversation was needed


async def test_13_a_user_never_seen_gets_the_1_1_chat_created_and_the_reply_delivered(
    world: TeamsWorld,
):
    # Rita, of the same tenant, wrote once: the bot learns the tenant's connector from her.
    assert (await world.send(world.personal("help", user="rita", aad="aad-rita"))).status == 200
    # Alice opened her case elsewhere (the console on Teams' behalf); the bot never saw her.
    await say(
        world.store, "alice@acme.example", Platform.TEAMS, 'open medium "Export fails"', world
    )
    number = await only_case(world.store)
    world.advance(hours=1)
    await say(
        world.store, "ana@vendor.example", Platform.SLACK, f"respond {number} {ANSWER}", world
    )
    await deliver(world)
    [created] = world.connector.created
    assert created["tenantId"] == "tenant-acme"
    assert created["members"] == [{"id": "aad-alice", "aadObjectId": "aad-alice"}]
    assert created["bot"]["id"] == f"28:{APP_ID}"
    [answer] = [p for p in world.connector.posts if ANSWER in p.text]
    assert answer.conversation_id == "a:1on1-aad-alice"
    async with world.store.unit_of_work() as uow:
        stored = await uow.conversations.get("teams:user:aad-alice")
    assert stored is not None and stored["conversation"]["id"] == "a:1on1-aad-alice"


async def test_13_a_private_notice_nobody_can_route_is_logged_with_the_reason(
    world: TeamsWorld, caplog: pytest.LogCaptureFixture
):
    await say(
        world.store, "alice@acme.example", Platform.TEAMS, 'open medium "Export fails"', world
    )
    number = await only_case(world.store)
    world.advance(hours=1)
    await say(
        world.store, "ana@vendor.example", Platform.SLACK, f"respond {number} {ANSWER}", world
    )
    with caplog.at_level(logging.WARNING):
        await deliver(world)
    assert world.connector.calls == 0
    # The adapter's line (the outbox's dead-letter warning names the user as well).
    [reason] = [
        r.getMessage()
        for r in caplog.records
        if "aad-alice" in r.getMessage() and r.name == "bot.adapters.teams.delivery"
    ]
    dead = [r.getMessage() for r in caplog.records if r.name == "bot.jobs.outbox_outcomes"]
    assert len(dead) == 1 and "is a dead letter: connector answered 404" in dead[0]
    assert "no 1:1 chat is known" in reason and "tenant-acme" in reason


async def test_13_the_stored_1_1_chat_follows_the_conversation_the_user_last_wrote_in(
    world: TeamsWorld,
):
    for _ in range(3):
        assert (await world.send(world.personal("help"))).status == 200
    moved = world.personal("help") | {
        "conversation": {"id": "a:1on1-new", "tenantId": "tenant-acme"}
    }
    moved["conversation"]["conversationType"] = "personal"
    assert (await world.send(moved)).status == 200
    async with world.store.unit_of_work() as uow:
        stored = await uow.conversations.get("teams:user:aad-alice")
    assert stored is not None and stored["conversation"]["id"] == "a:1on1-new"


def test_13_first_contact_uses_the_clouds_well_known_endpoint_only_when_listed():
    assert ServiceHosts(DEFAULT_TEAMS_SERVICE_HOSTS).proactive_url() == (
        "https://smba.trafficmanager.net/teams/"
    )
    assert ServiceHosts(["smba.infra.gov.teams.microsoft.us"]).proactive_url() == (
        "https://smba.infra.gov.teams.microsoft.us/teams/"
    )
    assert ServiceHosts(["127.0.0.1"]).proactive_url() is None


async def test_13_the_tenant_url_of_an_activity_that_is_refused_is_never_stored(
    world: TeamsWorld, minter: TokenMinter
):
    forged = world.personal("help", user="rita", aad="aad-rita")
    assert (await world.send(forged, token=minter.token(None))).status == 401
    async with world.store.unit_of_work() as uow:
        assert await uow.conversations.get("teams:tenant:tenant-acme") is None
