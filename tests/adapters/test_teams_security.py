"""Attacks on the Teams endpoint over HTTP against the real app (issue #12, R1 and R10).

Every test runs with the network fenced to loopback: a name lookup or connection to anything
else fails the test (`loopback_only`), and the connector client's requests are recorded as they
leave the process (`TeamsWorld.wire`), Authorization header included.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import services
from bot.metrics import Metrics
from bot.model import Platform
from bot.server import Server
from bot.settings import DEFAULT_TEAMS_SERVICE_HOSTS, Settings
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.interface import Store

from .teams_fixtures import APP_ID, EMULATOR, TeamsWorld, TokenMinter, make_world

pytestmark = [pytest.mark.security, pytest.mark.usefixtures("loopback_only")]

STAFF_EMAIL = {"id": "29:mallory", "email": "ana@vendor.example"}  # what an attacker would answer
# The customer text of the activities below: never logged above debug (tests/test_log_secrets).
LOG_NEEDLES = ("Every export fails",)


@pytest.fixture
async def attacker() -> AsyncIterator[ConnectorStandIn]:
    """An attacker's connector on another loopback address: answers lookups with staff e-mail."""
    stand_in = ConnectorStandIn()
    stand_in.members["29:mallory"] = STAFF_EMAIL
    server = TestServer(stand_in.app(), host="127.0.0.2")
    await server.start_server()
    stand_in.url = str(server.make_url("/teams/"))
    yield stand_in
    await server.close()


@pytest.fixture
async def production_hosts(
    teams_store: Store, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    """Credentials set; the allow-list is Microsoft's default hosts plus the stand-in."""
    settings = Settings(
        microsoft_app_id=APP_ID,
        microsoft_app_password="test-secret",
        teams_service_hosts=(*DEFAULT_TEAMS_SERVICE_HOSTS, "127.0.0.1"),
    )
    world, stop = await make_world(teams_store, teams_connector, settings, minter)
    yield world
    await stop()


async def written(world: TeamsWorld) -> tuple[int, int, int]:
    """Cases of acme, audit entries and stored conversation references."""
    async with world.store.unit_of_work() as uow:
        cases = len(await uow.cases.for_account("acme"))
        audit = len(await uow.audit.entries())
        refs = sum(
            [
                await uow.conversations.get(key) is not None
                for key in (
                    "teams:user:aad-alice",
                    "teams:user:29:mallory",
                    "teams:tenant:tenant-acme",
                )
            ]
        )
    return cases, audit, refs


def opening(world: TeamsWorld, **extra: Any) -> dict[str, Any]:
    return world.personal('open medium "Export fails" --description "Every export fails"') | extra


# -- R10: no credentials, no Teams -----------------------------------------------------------


async def test_r10_teams_without_credentials_answers_503_and_logs_how_to_enable_it(
    tmp_path: Path, teams_connector: ConnectorStandIn, caplog: pytest.LogCaptureFixture
):
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    async with services(settings) as svc:
        server = Server(svc, Metrics(), scheduler=False)
        async with TestClient(TestServer(server.web, host="127.0.0.1")) as client:
            # A loopback caller naming a staff member's AAD id: trusted before, refused now.
            activity = {
                "type": "message",
                "id": "1",
                "serviceUrl": teams_connector.url,
                "from": {"id": "29:ivan", "aadObjectId": "aad-ivan"},
                "conversation": {"id": "a:1", "conversationType": "personal"},
                "channelData": {"tenant": {"id": "tenant-vendor"}},
                "text": "queue",
            }
            response = await client.post("/api/messages", json=activity)
            body = await response.json()
        async with svc.store.unit_of_work() as uow:
            audit = await uow.audit.entries()
            reference = await uow.conversations.get("teams:user:aad-ivan")
    assert response.status == 503
    assert "MICROSOFT_APP_ID" in body["error"] and "SUPPORTBOT_TEAMS_EMULATOR" in body["error"]
    assert Platform.TEAMS not in server.connections and Platform.TEAMS not in server.deliverers
    assert audit == [] and reference is None
    assert teams_connector.calls == 0
    hints = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("MICROSOFT_APP_PASSWORD" in h and "docs/teams.md" in h for h in hints)


def test_r10_emulator_mode_with_credentials_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from bot.cli import main

    monkeypatch.setenv("SUPPORTBOT_TEAMS_EMULATOR", "1")
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "test-secret")
    assert main(["serve", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert "SUPPORTBOT_TEAMS_EMULATOR=1 cannot be combined with MICROSOFT_APP_ID" in error
    assert "test-secret" not in error


@pytest.mark.parametrize(
    ("raw", "on"), [("1", True), ("true", True), ("0", False), ("", False), ("no", False)]
)
def test_r10_supportbot_teams_emulator_is_a_plain_switch(raw: str, on: bool):
    settings = Settings.from_env({"SUPPORTBOT_TEAMS_EMULATOR": raw})
    assert settings.teams_emulator is on and settings.teams_enabled is on


def test_r10_a_mistyped_supportbot_teams_emulator_is_refused():
    with pytest.raises(ValueError, match="SUPPORTBOT_TEAMS_EMULATOR must be 1 or 0"):
        Settings.from_env({"SUPPORTBOT_TEAMS_EMULATOR": "enabled"})


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        ("evil.blob.core.windows.net", "anyone can own a host"),
        ("contoso.sharepoint.com", "anyone can own a host"),
        ("files.svc.ms", "anyone can own a host"),
        ("https://smba.trafficmanager.net/amer/", "no scheme, port, path or wildcard"),
        ("*.botframework.com", "no scheme, port, path or wildcard"),
        (" , ", "lists no host"),
    ],
)
def test_r1_the_service_host_allow_list_refuses_open_registration_domains_and_patterns(
    raw: str, refusal: str
):
    with pytest.raises(ValueError, match=refusal):
        Settings.from_env({"SUPPORTBOT_TEAMS_SERVICE_HOSTS": raw})


# -- R10: emulator mode replies to loopback only ------------------------------------------------


async def test_r10_emulator_mode_refuses_a_non_loopback_service_url_and_sends_nothing(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture
):
    for _ in range(2):
        activity = opening(teams, serviceUrl="https://smba.trafficmanager.net/amer/")
        assert (await teams.send(activity)).status == 401
    assert await written(teams) == (0, 0, 0)
    assert teams.wire.calls == [] and teams.wire.stopped == []
    refusals = [r for r in caplog.records if "smba.trafficmanager.net" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING  # logged once


async def test_r10_emulator_mode_never_posts_proactively_outside_loopback(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture
):
    from bot.adapters.teams.connector import ConnectorError

    for _ in range(2):
        with pytest.raises(ConnectorError):
            await teams.adapter.connector.post_activity(
                "https://smba.trafficmanager.net/emea/", "19:c@thread.tacv2", {"type": "message"}
            )
    assert teams.wire.calls == [] and teams.wire.stopped == []
    warned = [r for r in caplog.records if "smba.trafficmanager.net" in r.getMessage()]
    assert len(warned) == 1


# -- R1: the serviceurl claim and the outbound allow-list ---------------------------------------


@pytest.mark.parametrize(
    "attack",
    [
        "claim missing",
        "claim for the real connector, activity elsewhere",
        "storage host",
        "sharepoint host",
        "attachment CDN host",
        "look-alike host",
        "claim with another path",
    ],
)
async def test_r1_tokens_never_reach_hosts_their_token_or_the_allow_list_do_not_name(
    production_hosts: TeamsWorld, minter: TokenMinter, attacker: ConnectorStandIn, attack: str
):
    world = production_hosts
    real = world.service_url
    claim, url = {
        "claim missing": (None, attacker.url),
        "claim for the real connector, activity elsewhere": (real, attacker.url),
        "storage host": (
            "https://evil.blob.core.windows.net/",
            "https://evil.blob.core.windows.net/",
        ),
        "sharepoint host": ("https://evil.sharepoint.com/", "https://evil.sharepoint.com/"),
        "attachment CDN host": ("https://evil.svc.ms/", "https://evil.svc.ms/"),
        "look-alike host": (
            "https://smba.trafficmanager.net.evil.example/",
            "https://smba.trafficmanager.net.evil.example/",
        ),
        "claim with another path": (real, real + "x/"),
    }[attack]
    for activity in (
        opening(world, serviceUrl=url),
        world.personal("whoami", user="mallory", aad=None, serviceUrl=url),
        world.personal(None, type="conversationUpdate", serviceUrl=url),
    ):
        response = await world.send(activity, token=minter.token(claim))
        assert response.status == 401
    assert await written(world) == (0, 0, 0)
    assert world.wire.bearing_token() == [] and world.wire.calls == []
    assert world.connector.calls == 0 and attacker.calls == 0


async def test_r1_the_control_a_matching_claim_on_an_allowed_host_is_answered_with_the_token(
    production_hosts: TeamsWorld, minter: TokenMinter
):
    response = await production_hosts.send(opening(production_hosts))
    assert response.status == 200
    [call] = production_hosts.wire.calls
    assert call.url.startswith(production_hosts.service_url)
    assert call.authorization == "Bearer outbound-test-token"


async def test_r1_a_stored_reference_on_a_storage_host_is_never_sent_the_token(
    production_hosts: TeamsWorld, caplog: pytest.LogCaptureFixture
):
    from bot.adapters.teams.delivery import TeamsDeliverer
    from bot.jobs.delivery import DeliveryFailed
    from bot.messages import Notice, NoticeKind, Reply
    from bot.store.interface.outbox import OutboxMessage, OutboxState, TargetKind

    from .teams_fixtures import T0

    world = production_hosts
    poisoned = {
        "serviceUrl": "https://evil.blob.core.windows.net/",
        "conversation": {"id": "a:poisoned"},
    }
    async with world.store.unit_of_work() as uow:  # as an older version could have stored it
        await uow.conversations.save("teams:user:aad-alice", poisoned, T0)
        await uow.commit()
    teams = TeamsDeliverer(world.store, world.adapter.connector, world.adapter.chats, APP_ID)
    message = OutboxMessage(
        1, "k", Platform.TEAMS, "aad-alice", TargetKind.PRIVATE, {}, OutboxState.PENDING, 0, T0, T0
    )
    reply = Reply(Notice(NoticeKind.CASE_UPDATED, "Reply", "Confidential answer"))
    with pytest.raises(DeliveryFailed):
        await teams.deliver(message, reply)
    assert world.wire.bearing_token() == [] and world.connector.calls == 0
    assert any("blob.core.windows.net" in r.getMessage() for r in caplog.records)


# -- ACC-7: identity cannot be forged through an attacker's connector -------------------------


async def test_acc_7_a_member_lookup_is_never_asked_of_an_attackers_service_url(
    teams_secure: TeamsWorld, minter: TokenMinter, attacker: ConnectorStandIn
):
    world = teams_secure
    queue = world.personal("whoami", user="mallory", aad=None, serviceUrl=attacker.url)
    unsigned = await world.client.post("/api/messages", json=queue)
    mismatched = await world.send(queue, token=minter.token(world.service_url))
    # Even a genuine token for the attacker's URL is refused: 127.0.0.2 is not an allowed host.
    own_claim = await world.send(queue, token=minter.token(attacker.url))
    assert [unsigned.status, mismatched.status, own_claim.status] == [401, 401, 401]
    assert attacker.calls == 0 and attacker.lookups == 0 and world.connector.calls == 0
    # The control: through the real connector the same user is looked up and is not staff.
    world.connector.members["29:mallory"] = {"id": "29:mallory", "email": "mallory@evil.example"}
    assert (await world.send(world.personal("whoami", user="mallory", aad=None))).status == 200
    assert world.connector.lookups == 1
    [answer] = world.connector.posts
    assert "ana@vendor.example" not in answer.text and "analyst" not in answer.text.lower()


# -- stored references are written from authenticated activities only -------------------------


async def test_r1_stored_references_are_not_re_pointed_by_unauthenticated_activities(
    teams_secure: TeamsWorld, teams_store: Store, minter: TokenMinter, attacker: ConnectorStandIn
):
    world = teams_secure
    assert (await world.send(world.personal("help"))).status == 200  # alice's 1:1 is stored
    async with teams_store.unit_of_work() as uow:
        before = await uow.conversations.get("teams:user:aad-alice")
    assert before is not None and before["serviceUrl"] == world.service_url
    hijack = world.personal(None, type="conversationUpdate", serviceUrl=attacker.url)
    refused = [
        await world.client.post("/api/messages", json=hijack),
        await world.send(hijack, token=minter.token(world.service_url)),
        await world.send(hijack | {"serviceUrl": world.service_url + "../evil/"}),
        await world.send(hijack, token=minter.token(None)),
    ]
    assert [r.status for r in refused] == [401] * 4
    # An emulator-mode process on the same database keeps its references apart.
    emulator, stop = await make_world(teams_store, attacker, EMULATOR)
    try:
        hijack_local = emulator.personal(None, type="conversationUpdate", serviceUrl=attacker.url)
        assert (await emulator.send(hijack_local)).status == 200
    finally:
        await stop()
    async with teams_store.unit_of_work() as uow:
        after = await uow.conversations.get("teams:user:aad-alice")
        apart = await uow.conversations.get("teams-emulator:user:aad-alice")
    assert after == before
    assert apart is not None and apart["serviceUrl"] == attacker.url
    assert attacker.calls == 0
