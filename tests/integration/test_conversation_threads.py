"""CONV-1..CONV-3 on SQLite and PostgreSQL: case threads, replies as updates, internal notes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cards.reports import render_monthly
from bot.cards.slack import render_messages
from bot.cards.text import render_text
from bot.commands.router import Router
from bot.conversation import ThreadKind, ThreadRoot, ThreadRoute
from bot.directory import load_directory
from bot.jobs.reports import monthly_report
from bot.messages import Audience, CaseView, Message, Outcome, Refusal
from bot.model import EventKind, Platform, Status, SubStatus, Visibility
from bot.policy.config import PolicyConfig
from bot.policy.reports import ReportMonth
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, TargetKind
from bot.store.sql import SqlStore

from .conversation_world import (
    ALERT_TS,
    ALICE,
    ANA,
    CARD_TS,
    DIRECTORY,
    GINA,
    RITA,
    UNMAPPED,
    World,
    build,
)
from .sql_counter import statements


@pytest.fixture
async def world(store: Store, tmp_path: Path) -> AsyncIterator[World]:
    await load_directory(store, DIRECTORY)
    return build(store, tmp_path / "files")


async def _with_support_thread(world: World) -> int:
    number = await world.open_in_channel()
    alert = await world.deliver("CQUEUE", ALERT_TS)
    assert alert.thread == ThreadRoute(number, ThreadKind.SUPPORT)
    return number


async def _audit_count(world: World, number: int) -> int:
    async with world.store.unit_of_work(read_only=True) as uow:
        return len(await uow.audit.entries(number))


async def test_conv_1_new_case_alert_becomes_the_support_thread_root(world: World) -> None:
    number = await _with_support_thread(world)
    async with world.store.unit_of_work(read_only=True) as uow:
        roots = await uow.threads.roots(number)
    assert {(r.kind, r.route, r.message_id) for r in roots} == {
        (ThreadKind.CUSTOMER, "CACME", CARD_TS),
        (ThreadKind.SUPPORT, "CQUEUE", ALERT_TS),
    }


async def test_conv_1_support_posts_queued_before_the_root_was_known_go_in_the_thread(
    world: World,
) -> None:
    number = await world.open_in_channel()
    world.later(minutes=5)
    await world.reply(ALICE, "It fails for the PDF exports too")  # alerts the queue
    update_alert = [m for m in await world.pending() if m.dedup_key.startswith("update:")]
    assert update_alert[0].thread == ThreadRoute(number, ThreadKind.SUPPORT, None)
    await world.deliver("CQUEUE", ALERT_TS)  # the new-case alert, sent first, is the root
    waiting = [m for m in await world.pending() if m.dedup_key.startswith("update:")]
    assert [m.thread for m in waiting] == [ThreadRoute(number, ThreadKind.SUPPORT, ALERT_TS)]


async def test_conv_1_support_reply_goes_in_the_customer_thread_not_a_new_message(
    world: World,
) -> None:
    number = await _with_support_thread(world)
    reply = await world.say(ANA, f"respond {number} We are reading the logs now", "CQUEUE")
    assert reply.outcome is Outcome.OK
    told = [m for m in await world.pending() if m.dedup_key.startswith("respond:")]
    assert len(told) == 1
    assert (told[0].target, told[0].target_kind) == ("CACME", TargetKind.CHANNEL)
    assert told[0].thread == ThreadRoute(number, ThreadKind.CUSTOMER, CARD_TS)


async def test_conv_1_case_opened_before_threads_gets_one_at_its_next_post(world: World) -> None:
    reply = await world.say(
        ALICE, 'open medium "Reports export fails" --description "Exports fail every time"'
    )
    assert isinstance(reply.body, CaseView)
    number = reply.body.case.number  # opened in a DM: no card root was recorded
    await world.say(ANA, f"respond {number} We are on it", "CQUEUE")
    private = next(m for m in await world.pending() if m.dedup_key.startswith("respond:"))
    assert private.target_kind is TargetKind.PRIVATE
    assert private.thread == ThreadRoute(number, ThreadKind.CUSTOMER, None)
    await world.deliver(private.target, "D1.000001")
    async with world.store.unit_of_work(read_only=True) as uow:
        roots = [r for r in await uow.threads.roots(number) if r.kind is ThreadKind.CUSTOMER]
    assert [(r.route, r.message_id) for r in roots] == [(private.target, "D1.000001")]
    world.later(minutes=1)
    await world.say(ANA, f"request-info {number} Please send the server log", "CQUEUE")
    asked = next(m for m in await world.pending() if m.dedup_key.startswith("request_info:"))
    assert asked.thread == ThreadRoute(number, ThreadKind.CUSTOMER, "D1.000001")


async def test_conv_1_a_later_card_never_moves_the_thread(world: World) -> None:
    number = await world.open_in_channel()
    later = ThreadRoot(number, Platform.SLACK, ThreadKind.CUSTOMER, "CACME", "9.9", world.now)
    assert not await world.router.record_thread_root(later)
    async with world.store.unit_of_work(read_only=True) as uow:
        found = await uow.threads.find(Platform.SLACK, CARD_TS, "CACME")
    assert found is not None and found.case_number == number


async def test_conv_1_a_root_already_recorded_costs_no_statement(world: World) -> None:
    # Every `show` in a channel posts the card again and offers its root (#18): once the store
    # has the thread's root, offering it again sends nothing to the database.
    number = await world.open_in_channel()
    again = ThreadRoot(number, Platform.SLACK, ThreadKind.CUSTOMER, "CACME", "9.9", world.now)
    assert isinstance(world.store, SqlStore)
    with statements(world.store) as sent:
        assert not await world.router.record_thread_root(again)
    assert sent == []
    # Another route of the same case is another thread: still recorded.
    elsewhere = ThreadRoot(number, Platform.SLACK, ThreadKind.CUSTOMER, "D-ALICE", "8.8", world.now)
    assert await world.router.record_thread_root(elsewhere)
    async with world.store.unit_of_work(read_only=True) as uow:
        found = await uow.threads.find(Platform.SLACK, "8.8", "D-ALICE")
    assert found is not None and found.case_number == number


async def test_conv_1_a_root_recorded_by_another_process_is_still_refused(world: World) -> None:
    # This router never saw the root (another replica recorded it): the store still decides.
    number = await world.open_in_channel()
    other = Router(world.store, PolicyConfig())
    later = ThreadRoot(number, Platform.SLACK, ThreadKind.CUSTOMER, "CACME", "9.9", world.now)
    assert not await other.record_thread_root(later)
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.threads.find(Platform.SLACK, "9.9", "CACME") is None


async def test_conv_2_designated_contacts_reply_is_one_update_with_its_effects(
    world: World,
) -> None:
    number = await _with_support_thread(world)
    await world.say(ANA, f"request-info {number} Please send the server log", "CQUEUE")
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", str(number)) is not None  # FUP-1 running
    world.later(minutes=30)
    answered = await world.reply(ALICE, "Here is the log excerpt", message_id="M1")
    assert answered.reply is not None and answered.reply.outcome is Outcome.OK
    assert answered.reply.audience is Audience.PRIVATE
    case = await world.case(number)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    updates = [e for e in case.events if e.kind is EventKind.CUSTOMER_UPDATE]
    assert [(e.author, e.body) for e in updates] == [(ALICE, "Here is the log excerpt")]
    async with world.store.unit_of_work(read_only=True) as uow:
        assert await uow.timers.get("follow_up", str(number)) is None  # FUP-3: stopped
    # Re-delivered, edited, or posted by the bot itself: never a second update.
    again = await world.reply(ALICE, "Here is the log excerpt", message_id="M1")
    edited = await world.reply(ALICE, "Here is the full log", message_id="M1", edited=True)
    assert again.reply is None and edited.reply is None
    case = await world.case(number)
    assert len([e for e in case.events if e.kind is EventKind.CUSTOMER_UPDATE]) == 1


@pytest.mark.parametrize(
    ("email", "rule"), [(RITA, "ACC-2"), (GINA, "CONV-2"), (UNMAPPED, "ACC-7")]
)
async def test_conv_2_anyone_elses_reply_changes_nothing_and_gets_a_private_hint(
    world: World, email: str, rule: str
) -> None:
    number = await _with_support_thread(world)
    before, audit = await world.case(number), await _audit_count(world, number)
    pending = len(await world.pending())
    answered = await world.reply(email, "Any news on this?")
    assert answered.reply is not None and answered.reply.audience is Audience.PRIVATE
    body = answered.reply.body
    assert isinstance(body, Refusal) and body.rule == rule, body
    assert body.reason.startswith("Nothing changed")
    assert await world.case(number) == before
    assert await _audit_count(world, number) == audit
    assert len(await world.pending()) == pending


async def test_conv_2_replies_in_threads_that_are_no_case_are_ignored(world: World) -> None:
    await world.open_in_channel()
    answered = await world.reply(ALICE, "unrelated chatter", root="1699999999.000001")
    assert answered.reply is None and answered.offer is None


async def test_conv_3_staff_reply_in_the_support_thread_is_an_internal_note_only(
    world: World,
) -> None:
    number = await _with_support_thread(world)
    pending = {m.id for m in await world.pending()}
    noted = await world.reply(
        ANA, "Looks like the export worker OOMs", root=ALERT_TS, channel="CQUEUE"
    )
    assert noted.reply is not None and noted.reply.outcome is Outcome.OK
    case = await world.case(number)
    notes = [e for e in case.events if e.kind is EventKind.WORK_NOTE]
    assert [(e.author, e.visibility) for e in notes] == [(ANA, Visibility.INTERNAL)]
    assert {m.id for m in await world.pending()} == pending  # nothing posted anywhere
    # On every surface a customer reads the note is absent: the card, in a DM and in #acme...
    for channel in (None, "CACME"):
        card = await world.say(ALICE, f"show {number}", channel)
        assert isinstance(card.body, CaseView)
        assert all(e.visibility is Visibility.PUBLIC for e in card.body.updates)
    # ... and on a card staff post in the customer's channel; staff see it in their queue.
    staff_there = await world.say(ANA, f"show {number}", "CACME")
    staff_here = await world.say(ANA, f"show {number}", "CQUEUE")
    assert isinstance(staff_there.body, CaseView) and isinstance(staff_here.body, CaseView)
    assert "Looks like the export worker OOMs" not in [e.body for e in staff_there.body.updates]
    assert "Looks like the export worker OOMs" in [e.body for e in staff_here.body.updates]


async def test_conv_3_only_the_explicit_reply_reaches_the_customer_once(world: World) -> None:
    number = await _with_support_thread(world)
    await world.reply(ANA, "Patch 1.2.3 fixes it", root=ALERT_TS, channel="CQUEUE", message_id="S1")
    assert not [m for m in await world.pending() if m.target == "CACME"]
    sent = await world.reply_to_customer(ANA, "S1", "Patch 1.2.3 fixes it")
    again = await world.reply_to_customer(ANA, "S1", "Patch 1.2.3 fixes it")
    assert sent.reply is not None and sent.reply.outcome is Outcome.OK
    assert again.reply is not None and isinstance(again.reply.body, Message)
    to_customer = [m for m in await world.pending() if m.target == "CACME"]
    assert len(to_customer) == 1
    assert to_customer[0].thread == ThreadRoute(number, ThreadKind.CUSTOMER, CARD_TS)
    case = await world.case(number)
    public = [e for e in case.events if e.kind is EventKind.STAFF_RESPONSE]
    assert [(e.body, e.visibility) for e in public] == [("Patch 1.2.3 fixes it", Visibility.PUBLIC)]


async def test_conv_3_staff_writing_in_the_customer_thread_changes_nothing(world: World) -> None:
    number = await _with_support_thread(world)
    before = await world.case(number)
    answered = await world.reply(ANA, "We are on it")
    assert answered.reply is not None
    assert isinstance(answered.reply.body, Refusal) and answered.reply.body.rule == "CONV-3"
    assert await world.case(number) == before


async def test_conv_3_customers_cannot_use_the_support_thread_or_reply_to_customer(
    world: World,
) -> None:
    number = await _with_support_thread(world)
    before = await world.case(number)
    in_queue = await world.reply(ALICE, "hello?", root=ALERT_TS, channel="CQUEUE")
    shortcut = await world.reply_to_customer(ALICE, "X1", "I reply to myself")
    for answered in (in_queue, shortcut):
        assert answered.reply is not None and answered.reply.outcome is not Outcome.OK
    assert await world.case(number) == before


async def test_conv_3_internal_note_is_on_no_customer_surface(world: World) -> None:
    """Card (above), list, thread posts, the monthly report and the audit export."""
    number = await _with_support_thread(world)
    secret = "Root cause: our cache key bug, do not tell them yet"
    await world.reply(ANA, secret, root=ALERT_TS, channel="CQUEUE")
    await world.say(ANA, f"update {number} {secret} (typed)", "CQUEUE")
    await world.say(ANA, f"respond {number} We found the cause and are fixing it", "CQUEUE")
    for channel in (None, "CACME"):
        for shown in (
            await world.say(ALICE, "list --all", channel),
            await world.say(ALICE, f"show {number}", channel),
        ):
            assert shown.outcome is Outcome.OK
            assert secret not in render_text(shown)
            assert secret not in repr(render_messages(shown))
    staff_card = await world.say(ANA, f"show {number}", "CACME")  # in the customer's channel
    assert secret not in render_text(staff_card) and secret not in repr(render_messages(staff_card))
    payloads = [m.payload for m in await world.pending()]
    assert payloads and all(secret not in repr(p) for p in payloads)
    async with world.store.unit_of_work(read_only=True) as uow:
        month = ReportMonth.containing(world.now)
        report = render_monthly(await monthly_report(uow, PolicyConfig(), "acme", month))
        audit = await uow.audit.entries(number)
    assert secret not in report
    assert all(secret not in repr(entry.detail) for entry in audit)


async def test_conv_1_a_notice_to_the_account_channel_never_starts_the_customer_thread(
    world: World,
) -> None:
    """The customer thread is where the card is (or the first private notice): a breach
    notice posted to the whole account channel about a case opened in a DM does not move it."""
    reply = await world.say(ALICE, 'open medium "Exports fail" --description "Exports fail daily"')
    assert isinstance(reply.body, CaseView)
    number = reply.body.case.number
    async with world.store.unit_of_work() as uow:
        item = OutboxItem(
            f"sla5b:{number}:slack:CACME",
            Platform.SLACK,
            "CACME",
            TargetKind.CHANNEL,
            {},
            world.now,
            thread=ThreadRoute(number, ThreadKind.CUSTOMER, also_in_channel=True, starts=False),
        )
        assert await uow.outbox.add(item)
        await uow.commit()
    await world.deliver("CACME", "1700000000.000900")
    async with world.store.unit_of_work(read_only=True) as uow:
        assert [r for r in await uow.threads.roots(number) if r.kind is ThreadKind.CUSTOMER] == []
    await world.say(ANA, f"respond {number} We are on it", "CQUEUE")
    told = next(m for m in await world.pending() if m.dedup_key.startswith("respond:"))
    assert told.target_kind is TargetKind.PRIVATE  # still to Alice, not into #acme
