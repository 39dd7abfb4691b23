"""CONV-1: which thread a channel post about a case goes in, and which are also top-level."""

from __future__ import annotations

import pytest

from bot.casework.case_threads import channel_route
from bot.conversation import ThreadKind, ThreadRoute
from bot.messages import Notice, NoticeKind
from bot.model import ChannelBinding, ChannelPurpose, Platform

QUEUE = ChannelBinding(Platform.SLACK, "CQUEUE", ChannelPurpose.QUEUE)
ACME = ChannelBinding(Platform.SLACK, "CACME", ChannelPurpose.ACCOUNT, account_id="acme")
CUSTOMER = ThreadKind.CUSTOMER
BRIDGE = ChannelBinding(Platform.SLACK, "CBRIDGE", ChannelPurpose.BRIDGE)


@pytest.mark.parametrize(
    ("channel", "kind", "route"),
    [
        (QUEUE, NoticeKind.SLA_WARNING, ThreadRoute(1001, ThreadKind.SUPPORT)),
        (QUEUE, NoticeKind.SLA_BREACH, ThreadRoute(1001, ThreadKind.SUPPORT, None, True)),
        # In the account's channel they join the customer thread, never start one.
        (ACME, NoticeKind.CUSTOMER_BREACH, ThreadRoute(1001, CUSTOMER, None, True, False)),
        (ACME, NoticeKind.INCIDENT_DECLARED, ThreadRoute(1001, CUSTOMER, None, True, False)),
        (ACME, NoticeKind.CASE_UPDATED, ThreadRoute(1001, CUSTOMER, starts=False)),
        (BRIDGE, NoticeKind.INCIDENT_STATUS, None),  # a bridge has no case threads
    ],
)
def test_conv_1_case_posts_go_in_the_thread_breaches_and_incidents_also_in_the_channel(
    channel: ChannelBinding, kind: NoticeKind, route: ThreadRoute | None
) -> None:
    assert channel_route(channel, Notice(kind, "title", case_number=1001)) == route


def test_conv_1_posts_about_no_case_are_not_threaded() -> None:
    assert channel_route(QUEUE, Notice(NoticeKind.MAINTENANCE, "Maintenance")) is None
