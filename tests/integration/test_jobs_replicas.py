"""R4: two schedulers on one PostgreSQL database send every SLA notice exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.model import CaseEvent, EventKind, Platform, Priority, Status, SubStatus
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.sql import SqlStore, open_store
from tests.builders import T0
from tests.integration.conftest import _empty_postgres
from tests.integration.jobs_fakes import Passes, open_tracked, seed_directory

pytestmark = pytest.mark.postgres

CASES = 200
ACCOUNTS = (("acme", "alice@acme.example"), ("globex", "gina@globex.example"))
PRIORITIES = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
# Five-minute passes: the closest two SLA-5 instants of one target (Critical on cloud: 22.5 and
# 30 minutes) always fall in different passes, so every threshold is due in some pass.
STEP = timedelta(minutes=5)


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[SqlStore, SqlStore]]:
    first, second = await open_store(pg_url), await open_store(pg_url)
    try:
        yield first, second
    finally:
        await _empty_postgres(first)
        await first.close()
        await second.close()


@pytest.mark.slow
async def test_r4_two_schedulers_through_a_day_post_every_sla_notice_exactly_once(
    replicas: tuple[SqlStore, SqlStore],
) -> None:
    config = PolicyConfig()
    first, second = replicas
    await seed_directory(first)
    cases = []
    for i in range(CASES):
        account_id, opener = ACCOUNTS[i % len(ACCOUNTS)]
        priority = PRIORITIES[(i // len(ACCOUNTS)) % len(PRIORITIES)]
        at = T0 + timedelta(minutes=(i * 7) % 240)
        opened = CaseEvent(
            EventKind.OPENED,
            at,
            opener,
            Platform.SLACK,
            status=Status.OPEN,
            sub_status=SubStatus.NEW,
            priority=priority,
        )
        cases.append(
            await open_tracked(
                first,
                config,
                at,
                account_id,
                opened_by=opener,
                priority=priority,
                events=(opened,),
            )
        )
    a, b = Passes(first, config), Passes(second, config)
    end = T0 + timedelta(days=1)
    now = T0
    while now <= end:
        await asyncio.gather(a.at(now), b.at(now))
        now += STEP

    delivered = a.counts() + b.counts()
    sla_keys = {k: n for k, n in delivered.items() if k.startswith(("sla:", "sla5b:"))}
    assert set(sla_keys.values()) == {1}  # nothing twice
    expected: set[str] = set()
    async with first.unit_of_work(read_only=True) as uow:
        for case in cases:
            account = await uow.directory.account(case.account_id)
            assert account is not None
            clocks = sla.clocks(case, account, config, end)
            for clock in (clocks.response, clocks.resolution):
                for threshold, at in clock.warnings if clock is not None else ():
                    if at <= end:
                        expected.add(f"sla:{case.number}:c0:{clock.name}:{threshold}")
                        if threshold == sla.BREACH:
                            expected.add(f"sla5b:{case.number}:c0:{clock.name}")
    causes = Counter(":".join(k.split(":")[: 5 if k.startswith("sla:") else 4]) for k in sla_keys)
    assert set(causes) == expected  # nothing missed
    assert len(expected) > 300  # the day really had work in it
    assert a.posts and b.posts  # both replicas delivered some of it
