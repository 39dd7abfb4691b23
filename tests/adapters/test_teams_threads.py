"""POLICY section 7 over HTTP on Teams: token-bearing activities through the real app, the
connector stand-in recording what the bot posts, and where (`;messageid=` is a channel thread).

The directory is the command tests' one, with a Teams queue channel and Teams ids for Rita
(read-only) and Ana (analyst). A case opened by mentioning the bot in acme's channel is answered
in the thread of that post: the post's thread becomes the case's customer thread; the queue
alert, delivered by the outbox worker, starts the support thread.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.teams.capture import OFFER_VERB, SUBMIT_VERB
from bot.adapters.teams.conversation import REPLY_COMMAND
from bot.adapters.teams.delivery import TeamsDeliverer
from bot.adapters.teams.files import FILE_DOWNLOAD_INFO
from bot.directory import load_directory
from bot.jobs.housekeeping_sweep import sweep_housekeeping
from bot.jobs.outbox_worker import OutboxWorker
from bot.model import EventKind, Platform, Status, SubStatus, Visibility
from bot.policy.config import PolicyConfig
from bot.standins.teams_connector import ConnectorStandIn, Posted
from bot.store.files import FolderStorage
from bot.store.sql import open_store

from .teams_fixtures import (
    APP_ID,
    BOT,
    CHANNEL,
    DIRECTORY,
    SECURE,
    TeamsWorld,
    TokenMinter,
    make_world,
)

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

QUEUE = "19:queue@thread.tacv2"
DESCRIPTION = "'Exports fail with error 500 for every report since the upgrade'"


@pytest.fixture
async def world(
    tmp_path: Path, teams_connector: ConnectorStandIn, minter: TokenMinter
) -> AsyncIterator[TeamsWorld]:
    directory = yaml.safe_load(DIRECTORY.read_text("utf-8"))
    for person in directory["contacts"] + directory["staff"]:
        if person["email"] == "rita@acme.example":
            person["teams"] = {"tenant": "tenant-acme", "aad_object_id": "aad-rita"}
        if person["email"] == "ana@vendor.example":
            person["teams"] = {"tenant": "tenant-acme", "aad_object_id": "aad-ana"}
    for channel in directory["channels"]:
        if channel["platform"] == "teams":
            channel["service_url"] = teams_connector.url
    directory["channels"].append(
        {
            "platform": "teams",
            "id": QUEUE,
            "purpose": "queue",
            "tenant": "tenant-acme",
            "service_url": teams_connector.url,
        }
    )
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(directory), "utf-8")
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'teams.db'}")
    await load_directory(store, path)
    settings = replace(SECURE, teams_file_hosts=("127.0.0.1",))  # the stand-in serves files
    made, stop = await make_world(
        store, teams_connector, settings, minter, attachments=tmp_path / "files"
    )
    yield made
    await stop()
    await store.close()


def in_thread(
    world: TeamsWorld, text: str, root: str, user: str, aad: str, channel: str = CHANNEL
) -> dict[str, Any]:
    """A reply without a mention in the thread under `root`, as Teams delivers it with RSC."""
    activity = world.in_channel("x", user, aad)
    activity["text"], activity["entities"] = f"<p>{text}</p>", []
    activity["conversation"]["id"] = f"{channel};messageid={root}"
    activity["channelData"]["channel"] = {"id": channel}
    return activity


async def open_case(world: TeamsWorld) -> str:
    """Alice opens a case by mentioning the bot in acme's channel; its thread's root."""
    post = world.in_channel(f"open medium Reports export fails --description {DESCRIPTION}")
    assert (await world.send(post)).status == 200
    (card,) = world.connector.in_thread(CHANNEL, post["id"])
    assert "0000001001" in card.text
    return str(post["id"])


async def deliver(world: TeamsWorld) -> None:
    teams = TeamsDeliverer(world.store, world.adapter.connector, world.adapter.chats, APP_ID)
    await OutboxWorker(world.store, {Platform.TEAMS: teams}).drain(world.now[0])


def alert_id(world: TeamsWorld) -> str:
    (alert,) = [p for p in world.connector.posts if p.conversation_id == QUEUE]
    return f"act-{world.connector.posts.index(alert) + 1}"


def in_one_on_one(world: TeamsWorld, user: str) -> list[Posted]:
    return world.connector.to(f"a:1on1-29:{user}")


async def case_of(world: TeamsWorld) -> Any:
    async with world.store.unit_of_work(read_only=True) as uow:
        return await uow.cases.get(1001)


async def updates(world: TeamsWorld) -> list[tuple[str, str]]:
    case = await case_of(world)
    return [(e.author, e.body) for e in case.events if e.kind is EventKind.CUSTOMER_UPDATE]


async def test_conv_2_designated_contacts_thread_reply_is_one_update_even_redelivered_or_edited(
    world: TeamsWorld,
) -> None:
    root = await open_case(world)
    await deliver(world)
    ask = in_thread(world, "Please send the server log", alert_id(world), "ana", "aad-ana", QUEUE)
    ask["text"], ask["entities"] = (
        "<p><at>Support</at> request-info 1001 Please send the server log</p>",
        [{"type": "mention", "text": "<at>Support</at>", "mentioned": BOT}],
    )
    await world.send(ask)
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", "1001") is not None  # FUP-1 running
    world.advance(minutes=30)
    reply = in_thread(world, "Here is the log excerpt", root, "alice", "aad-alice")
    assert (await world.send(reply)).status == 200
    case = await case_of(world)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", "1001") is None  # FUP-3: stopped
    assert await updates(world) == [("alice@acme.example", "Here is the log excerpt")]
    told = len(in_one_on_one(world, "alice"))
    assert told == 1  # the confirmation is private: Teams has no ephemeral messages
    await world.send(reply)  # re-delivered by Teams: same activity id
    edit = reply | {"type": "messageUpdate", "text": "<p>Here is the full log</p>"}
    edit["channelData"] = reply["channelData"] | {"eventType": "editMessage"}
    await world.send(edit)
    own = in_thread(world, "Case updated", root, "bot", "") | {"from": BOT}
    await world.send(own)
    assert await updates(world) == [("alice@acme.example", "Here is the log excerpt")]
    assert len(in_one_on_one(world, "alice")) == told


async def test_conv_2_read_only_contacts_reply_changes_nothing_and_gets_the_hint(
    world: TeamsWorld,
) -> None:
    root = await open_case(world)
    before = await case_of(world)
    posted = len(world.connector.posts)
    await world.send(in_thread(world, "Any news on this?", root, "rita", "aad-rita"))
    assert await case_of(world) == before
    (hint,) = in_one_on_one(world, "rita")
    assert "Nothing changed" in hint.text and "ACC-2" in hint.text
    assert len(world.connector.posts) == posted + 1  # nothing in the channel or its thread


async def test_conv_3_staff_reply_stays_internal_and_the_explicit_reply_reaches_the_customer_once(
    world: TeamsWorld,
) -> None:
    root = await open_case(world)
    await deliver(world)
    alert = alert_id(world)
    note = in_thread(world, "Patch 1.2.3 fixes it", alert, "ana", "aad-ana", QUEUE)
    await world.send(note)
    await deliver(world)
    assert len(world.connector.in_thread(CHANNEL, root)) == 1  # only the case card
    case = await case_of(world)
    notes = [(e.body, e.visibility) for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert notes == [("Patch 1.2.3 fixes it", Visibility.INTERNAL)]
    action = in_thread(world, "", alert, "ana", "aad-ana", QUEUE)
    action |= {
        "type": "invoke",
        "name": "composeExtension/submitAction",
        "value": {
            "commandId": REPLY_COMMAND,
            "commandContext": "message",
            "data": {},
            "messagePayload": {
                "id": note["id"],
                "body": {"contentType": "html", "content": "<p>Patch 1.2.3 fixes it</p>"},
            },
        },
    }
    for _ in range(2):  # used twice on the same message
        action["id"] = world.new_id()
        response = await world.send(action)
        assert response.status == 200 and "task" in await response.json()
        await deliver(world)
    to_customer = world.connector.in_thread(CHANNEL, root)[1:]
    assert len(to_customer) == 1
    assert "Patch 1.2.3 fixes it" in to_customer[0].text


async def test_conv_4_capture_offer_at_most_once_per_10_minutes_and_only_the_form_opens(
    world: TeamsWorld,
) -> None:
    def top_level(text: str) -> dict[str, Any]:
        post = world.in_channel("x")
        post["text"], post["entities"] = f"<p>{text}</p>", []
        return post

    await world.send(top_level("Exports fail since this morning"))
    await world.send(top_level("Also PDF exports"))
    world.advance(minutes=9)
    await world.send(top_level("Still failing"))
    assert len(in_one_on_one(world, "alice")) == 1
    world.advance(minutes=2)
    await world.send(top_level("Anyone?"))
    offers = in_one_on_one(world, "alice")
    assert len(offers) == 2
    assert world.connector.to(CHANNEL) == []  # nothing in the channel itself
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(1001) is None  # an offer opens nothing
    button = offers[0].cards[0]["actions"][0]
    assert button["verb"] == OFFER_VERB
    click = world.personal(None) | {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {"action": {"type": "Action.Execute", "verb": OFFER_VERB, "data": button["data"]}},
    }
    form = (await (await world.send(click)).json())["value"]
    assert "Exports fail since this morning" in json.dumps(form)  # prefilled from the post
    submits = [a for a in form.get("actions", []) if a.get("verb") == SUBMIT_VERB]
    assert submits and all(a["data"]["capture"] == button["data"]["capture"] for a in submits)
    values = {
        "summary": "Exports fail since this morning",
        "description": "Exports fail with error 500 for every report since this morning",
        "priority": "medium",
        "type": "Support/Problem",
        "stage": "production",
    }
    submit = click | {"id": world.new_id()}
    submit["value"] = {
        "action": {
            "type": "Action.Execute",
            "verb": SUBMIT_VERB,
            "data": submits[0]["data"] | values,
        }
    }
    answered = await world.send(submit)
    assert answered.status == 200, await answered.text()
    async with world.store.unit_of_work(read_only=True) as uow:
        opened = await uow.cases.get(1001)
    assert opened is not None and opened.opened_by == "alice@acme.example"


@pytest.mark.parametrize(("user", "aad"), [("rita", "aad-rita"), ("mallory", "aad-mallory")])
async def test_conv_4_reaction_by_an_unentitled_person_opens_nothing(
    world: TeamsWorld, user: str, aad: str
) -> None:
    await open_case(world)
    posted = len(world.connector.posts)
    reaction = in_thread(world, "", "act-1", user, aad)
    reaction |= {
        "type": "messageReaction",
        "replyToId": "act-1",
        "reactionsAdded": [{"type": "ticket"}],
    }
    reaction.pop("text")
    assert (await world.send(reaction)).status == 200
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(1002) is None
    offers = [p for p in world.connector.posts[posted:] if OFFER_VERB in json.dumps(p.body)]
    assert offers == []


async def test_conv_5_a_file_sent_with_update_is_stored_listed_and_purged_30_days_after_close(
    world: TeamsWorld, tmp_path: Path
) -> None:
    await open_case(world)
    world.connector.files["server.log"] = b"ERROR 500 at export"
    attachment = {
        "contentType": FILE_DOWNLOAD_INFO,
        "contentUrl": "https://contoso.sharepoint.com/personal/alice/server.log",
        "name": "server.log",
        "content": {
            "downloadUrl": world.connector.download_url("server.log"),
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
            "fileType": "log",
        },
    }
    sent = world.personal("update 1001 here is the server log", attachments=[attachment])
    assert (await world.send(sent)).status == 200
    await world.send(sent)  # re-delivered: stored once
    stored = sorted(p for p in (tmp_path / "files").rglob("*") if p.is_file())
    assert [p.read_bytes() for p in stored] == [b"ERROR 500 at export"]
    assert {auth for _, auth in world.connector.downloads} == {None}  # never the bot's token
    assert "sanitised" in "\n".join(p.text for p in in_one_on_one(world, "alice"))
    ask = in_thread(world, "", "x", "ana", "aad-ana", QUEUE)
    ask["text"], ask["entities"] = (
        "<p><at>Support</at> show 1001</p>",
        [{"type": "mention", "text": "<at>Support</at>", "mentioned": BOT}],
    )
    await world.send(ask)
    assert "server.log" in world.connector.posts[-1].text  # support sees it on the card
    await world.send(world.personal("close 1001 resolved The patch fixed it"))
    closed = world.now[0]
    storage = FolderStorage(tmp_path / "files")
    await sweep_housekeeping(world.store, PolicyConfig(), closed + timedelta(days=29), storage)
    assert all(p.exists() for p in stored)
    await sweep_housekeeping(world.store, PolicyConfig(), closed + timedelta(days=31), storage)
    assert not any(p.exists() for p in stored)
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(1001) == []
        (kept,) = await uow.attachments.for_case(1001, include_purged=True)
    assert kept.name == "server.log" and kept.purged_at is not None


async def test_conv_5_a_file_on_an_unlisted_host_is_never_fetched(
    world: TeamsWorld, tmp_path: Path
) -> None:
    await open_case(world)
    attachment = {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": "x.log",
        "content": {
            "downloadUrl": "https://attacker.example/x.log",
            "uniqueId": "u-9",
            "fileType": "log",
        },
    }
    await world.send(world.personal("update 1001 see the log", attachments=[attachment]))
    assert world.connector.downloads == []
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(1001, include_purged=True) == []


async def test_conv_4_a_contacts_ticket_reaction_on_the_bots_post_offers_the_form_only(
    world: TeamsWorld,
) -> None:
    await open_case(world)
    reaction = in_thread(world, "", "act-1", "alice", "aad-alice")
    reaction |= {
        "type": "messageReaction",
        "replyToId": "act-1",
        "reactionsAdded": [{"type": "1f3ab_ticket"}],  # Teams' emoji id: code point and name
    }
    reaction.pop("text")
    before = len(in_one_on_one(world, "alice"))
    assert (await world.send(reaction)).status == 200
    offers = [p for p in in_one_on_one(world, "alice")[before:] if OFFER_VERB in json.dumps(p.body)]
    assert len(offers) == 1
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(1002) is None  # nothing opens without the submitted form
