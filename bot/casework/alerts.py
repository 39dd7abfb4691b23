"""Notifications written to the outbox in the handler's unit of work (R3), never posted directly.

Every row carries a de-duplication key (`{cause}:{platform}:{target}`), so the same cause never
queues the same post twice, even when a request or a scheduler pass runs again (R2, R4).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.casework import case_threads
from bot.casework.payload import encode
from bot.conversation import ThreadKind, ThreadRoute
from bot.messages import Audience, Fact, Notice, NoticeKind, Reply
from bot.model import Account, Case, ChannelBinding, Contact, Platform, Priority, Staff
from bot.store.interface import UnitOfWork
from bot.store.interface.outbox import OutboxItem, TargetKind


def channel_item(
    channel: ChannelBinding,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
    show_utc: bool,
) -> OutboxItem:
    """The outbox row posting `notice` in one channel, keyed `{cause}:{platform}:{channel}`."""
    reply = Reply(notice, Audience.CHANNEL, time_zone=time_zone, show_utc=show_utc)
    return OutboxItem(
        dedup_key=f"{key}:{channel.platform.value}:{channel.channel_id}",
        platform=channel.platform,
        target=channel.channel_id,
        target_kind=TargetKind.CHANNEL,
        payload=encode(reply),
        available_at=now,
        route=dict(channel.route),
        thread=case_threads.channel_route(channel, notice),
    )


async def to_channel(
    uow: UnitOfWork,
    channel: ChannelBinding,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
    show_utc: bool,
) -> bool:
    """Queue `notice` for one channel; False when this key was already queued there."""
    return await uow.outbox.add(channel_item(channel, notice, key, now, time_zone, show_utc))


async def to_queue(
    uow: UnitOfWork,
    account: Account,
    priority: Priority,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
) -> int:
    """Queue `notice` for every analyst queue channel whose filters match; how many were new."""
    channels = await uow.directory.queue_channels(account.region, priority)
    return await _add(uow, queue_items(channels, notice, key, now, time_zone))


async def to_account(
    uow: UnitOfWork, account: Account, notice: Notice, key: str, now: datetime, time_zone: str
) -> int:
    """Queue `notice` for every channel bound to the account; how many were new."""
    channels = await uow.directory.account_channels(account.id)
    return await _add(uow, account_items(channels, notice, key, now, time_zone))


def queue_items(
    channels: Iterable[ChannelBinding], notice: Notice, key: str, now: datetime, time_zone: str
) -> list[OutboxItem]:
    """The rows posting `notice` in analyst queue channels: staff read UTC times too."""
    return [channel_item(c, notice, key, now, time_zone, show_utc=True) for c in channels]


def account_items(
    channels: Iterable[ChannelBinding], notice: Notice, key: str, now: datetime, time_zone: str
) -> list[OutboxItem]:
    """The rows posting `notice` in an account's own channels, in the account's time zone."""
    return [channel_item(c, notice, key, now, time_zone, show_utc=False) for c in channels]


async def _add(uow: UnitOfWork, items: list[OutboxItem]) -> int:
    """Queue the rows one by one (each keeps its own de-duplication); how many were new."""
    queued = 0
    for item in items:
        queued += await uow.outbox.add(item)
    return queued


async def to_person(
    uow: UnitOfWork,
    email: str,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
    prefer: Platform | None = None,
) -> bool:
    """Queue a private post to a contact or staff member on the platform they use (ACC-9).

    `prefer` picks the platform when the person is known on both (e.g. where the case was
    opened). False when the person has no chat identity, or the key was already queued.
    """
    person = await uow.directory.contact_by_email(email) or await uow.directory.staff_by_email(
        email
    )
    if person is None:
        return False
    if isinstance(person, Contact) and notice.case_number is not None:
        # CONV-1: a case's customer notices go in its customer thread once it has one.
        threaded = await case_threads.customer_item(
            uow, person, notice, key, now, time_zone, prefer
        )
        if threaded is not None:
            return await uow.outbox.add(threaded)
    if not person.chats:
        return False
    # The preferred platform first, else the identities' own order (sorted by platform key).
    chat = min(person.chats, key=lambda c: c.platform != prefer)
    platform = Platform(chat.platform)
    reply = Reply(notice, Audience.PRIVATE, time_zone=time_zone, show_utc=isinstance(person, Staff))
    item = OutboxItem(
        dedup_key=f"{key}:{platform.value}:{chat.user}",
        platform=platform,
        target=chat.user,
        target_kind=TargetKind.PRIVATE,
        payload=encode(reply),
        available_at=now,
        route={"space": chat.space},
        # CONV-1: a case notice in a DM starts the customer thread there (cases without one).
        thread=_customer_route(person, notice),
    )
    return await uow.outbox.add(item)


def _customer_route(person: Contact | Staff, notice: Notice) -> ThreadRoute | None:
    if isinstance(person, Staff) or notice.case_number is None:
        return None
    return ThreadRoute(notice.case_number, ThreadKind.CUSTOMER)


async def to_support(
    uow: UnitOfWork,
    case: Case,
    account: Account,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
) -> int:
    """Tell support about a case: its owner privately, or the matching queue when unowned."""
    if case.owner:
        return int(await to_person(uow, case.owner, notice, key, now, time_zone))
    return await to_queue(uow, account, case.priority, notice, key, now, time_zone)


async def customer_changed(
    uow: UnitOfWork,
    case: Case,
    account: Account,
    title: str,
    text: str,
    author: str,
    key: str,
    now: datetime,
    time_zone: str,
) -> int:
    """Tell support (owner, else queue) that the customer changed the case: an update, a close."""
    notice = Notice(
        NoticeKind.CASE_UPDATED,
        f"{title}: {case.summary}",
        text,
        (
            Fact("Account", account.id),
            Fact("By", author),
            Fact("Status", f"{case.status} / {case.sub_status}"),
        ),
        case_number=case.number,
    )
    return await to_support(uow, case, account, notice, key, now, time_zone)
