"""R3/R4 on Teams: a long 429 storm at the connector slows the outbox, loses nothing, and each
throttled attempt is one call (the outbox's shared budget holds the conversation back, no retry
inside the call sends again before it)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.registry import rate_limits
from bot.adapters.teams.chats import TeamsChats
from bot.adapters.teams.delivery import TeamsDeliverer
from bot.casework.payload import encode
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, TargetKind
from tests.builders import T0

from .teams_fixtures import APP_ID, CHANNEL, ConnectorStandIn, fast_connector

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

POSTS = 5
STORM_CALLS = 40  # 429s in a row, each answered with Retry-After: 5


async def test_r3_r4_a_teams_429_storm_delivers_every_post_once_one_call_per_attempt(
    teams_store: Store, teams_connector: ConnectorStandIn
) -> None:
    async with teams_store.unit_of_work() as uow:
        for i in range(POSTS):
            reply = encode(Reply(Message(f"storm post {i}"), Audience.CHANNEL))
            await uow.outbox.add(
                OutboxItem(f"storm:{i}", Platform.TEAMS, CHANNEL, TargetKind.CHANNEL, reply, T0)
            )
        await uow.commit()
    teams_connector.failures = [429] * STORM_CALLS
    teams_connector.retry_after = "5"
    connector = fast_connector()  # its in-call retries do not wait: they would show at once
    deliverer = TeamsDeliverer(
        teams_store, connector, TeamsChats(teams_store, connector, lambda: T0), APP_ID
    )
    clock = {"s": 0.0}

    async def sleep(seconds: float) -> None:  # the pacer's waits pass in simulated time
        clock["s"] += seconds

    pacer = Pacer(rate_limits(), monotonic=lambda: clock["s"], sleep=sleep)
    worker = OutboxWorker(teams_store, {Platform.TEAMS: deliverer}, pacer=pacer)
    passes = 0
    now = T0
    while len(teams_connector.to(CHANNEL)) < POSTS:
        assert passes < 2_000, "the storm never let the posts through"
        calls_before = teams_connector.calls
        await worker.drain(now)
        # At most one call per post and pass (before the fix each attempt retried a short 429
        # four times inside the call).
        assert teams_connector.calls - calls_before <= POSTS
        passes += 1
        now += timedelta(seconds=1)
        clock["s"] += 1.0
    await deliverer.close()
    await connector.close()
    texts = [p.text.strip() for p in teams_connector.to(CHANNEL)]
    assert sorted(texts) == [f"storm post {i}" for i in range(POSTS)]  # each exactly once
    assert teams_connector.calls == STORM_CALLS + POSTS  # the storm, then each post once
    async with teams_store.unit_of_work(read_only=True) as uow:
        backlog = await uow.outbox.backlog()
    assert backlog.dead == 0 and backlog.pending == 0
    # Retry-After was kept: after each 429 the conversation waited 5 s, with at most all the
    # posts tried in one pass.
    assert now - T0 >= timedelta(seconds=5 * STORM_CALLS / POSTS)
