"""INC-3 status cards every 30 minutes and INC-5 RCA reminders, through the real commands and
store (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands.router import Router
from bot.jobs.incident_sweep import sweep_incidents, sweep_rca_reminders
from bot.messages import NoticeKind
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.sql import SqlStore, open_store
from tests.builders import COMMANDER, TEAMS_BRIDGE, load_world, say
from tests.readback import posts_in_order

# Tuesday 24 November 2026; declared at an odd second so alignment is visible.
DECLARED = datetime(2026, 11, 24, 15, 0, 17, tzinfo=UTC)
SLOT = timedelta(minutes=30)
PASS = timedelta(seconds=30)  # the scheduler's default pass interval
DECLARE = (
    "incident declare sev1 'Inbound calls fail' --accounts acme,globex --bridge CBRIDGE,{teams}"
)


@pytest.fixture
async def world(store: Store, tmp_path: Path) -> Router:
    await load_world(store, tmp_path)
    return Router(store, PolicyConfig())


async def declare(router: Router, at: datetime = DECLARED) -> None:
    await say(router, COMMANDER, DECLARE.format(teams=TEAMS_BRIDGE), at)


def status_posts(posts: list, target: str | None = None) -> list:  # type: ignore[type-arg]
    return [
        p
        for p in posts
        if p.notice.kind is NoticeKind.INCIDENT_STATUS and (target is None or p.target == target)
    ]


@pytest.mark.slow
async def test_inc_3_a_24_hour_incident_gives_48_posts_per_bridge_each_within_one_pass(
    world: Router, store: Store
):
    config = world.config
    await declare(world)
    now = DECLARED
    end = DECLARED + timedelta(hours=24)
    next_status = DECLARED + timedelta(hours=1)
    while now <= end:
        if now >= next_status:
            # The commander posts hourly, so every other card has no new status.
            await say(world, COMMANDER, f"incident status 1 Update at {now:%H:%M}", now)
            next_status += timedelta(hours=1)
        await sweep_incidents(store, config, now)
        now += PASS
    posts = await posts_in_order(store)
    for bridge in ("CBRIDGE", TEAMS_BRIDGE):
        cards = status_posts(posts, bridge)
        assert len(cards) == 48
        for slot, card in enumerate(cards, start=1):
            slot_at = DECLARED + slot * SLOT
            assert card.dedup_key.startswith(f"bridge:1:{slot}:")
            # INC-3: aligned to the declaration without drift, posted within one pass.
            assert slot_at <= card.created_at < slot_at + PASS
            assert ("Next update", slot_at + SLOT) in card.notice.times
    reminders = [p for p in posts if p.notice.kind is NoticeKind.INCIDENT_REMINDER]
    # Slots 1, 3, 5, ... 47 follow no new status: 24 private reminders, all to the commander.
    assert len(reminders) == 24 and {p.target for p in reminders} == {"UIVAN"}


async def test_inc_3_no_new_status_says_so_and_reminds_the_commander_privately(
    world: Router, store: Store
):
    config = world.config
    await declare(world)
    await sweep_incidents(store, config, DECLARED + SLOT + timedelta(seconds=5))
    first = status_posts(await posts_in_order(store), "CBRIDGE")
    assert len(first) == 1 and "No status has been posted" in first[0].notice.body
    await say(
        world,
        COMMANDER,
        "incident status 1 Failover done --next 'watch queues'",
        DECLARED + timedelta(minutes=45),
    )
    await sweep_incidents(store, config, DECLARED + 2 * SLOT + timedelta(seconds=5))
    await sweep_incidents(store, config, DECLARED + 3 * SLOT + timedelta(seconds=5))
    posts = await posts_in_order(store)
    cards = status_posts(posts, "CBRIDGE")
    assert [c.notice.body for c in cards[1:]] == [
        "Failover done",
        "No new status since the last update. Last status: Failover done",
    ]
    assert ("Next steps", "watch queues") in {(f.label, f.value) for f in cards[1].notice.facts}
    reminders = [p for p in posts if p.notice.kind is NoticeKind.INCIDENT_REMINDER]
    assert [(p.target, p.dedup_key.split(":")[2]) for p in reminders] == [
        ("UIVAN", "1"),
        ("UIVAN", "3"),
    ]


async def test_inc_3_after_downtime_a_missed_stretch_gets_one_catch_up_post(
    world: Router, store: Store
):
    config = world.config
    await declare(world)
    assert await sweep_incidents(store, config, DECLARED + SLOT + timedelta(seconds=5)) > 0
    back = DECLARED + timedelta(hours=3, minutes=10)  # slots 2..6 were missed
    queued = await sweep_incidents(store, config, back)
    cards = status_posts(await posts_in_order(store), "CBRIDGE")
    assert [c.dedup_key.split(":")[2] for c in cards] == ["1", "6"]  # one post, the latest slot
    assert queued == 5  # slot 6 on both bridges and both account channels (INC-3b), a reminder
    assert await sweep_incidents(store, config, back) == 0
    async with store.unit_of_work() as uow:
        timer = await uow.timers.get("incident_post", "1")
    assert timer is not None and timer.due_at == DECLARED + 7 * SLOT  # still aligned


async def test_inc_3_two_schedulers_on_one_database_post_each_slot_once(
    world: Router, store: SqlStore, database_url: str
):
    config = world.config
    await declare(world)
    other = await open_store(database_url)
    try:
        now = DECLARED
        while now <= DECLARED + timedelta(hours=3):
            if store.dialect == "postgresql":
                await asyncio.gather(
                    sweep_incidents(store, config, now), sweep_incidents(other, config, now)
                )
            else:  # SQLite has one writer: the passes take turns
                await sweep_incidents(store, config, now)
                await sweep_incidents(other, config, now)
            now += PASS
    finally:
        await other.close()
    keys = Counter(
        p.dedup_key
        for p in status_posts(await posts_in_order(store))
        if p.dedup_key.startswith("bridge:")
    )
    assert len(keys) == 12 and set(keys.values()) == {1}  # 6 slots x 2 bridges, once each


async def test_inc_4_the_all_clear_ends_the_status_posts(world: Router, store: Store):
    config = world.config
    await declare(world)
    await say(world, COMMANDER, "incident restore 1 --agents 30", DECLARED + timedelta(minutes=40))
    await say(
        world,
        COMMANDER,
        "incident all-clear 1 Agents log in again",
        DECLARED + timedelta(minutes=50),
    )
    assert await sweep_incidents(store, config, DECLARED + timedelta(hours=5)) == 0
    assert status_posts(await posts_in_order(store)) == []


async def test_inc_3_status_posts_continue_after_restoration_until_the_all_clear(
    world: Router, store: Store
):
    config = world.config
    await declare(world)
    await say(world, COMMANDER, "incident restore 1 --agents 30", DECLARED + timedelta(minutes=10))
    await sweep_incidents(store, config, DECLARED + SLOT + timedelta(seconds=1))
    cards = status_posts(await posts_in_order(store), "CBRIDGE")
    assert len(cards) == 1
    assert "Restored" in {f.label for f in cards[0].notice.facts}


async def test_inc_5_the_queue_is_reminded_once_before_the_rca_is_due(world: Router, store: Store):
    config = world.config
    await declare(world)
    await say(world, COMMANDER, "incident restore 1 --agents 30", DECLARED + timedelta(hours=1))
    async with store.unit_of_work() as uow:
        timer = await uow.timers.get("rca_reminder", "1")
    assert timer is not None
    due = datetime.fromisoformat(str(timer.payload["rca_due"]))
    assert timer.due_at < due
    assert await sweep_rca_reminders(store, config, timer.due_at - timedelta(seconds=1)) == 0
    assert await sweep_rca_reminders(store, config, timer.due_at + timedelta(seconds=5)) == 1
    assert await sweep_rca_reminders(store, config, due) == 0
    reminders = [p for p in await posts_in_order(store) if p.notice.kind is NoticeKind.RCA_REMINDER]
    # Both accounts route to the one queue channel: it hears the reminder once.
    assert [p.target for p in reminders] == ["CQUEUE"]
    assert ("RCA due", due) in reminders[0].notice.times


async def test_inc_5_no_reminder_once_the_rca_was_delivered(world: Router, store: Store):
    config = world.config
    await declare(world)
    await say(world, COMMANDER, "incident restore 1 --agents 30", DECLARED + timedelta(hours=1))
    await say(
        world, COMMANDER, "incident rca 1 A carrier route flapped", DECLARED + timedelta(hours=5)
    )
    assert await sweep_rca_reminders(store, config, DECLARED + timedelta(days=30)) == 0


async def test_inc_3b_a_2_hour_incident_gives_4_customer_updates_per_account_channel_once_each(
    world: Router, store: SqlStore, database_url: str
):
    config = world.config
    await declare(world)
    other = await open_store(database_url)
    all_clear = DECLARED + timedelta(hours=2, minutes=1)
    try:
        now = DECLARED
        while now <= DECLARED + timedelta(hours=3):
            if now == DECLARED + timedelta(minutes=45):
                await say(
                    world, COMMANDER, "incident status 1 Carrier rerouted --next 'watch'", now
                )
            if now == all_clear:
                await say(world, COMMANDER, "incident restore 1 --agents 30", now)
                await say(world, COMMANDER, "incident all-clear 1 Agents log in again", now)
            if store.dialect == "postgresql":
                await asyncio.gather(
                    sweep_incidents(store, config, now), sweep_incidents(other, config, now)
                )
            else:  # SQLite has one writer: the passes take turns
                await sweep_incidents(store, config, now)
                await sweep_incidents(other, config, now)
            now += PASS
    finally:
        await other.close()
    posts = await posts_in_order(store)
    for channel, zone in (("CACME", "America/New_York"), ("CGLOBEX", "Europe/London")):
        cards = status_posts(posts, channel)
        # INC-3b: slots 1..4 (30, 60, 90, 120 minutes), once each, none after the all-clear.
        assert [c.dedup_key for c in cards] == [
            f"customer:1:{slot}:slack:{channel}" for slot in (1, 2, 3, 4)
        ]
        assert all(c.time_zone == zone for c in cards)  # the account's own zone
        for slot, card in enumerate(cards, start=1):
            assert ("Next update", DECLARED + (slot + 1) * SLOT) in card.notice.times
            labels = {f.label for f in card.notice.facts}
            assert "Commander" not in labels and "Accounts" not in labels  # no internal notes
            assert ("Account", channel[1:].lower()) in {
                (f.label, f.value) for f in card.notice.facts
            }
        assert [c.notice.body for c in cards][1:] == ["Carrier rerouted"] * 3
        assert ("Next steps", "watch") in {(f.label, f.value) for f in cards[1].notice.facts}
    # No commander reminder ever reaches a customer: the reminders go to the commander only.
    reminders = [p for p in posts if p.notice.kind is NoticeKind.INCIDENT_REMINDER]
    assert {p.target for p in reminders} == {"UIVAN"}
