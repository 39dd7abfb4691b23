"""CONV-1: posts about a case go in its threads: the support thread under the new-case alert in
each queue channel, the customer thread under the case card where the case was opened.

Outbox rows carry a `ThreadRoute`; the store fills in the thread's root when it is known (or
later, while the post waits), and a post without one starts the thread. Breach notices and
incident cards are also shown in the channel.
"""

from __future__ import annotations

from datetime import datetime

from bot.casework.payload import encode
from bot.conversation import ThreadKind, ThreadRoot, ThreadRoute
from bot.messages import Audience, Notice, NoticeKind, Reply
from bot.model import ChannelBinding, ChannelPurpose, Contact, Platform
from bot.store.interface import UnitOfWork
from bot.store.interface.outbox import OutboxItem, TargetKind

# Posts that need the whole channel as well as the thread (CONV-1).
ALSO_IN_CHANNEL = frozenset(
    {
        NoticeKind.SLA_BREACH,
        NoticeKind.CUSTOMER_BREACH,
        NoticeKind.INCIDENT_REPORTED,
        NoticeKind.INCIDENT_DECLARED,
        NoticeKind.INCIDENT_STATUS,
        NoticeKind.RESTORATION,
        NoticeKind.ALL_CLEAR,
        NoticeKind.RCA,
    }
)
_KIND_OF_CHANNEL = {
    ChannelPurpose.QUEUE: ThreadKind.SUPPORT,
    ChannelPurpose.ACCOUNT: ThreadKind.CUSTOMER,
}


def channel_route(channel: ChannelBinding, notice: Notice) -> ThreadRoute | None:
    """The thread a channel post about a case goes in (None: not about a case, or a bridge)."""
    kind = _KIND_OF_CHANNEL.get(channel.purpose)
    if notice.case_number is None or kind is None:
        return None
    return ThreadRoute(
        notice.case_number,
        kind,
        also_in_channel=notice.kind in ALSO_IN_CHANNEL,
        starts=kind is ThreadKind.SUPPORT,  # see ThreadRoute.starts
    )


async def customer_item(
    uow: UnitOfWork,
    contact: Contact,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
    prefer: Platform | None,
) -> OutboxItem | None:
    """The post of a case notice for the customer in the case's customer thread, if it has one.

    One thread only (the case's own platform first, then the oldest), so a customer never gets
    the same notice twice. None when the case has no customer thread yet: the caller posts
    privately as before, with a route, and that post starts the thread.
    """
    if notice.case_number is None:
        return None
    roots = [
        r for r in await uow.threads.roots(notice.case_number) if r.kind is ThreadKind.CUSTOMER
    ]
    if not roots:
        return None
    roots.sort(key=lambda r: r.platform is not prefer)
    return await _in_thread(uow, contact, roots[0], notice, key, now, time_zone)


async def _in_thread(
    uow: UnitOfWork,
    contact: Contact,
    root: ThreadRoot,
    notice: Notice,
    key: str,
    now: datetime,
    time_zone: str,
) -> OutboxItem:
    route = ThreadRoute(
        root.case_number, ThreadKind.CUSTOMER, root.message_id, notice.kind in ALSO_IN_CHANNEL
    )
    channel = await uow.directory.channel(root.platform, root.route)
    if channel is not None:
        audience, kind = Audience.CHANNEL, TargetKind.CHANNEL
        reach = dict(channel.route)
    else:  # the thread is in the bot's DM with the person (the case was opened there)
        audience, kind = Audience.PRIVATE, TargetKind.PRIVATE
        chat = next((c for c in contact.chats if c.platform == root.platform.value), None)
        reach = {"space": chat.space} if chat is not None else {}
    reply = Reply(notice, audience, time_zone=time_zone, show_utc=False)
    return OutboxItem(
        dedup_key=f"{key}:{root.platform.value}:{root.route}",
        platform=root.platform,
        target=root.route,
        target_kind=kind,
        payload=encode(reply),
        available_at=now,
        route=reach,
        thread=route,
    )
