"""CONV-4 and CONV-5 on SQLite and PostgreSQL: capture offers, reactions, attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.conversation import CaptureSubmitted, OfferOpened
from bot.directory import load_directory
from bot.jobs.housekeeping_sweep import purge_attachments, sweep_housekeeping
from bot.messages import CaseView, Form, Message, Outcome, Refusal
from bot.model import EventKind, Visibility
from bot.policy.config import PolicyConfig
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.interface.cases import CaseState

from .conversation_world import (
    ALICE,
    ANA,
    DAVE,
    DIRECTORY,
    GINA,
    RITA,
    UNMAPPED,
    World,
    build,
)

FORM_VALUES = {
    "priority": "medium",
    "summary": "Exports fail",
    "description": "Exports fail with error 500 for every report since the upgrade",
    "type": "Support/Problem",
    "stage": "production",
}


@pytest.fixture
async def world(store: Store, tmp_path: Path) -> AsyncIterator[World]:
    await load_directory(store, DIRECTORY)
    return build(store, tmp_path / "files")


async def _cases(world: World) -> int:
    """How many cases exist, in any state."""
    async with world.store.unit_of_work(read_only=True) as uow:
        return sum([await uow.cases.count(a, CaseState.ALL) for a in ("acme", "globex")])


async def test_conv_4_designated_contact_is_offered_at_most_once_per_10_minutes(
    world: World,
) -> None:
    first = await world.message(ALICE, "Exports fail again since this morning")
    assert first.offer is not None and isinstance(first.offer.form, Form)
    assert first.offer.form.fields[1].value == "Exports fail again since this morning"  # summary
    world.later(minutes=9)
    assert (await world.message(ALICE, "Still failing")).offer is None
    assert (await world.message(DAVE, "Same here")).offer is not None  # per person
    world.later(minutes=1)
    assert (await world.message(ALICE, "And now PDFs too")).offer is not None
    assert await _cases(world) == 0  # nothing opened without a submitted form


@pytest.mark.parametrize("email", [RITA, GINA, UNMAPPED, ANA])
async def test_conv_4_nobody_else_is_offered_and_nothing_is_written(
    world: World, email: str
) -> None:
    said = await world.message(email, "Exports fail again since this morning")
    assert said.offer is None and said.reply is None
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.captures.claim_prompt(
            world.origin("CACME").platform, f"U:{email}", world.now, timedelta(minutes=10)
        )  # no prompt was remembered for them


async def test_conv_4_commands_threads_and_unbound_channels_get_no_offer(world: World) -> None:
    assert (await world.message(ALICE, "/case list")).offer is None
    assert (await world.message(ALICE, "Exports fail", channel="CQUEUE")).offer is None
    assert (await world.message(ALICE, "Exports fail", channel="CRANDOM")).offer is None


async def test_conv_4_contact_reaction_offers_the_form_and_submission_opens_the_case(
    world: World,
) -> None:
    reacted = await world.react(DAVE, ALICE, "Exports fail since the upgrade")
    assert reacted.offer is not None
    assert await _cases(world) == 0
    opened = await world.router.converse(
        OfferOpened(
            world.origin("CACME"), await world.actor(DAVE), world.now, reacted.offer.capture_id
        )
    )
    assert opened.reply is not None and isinstance(opened.reply.body, Form)
    submitted = await world.router.converse(
        CaptureSubmitted(
            world.origin("CACME"),
            await world.actor(DAVE),
            world.now,
            reacted.offer.capture_id,
            FORM_VALUES,
            "submit-1",
        )
    )
    assert submitted.reply is not None and isinstance(submitted.reply.body, CaseView)
    case = submitted.reply.body.case
    assert (case.opened_by, case.account_id, case.summary) == (DAVE, "acme", "Exports fail")


async def test_conv_4_staff_reaction_opens_for_the_author_with_both_names(world: World) -> None:
    reacted = await world.react(ANA, ALICE, "Exports fail since the upgrade")
    assert reacted.offer is not None and ALICE in reacted.offer.text
    stranger = await world.router.converse(
        CaptureSubmitted(
            world.origin("CACME"),
            await world.actor(DAVE),
            world.now,
            reacted.offer.capture_id,
            FORM_VALUES,
        )
    )
    assert stranger.reply is not None and stranger.reply.outcome is Outcome.REFUSED
    assert await _cases(world) == 0
    submitted = await world.router.converse(
        CaptureSubmitted(
            world.origin("CACME"),
            await world.actor(ANA),
            world.now,
            reacted.offer.capture_id,
            FORM_VALUES,
        )
    )
    assert submitted.reply is not None and isinstance(submitted.reply.body, CaseView)
    case = await world.case(submitted.reply.body.case.number)
    assert case.opened_by == ALICE
    notes = [e for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert [(n.author, n.visibility) for n in notes] == [(ANA, Visibility.INTERNAL)]
    assert ALICE in notes[0].body
    async with world.store.unit_of_work(read_only=True) as uow:
        audit = {(e.action, e.actor) for e in await uow.audit.entries(case.number)}
    assert {("case.open", ALICE), ("case.captured", ALICE)} <= audit
    captured = [e for e in await _entries(world, case.number) if e.action == "case.captured"]
    assert captured[0].detail["on_behalf_by"] == ANA


async def _entries(world: World, number: int):  # type: ignore[no-untyped-def]
    async with world.store.unit_of_work(read_only=True) as uow:
        return await uow.audit.entries(number)


@pytest.mark.parametrize(
    ("reactor", "author", "rule"),
    [
        (RITA, RITA, "ACC-2"),
        (GINA, ALICE, "ACC-2"),
        (UNMAPPED, ALICE, "ACC-7"),
        (ANA, RITA, "CONV-4"),
    ],
)
async def test_conv_4_reaction_by_an_unentitled_person_opens_nothing(
    world: World, reactor: str, author: str, rule: str
) -> None:
    reacted = await world.react(reactor, author, "Exports fail")
    assert reacted.offer is None
    assert reacted.reply is not None and isinstance(reacted.reply.body, Refusal)
    assert reacted.reply.body.rule == rule
    assert await _cases(world) == 0


async def test_conv_4_other_emoji_are_ignored(world: World) -> None:
    reacted = await world.react(ALICE, ALICE, "Exports fail", emoji="thumbsup")
    assert reacted.offer is None and reacted.reply is None


async def test_conv_5_first_attachment_reminds_to_sanitise_and_support_lists_it(
    world: World,
) -> None:
    number = await world.open_in_channel()
    first = await world.share(ALICE, [("server.log", b"ERROR 500 at export")])
    assert first.reply is not None and first.reply.outcome is Outcome.OK
    assert isinstance(first.reply.body, Message) and "sanitised" in first.reply.body.text
    second = await world.share(ALICE, [("second.log", b"more")])
    assert isinstance(second.reply.body, Message) and "sanitised" not in second.reply.body.text
    assert sorted(p.read_bytes() for p in world.stored_files()) == [b"ERROR 500 at export", b"more"]
    card = await world.say(ANA, f"show {number}", "CQUEUE")
    assert isinstance(card.body, CaseView)
    assert [a.name for a in card.body.attachments] == ["server.log", "second.log"]
    fetched = await world.router.conversations.files.fetch(
        await world.actor(ANA), card.body.attachments[0].id
    )
    assert isinstance(fetched, tuple) and fetched[1] == b"ERROR 500 at export"
    customer = await world.say(ALICE, f"show {number}")
    assert isinstance(customer.body, CaseView) and customer.body.attachments == ()
    refused = await world.router.conversations.files.fetch(
        await world.actor(ALICE), card.body.attachments[0].id
    )
    assert not isinstance(refused, tuple) and refused.outcome is Outcome.REFUSED


async def test_conv_5_redelivered_file_is_attached_once(world: World) -> None:
    number = await world.open_in_channel()
    await world.share(ALICE, [("server.log", b"ERROR")], message_id="F1")
    again = await world.share(ALICE, [("server.log", b"ERROR")], message_id="F1")
    assert again.reply is None
    async with world.store.unit_of_work(read_only=True) as uow:
        assert len(await uow.attachments.for_case(number)) == 1
    assert len(world.stored_files()) == 1
    assert world.fetched == ["server.log"]  # the re-delivery downloaded nothing
    # The same file shared again in a new message: told, not downloaded either.
    shared_again = await world.share(ALICE, [("server.log", b"ERROR")], message_id="F2")
    assert shared_again.reply is not None and "Nothing new to attach" in str(
        shared_again.reply.body
    )
    assert world.fetched == ["server.log"] and len(world.stored_files()) == 1


@pytest.mark.parametrize("email", [RITA, GINA, UNMAPPED])
async def test_conv_5_someone_who_may_not_update_attaches_nothing(world: World, email: str) -> None:
    number = await world.open_in_channel()
    shared = await world.share(email, [("secrets.txt", b"do not keep")])
    assert shared.reply is not None and shared.reply.outcome is not Outcome.OK
    assert world.fetched == []  # not even downloaded
    assert world.stored_files() == []
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(number, include_purged=True) == []


async def test_conv_5_files_over_the_limit_are_not_attached(world: World) -> None:
    number = await world.open_in_channel()
    shared = await world.share(ALICE, [("huge.bin", b"x" * 2000)])  # the world's limit is 1000
    assert shared.reply is not None and shared.reply.outcome is not Outcome.OK
    assert world.stored_files() == []
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.attachments.for_case(number) == []


async def test_conv_5_attached_with_an_update_naming_the_case(world: World) -> None:
    number = await world.open_in_channel()
    shared = await world.share(ALICE, [("app.log", b"trace")], root=None, case_number=number)
    assert shared.reply is not None and shared.reply.outcome is Outcome.OK
    async with world.store.unit_of_work(read_only=True) as uow:
        assert [a.name for a in await uow.attachments.for_case(number)] == ["app.log"]


async def test_conv_5_purged_30_days_after_close_and_reopen_says_send_again(
    world: World,
) -> None:
    number = await world.open_in_channel()
    await world.share(ALICE, [("server.log", b"ERROR")])
    await world.say(ALICE, f"close {number} resolved The patch fixed it")
    storage = FolderStorage(world.folder)
    world.later(days=29, hours=23)
    assert await purge_attachments(world.store, storage, world.now) == 0
    assert len(world.stored_files()) == 1
    world.later(hours=2)
    await sweep_housekeeping(world.store, PolicyConfig(), world.now, storage)
    assert world.stored_files() == []
    async with world.store.unit_of_work(read_only=True) as uow:
        kept = await uow.attachments.for_case(number, include_purged=True)
        assert await uow.attachments.for_case(number) == []
    assert [a.purged_at for a in kept] == [world.now]
    # REO-2: past 30 days the customer can't reopen; support can, and the case says so.
    reopened = await world.say(
        ANA, f"set-status {number} Open/Investigation The fix did not hold", "CQUEUE"
    )
    assert isinstance(reopened.body, CaseView), reopened
    assert reopened.body.note is not None and "send the files again" in reopened.body.note
    told = [m for m in await world.pending() if m.dedup_key.startswith("set_status:")]
    assert "send the files again" in str(told[0].payload)
    # And the same file, shared again, is attached again (its purged row taken over).
    again = await world.share(ALICE, [("server.log", b"ERROR again")])
    assert again.reply is not None and again.reply.outcome is Outcome.OK, again
    async with world.store.unit_of_work(read_only=True) as uow:
        current = await uow.attachments.for_case(number)
        everything = await uow.attachments.for_case(number, include_purged=True)
    assert [(a.name, a.purged_at) for a in current] == [("server.log", None)]
    assert [a.id for a in everything] == [kept[0].id]  # one row per file, not a second
    assert len(world.stored_files()) == 1
