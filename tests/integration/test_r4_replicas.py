"""R4 counted at the stand-ins: two schedulers on one PostgreSQL database through a simulated day.

200 cases and 3 incidents; both replicas run every sweep at each step of a shared clock and
deliver through the real Slack and Teams deliverers to the local Slack Web API and Bot Framework
connector stand-ins. What arrived there is compared with what bot.policy.sla and the incident
script say is due: every SLA notice and every INC-3 slot once, and no post twice.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from aiohttp.test_utils import TestServer

from bot.adapters.registry import rate_limits
from bot.adapters.slack.delivery import SlackDeliverer, web_client
from bot.adapters.teams.chats import TeamsChats
from bot.adapters.teams.connector import Connector
from bot.adapters.teams.delivery import TeamsDeliverer
from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.jobs.delivery import Deliverer
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import run_once
from bot.messages import ChatRequest, Command, Outcome
from bot.model import Case, CaseEvent, EventKind, Platform, Priority, Status, SubStatus
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn
from bot.store.sql import SqlStore, open_store
from tests.builders import T0
from tests.integration.conftest import _empty_postgres
from tests.integration.jobs_fakes import open_tracked

pytestmark = pytest.mark.postgres

CASES = 200
PRIORITIES = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
# Five-minute passes: the closest two SLA-5 instants of one target (Critical on cloud: 22.5 and
# 30 minutes) fall in different passes, so each threshold is due in a pass of its own and the
# catch-up rule (only the highest passed threshold) never merges two notices.
STEP = timedelta(minutes=5)
END = T0 + timedelta(days=1)
SLOT = timedelta(minutes=30)  # INC-3

TEAMS_QUEUE = "19:queue-emea@thread.tacv2"
TEAMS_GLOBEX = "19:globex@thread.tacv2"
TEAMS_BRIDGE = "19:bridge@thread.tacv2"
TEAMS_BRIDGE_2 = "19:bridge-2@thread.tacv2"
IVAN = "ivan@vendor.example"  # a commander on Slack: his reminders go to a Slack DM
TESS = "tess@vendor.example"  # a commander on Teams only: her reminders go to a 1:1 chat

DIRECTORY = """
accounts:
  - {id: acme, sold_to: Acme Corp, end_user: Acme Corp, partner: false, deployment: on_premises,
     care_level: business, region: NA, contract: {start: 2026-01-01, end: 2027-12-31}}
  - {id: globex, sold_to: Globex GmbH, end_user: Globex GmbH, partner: false, deployment: cloud,
     care_level: premium, region: EMEA, contract: {start: 2025-01-01, end: 2028-12-31}}
contacts:
  - {email: alice@acme.example, name: Alice Able, company: Acme Corp,
     slack: {team: T1, user: UALICE}, grants: [{account: acme, level: designated}]}
  - {email: gina@globex.example, name: Gina Gold, company: Globex GmbH,
     teams: {tenant: tenant-globex, aad_object_id: aad-gina},
     grants: [{account: globex, level: designated}]}
staff:
  - {email: ivan@vendor.example, name: Ivan Commander, roles: [incident_commander],
     slack: {team: T0, user: UIVAN}}
  - {email: tess@vendor.example, name: Tess Commander, roles: [incident_commander],
     teams: {tenant: tenant-vendor, aad_object_id: aad-tess}}
channels:
  - {platform: slack, id: CACME, purpose: account, account: acme}
  - {platform: teams, id: "19:globex@thread.tacv2", purpose: account, account: globex,
     service_url: "{url}", tenant: tenant-globex}
  - {platform: slack, id: CQUEUE, purpose: queue}
  - {platform: slack, id: CQUEUE-NA, purpose: queue, regions: [NA]}
  - {platform: teams, id: "19:queue-emea@thread.tacv2", purpose: queue, regions: [EMEA],
     priorities: [critical, high], service_url: "{url}", tenant: tenant-vendor}
  - {platform: slack, id: CBRIDGE, purpose: bridge}
  - {platform: slack, id: CBRIDGE-2, purpose: bridge}
  - {platform: teams, id: "19:bridge@thread.tacv2", purpose: bridge,
     service_url: "{url}", tenant: tenant-vendor}
  - {platform: teams, id: "19:bridge-2@thread.tacv2", purpose: bridge,
     service_url: "{url}", tenant: tenant-vendor}
"""

# The directory's routing, written out independently of the store's queries:
# (platform, channel) -> (regions, priorities); empty means all.
QUEUES: dict[tuple[Platform, str], tuple[frozenset[str], frozenset[Priority]]] = {
    (Platform.SLACK, "CQUEUE"): (frozenset(), frozenset()),
    (Platform.SLACK, "CQUEUE-NA"): (frozenset({"NA"}), frozenset()),
    (Platform.TEAMS, TEAMS_QUEUE): (
        frozenset({"EMEA"}),
        frozenset({Priority.CRITICAL, Priority.HIGH}),
    ),
}
ACCOUNT_CHANNELS = {"acme": (Platform.SLACK, "CACME"), "globex": (Platform.TEAMS, TEAMS_GLOBEX)}
OPENERS = {"acme": "alice@acme.example", "globex": "gina@globex.example"}


@dataclass(frozen=True)
class Step:
    """A command typed at `at` by a commander (on the platform their directory entry names)."""

    at: datetime
    email: str
    text: str


@dataclass(frozen=True)
class Script:
    """One incident: when it is declared and all-cleared (None: still running at the end)."""

    number: int
    declared: datetime
    all_clear: datetime | None
    bridges: tuple[tuple[Platform, str], tuple[Platform, str]]
    steps: tuple[Step, ...]

    def expected_slots(self) -> set[int]:
        """INC-3 / INC-4: every slot from the declaration up to the all-clear (or the day's end)."""
        stop = self.all_clear or END + timedelta(microseconds=1)
        slot, found = 1, set()
        while self.declared + slot * SLOT < stop and self.declared + slot * SLOT <= END:
            found.add(slot)
            slot += 1
        return found


def _incident(
    number: int,
    commander: str,
    declare: str,
    bridges: tuple[tuple[Platform, str], tuple[Platform, str]],
    minutes: tuple[int, tuple[int, ...], int, int | None],
) -> Script:
    """Incident `number`'s commands: `minutes` = (declared after T0, statuses, restore, all-clear)."""
    declared = T0 + timedelta(minutes=minutes[0], seconds=17)  # off the pass grid
    statuses, restore, all_clear = minutes[1:]
    names = ",".join(channel for _, channel in bridges)
    steps = [Step(declared, commander, f"incident declare {declare} --bridge {names}")]
    for text, after in (
        *((f"status {number} At {m}", m) for m in statuses),
        (f"restore {number} --agents 30", restore),
        *([(f"all-clear {number} Done", all_clear)] if all_clear is not None else []),
    ):
        steps.append(Step(declared + timedelta(minutes=after), commander, f"incident {text}"))
    ended = None if all_clear is None else declared + timedelta(minutes=all_clear)
    return Script(number, declared, ended, bridges, tuple(steps))


BRIDGES_1 = ((Platform.SLACK, "CBRIDGE"), (Platform.TEAMS, TEAMS_BRIDGE))
BRIDGES_2 = ((Platform.SLACK, "CBRIDGE-2"), (Platform.TEAMS, TEAMS_BRIDGE_2))
BRIDGES_3 = ((Platform.SLACK, "CBRIDGE"), (Platform.TEAMS, TEAMS_BRIDGE_2))
# Declared off the pass grid, all-cleared at different times; incident 3 runs past the end of
# the day. Each all-clear comes a few minutes after a pass, so no slot falls between the last
# pass and the all-clear. Incidents 1 and 3 share a Slack bridge, 2 and 3 a Teams one.
INCIDENTS = (
    _incident(1, IVAN, "sev1 'Calls fail' --accounts acme", BRIDGES_1, (60, (50,), 130, 192)),
    _incident(2, TESS, "sev2 Stalls --accounts globex", BRIDGES_2, (160, (60, 243), 540, 622)),
    _incident(
        3, IVAN, "sev1 Logins --accounts acme,globex", BRIDGES_3, (363, (60, 300), 960, None)
    ),
)


class FakeTime:
    """The pacer's monotonic clock: sleeping moves it on, so rate limits cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


@dataclass
class Replica:
    """One scheduler: its own store (engine), router, deliverers, outbox worker and pacer."""

    store: SqlStore
    config: PolicyConfig
    slack: SlackStandIn
    teams_url: str
    time: FakeTime = field(default_factory=FakeTime)

    def __post_init__(self) -> None:
        loopback = self.teams_url.rstrip("/")

        async def no_sleep(_seconds: float) -> None:
            return None

        # The stand-in is the only connector host allowed (R1); retries without waiting.
        self.connector = Connector(
            None, lambda url: url.startswith(loopback), sleep=no_sleep, base_delay=0.01
        )
        chats = TeamsChats(self.store, self.connector, lambda: T0)
        deliverers: dict[Platform, Deliverer] = {
            Platform.SLACK: SlackDeliverer(web_client("xoxb-test", self.slack.base_url)),
            Platform.TEAMS: TeamsDeliverer(self.store, self.connector, chats, None),
        }
        # The real P6 limits, on a clock that sleeping advances (see test_jobs_pacing).
        pacer = Pacer(rate_limits(), monotonic=self.time, sleep=self.time.sleep)
        self.worker = OutboxWorker(self.store, deliverers, pacer=pacer)
        self.router = Router(self.store, self.config)

    async def at(self, now: datetime) -> None:
        """Every sweep, then the outbox drained to the stand-ins; fails the test if a part failed."""
        report = await run_once(self.store, self.config, now, {}, worker=self.worker)
        if report.failed:
            raise AssertionError(f"pass at {now.isoformat()} failed: {report.failed}")

    async def say(self, step: Step) -> None:
        async with self.store.unit_of_work() as uow:
            staff = await uow.directory.staff_by_email(step.email)
            if staff is None:
                raise LookupError(step.email)
            on_slack = any(chat.platform == Platform.SLACK for chat in staff.chats)
            platform = Platform.SLACK if on_slack else Platform.TEAMS
            actor = await identity.by_email(
                uow.directory, platform, f"user:{step.email}", step.email
            )
        command = Command.unparsed(step.text)
        req = ChatRequest(platform, "T0", "D1", actor, command, step.at, True)
        reply = await self.router.handle(req)
        if reply.outcome is not Outcome.OK:
            raise AssertionError(f"{step.text!r} was not accepted: {reply}")

    async def close(self) -> None:
        await self.connector.close()


@dataclass
class World:
    slack: SlackStandIn
    teams: ConnectorStandIn
    replicas: tuple[Replica, Replica]


@pytest.fixture
async def world(pg_url: str, tmp_path: Path) -> AsyncIterator[World]:
    slack = SlackStandIn()
    await slack.start()
    teams = ConnectorStandIn()
    server = TestServer(teams.app(), host="127.0.0.1")
    await server.start_server()
    teams.url = str(server.make_url("/teams/"))
    first, second = await open_store(pg_url), await open_store(pg_url)
    path = tmp_path / "directory.yaml"
    path.write_text(DIRECTORY.replace("{url}", teams.url), encoding="utf-8")
    await load_directory(first, path)
    config = PolicyConfig()
    # One clock for both, as replicas share the wall clock: the channel budget is in its time.
    time = FakeTime()
    replicas = (
        Replica(first, config, slack, teams.url, time),
        Replica(second, config, slack, teams.url, time),
    )
    try:
        yield World(slack, teams, replicas)
    finally:
        for replica in replicas:
            await replica.close()
        await _empty_postgres(first)
        await first.close()
        await second.close()
        await server.close()
        await slack.close()


# -- what arrived at the stand-ins -------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """One post as a stand-in recorded it."""

    platform: Platform
    channel: str
    title: str  # the notification summary: Slack's fallback `text`, the Teams activity summary
    content: str  # the whole request body, canonical JSON


def arrivals(world: World) -> list[Arrival]:
    found = [
        Arrival(
            Platform.SLACK,
            str(call.body["channel"]),
            str(call.body.get("text", "")),
            json.dumps(call.body, sort_keys=True),
        )
        for call in world.slack.posted()
    ]
    found += [
        Arrival(
            Platform.TEAMS,
            post.conversation_id,
            # Teams Markdown escapes punctuation with backslashes; titles need none of them.
            str(post.body.get("summary", "")).replace("\\", ""),
            json.dumps(post.body, sort_keys=True),
        )
        for post in world.teams.posts
    ]
    return found


SLA_TITLES = (
    (re.compile(r"^SLA warning on (\d+): (\d+)% of the (\w+) target has elapsed$"), "warning"),
    (re.compile(r"^SLA breach on (\d+): the (\w+) target has passed$"), "breach"),
    (re.compile(r"^Case (\d+): the (\w+) target has passed$"), "customer"),
)
STATUS_TITLE = re.compile(r"^Status update (\d+): incident (\d+) ")

SlaKey = tuple[Platform, str, str, int, str, int]  # platform, channel, kind, case, target, share
SlotKey = tuple[Platform, str, int, int]  # platform, bridge, incident, slot
_Key = TypeVar("_Key", SlaKey, SlotKey)


def sla_key(arrival: Arrival) -> SlaKey | None:
    for pattern, kind in SLA_TITLES:
        match = pattern.match(arrival.title)
        if match is None:
            continue
        number, *rest = match.groups()
        share = int(rest[0]) if kind == "warning" else 100
        return (arrival.platform, arrival.channel, kind, int(number), rest[-1], share)
    return None


def in_channel(key: _Key) -> _Key:
    """The key with a Teams thread's conversation (`<channel>;messageid=<root>`) as its channel."""
    return (key[0], key[1].split(";messageid=")[0], *key[2:])  # type: ignore[return-value]


def slot_key(arrival: Arrival) -> SlotKey | None:
    match = STATUS_TITLE.match(arrival.title)
    if match is None:
        return None
    return (arrival.platform, arrival.channel, int(match[2]), int(match[1]))


# -- what should have arrived ------------------------------------------------------------------


def queues_for(region: str, priority: Priority) -> list[tuple[Platform, str]]:
    return [
        channel
        for channel, (regions, priorities) in QUEUES.items()
        if (not regions or region in regions) and (not priorities or priority in priorities)
    ]


async def expected_sla(store: SqlStore, config: PolicyConfig, cases: list[Case]) -> set[SlaKey]:
    """SLA-5 and SLA-5b, each case on its own: every threshold reached by the end of the day."""
    expected: set[SlaKey] = set()
    async with store.unit_of_work(read_only=True) as uow:
        for case in cases:
            account = await uow.directory.account(case.account_id)
            if account is None:
                raise LookupError(case.account_id)
            clocks = sla.clocks(case, account, config, END)
            for clock in (c for c in (clocks.response, clocks.resolution) if c is not None):
                for threshold, at in clock.warnings:
                    if at > END:
                        continue
                    breach = threshold >= sla.BREACH
                    kind = "breach" if breach else "warning"
                    share = round(threshold * 100)
                    for platform, channel in queues_for(account.region, case.priority):
                        expected.add((platform, channel, kind, case.number, clock.label, share))
                    if breach:
                        platform, channel = ACCOUNT_CHANNELS[case.account_id]
                        expected.add((platform, channel, "customer", case.number, clock.label, 100))
    return expected


# INC-3b: the affected accounts, whose channels get the customer version of every slot.
INCIDENT_ACCOUNTS = {1: ("acme",), 2: ("globex",), 3: ("acme", "globex")}


def expected_slots() -> set[SlotKey]:
    return {
        (platform, channel, script.number, slot)
        for script in INCIDENTS
        for platform, channel in (
            *script.bridges,
            *(ACCOUNT_CHANNELS[a] for a in INCIDENT_ACCOUNTS[script.number]),
        )
        for slot in script.expected_slots()
    }


def opening(i: int) -> tuple[datetime, str, Priority]:
    """The i-th case: when (spread over the first four hours, off the grid), account, priority."""
    account_id = ("acme", "globex")[i % 2]
    priority = PRIORITIES[(i // 2) % len(PRIORITIES)]
    return T0 + timedelta(minutes=(i * 7) % 240, seconds=i % 50), account_id, priority


async def open_case(replica: Replica, i: int) -> Case:
    at, account_id, priority = opening(i)
    opener = OPENERS[account_id]
    platform = Platform.SLACK if account_id == "acme" else Platform.TEAMS
    opened = CaseEvent(
        EventKind.OPENED,
        at,
        opener,
        platform,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=priority,
    )
    # Through the store and tracking.track, as `open` stores a case and arms its timers.
    return await open_tracked(
        replica.store,
        replica.config,
        at,
        account_id,
        opened_by=opener,
        priority=priority,
        events=(opened,),
    )


# -- the day -----------------------------------------------------------------------------------


@pytest.mark.slow
async def test_r4_two_schedulers_post_every_sla_notice_and_incident_slot_once_at_the_stand_ins(
    world: World,
) -> None:
    a, b = world.replicas
    config = a.config
    arriving = sorted(range(CASES), key=lambda i: opening(i)[0])
    # Incidents 1 and 3 are typed at replica a, incident 2 at replica b.
    typed = sorted(
        ((step, a if script.number != 2 else b) for script in INCIDENTS for step in script.steps),
        key=lambda pair: pair[0].at,
    )
    cases: list[Case] = []
    now = T0
    while now <= END:
        # What happened since the last pass, at its own time: cases opened, commands typed.
        while arriving and opening(arriving[0])[0] <= now:
            cases.append(await open_case((a, b)[arriving[0] % 2], arriving.pop(0)))
        while typed and typed[0][0].at <= now:
            step, replica = typed.pop(0)
            await replica.say(step)
        await asyncio.gather(a.at(now), b.at(now))
        a.time.now += STEP.total_seconds()  # shared by both replicas
        now += STEP
    assert len(cases) == CASES and not typed

    posts = arrivals(world)
    # No post arrived twice anywhere, whatever its kind.
    twice = [
        k for k, n in Counter((p.platform, p.channel, p.content) for p in posts).items() if n > 1
    ]
    assert twice == []

    # Once per destination: a Teams post in a case's thread (CONV-1) goes to
    # `<channel>;messageid=<root>`, and a breach is also shown in the channel itself.
    sla_posts = Counter(k for k in map(sla_key, posts) if k is not None)
    expected = await expected_sla(a.store, config, cases)
    assert set(sla_posts.values()) == {1}
    sla_seen = {in_channel(k) for k in sla_posts}
    assert sla_seen - expected == set()  # nothing that was not due
    assert expected - sla_seen == set()  # nothing missed
    kinds = Counter(key[2] for key in expected)
    assert kinds["warning"] > 100 and kinds["breach"] > 100 and kinds["customer"] > 50
    assert {key[0] for key in expected} == {Platform.SLACK, Platform.TEAMS}

    slot_posts = Counter(k for k in map(slot_key, posts) if k is not None)
    assert set(slot_posts.values()) == {1}
    assert {in_channel(k) for k in slot_posts} == expected_slots()
    # Two bridges each, and each affected account's channel (INC-3b); incident 1 has 6 slots,
    # 2 has 20, 3 has 35 (06:03:17 to the day's end).
    slots_seen = {in_channel(k) for k in slot_posts}
    assert Counter(key[2] for key in slots_seen) == {1: 6 * 3, 2: 20 * 3, 3: 35 * 4}
    # INC-3's private nudges reach both commanders: Ivan's Slack DM, Tess's Teams 1:1 chat.
    nudged = Counter(p.channel for p in posts if p.title.startswith("No new status"))
    assert set(nudged) == {"D-UIVAN", "a:1on1-aad-tess"}

    # Every queued post was delivered (none pending, none dead), and both replicas did some.
    delivered = [r.worker.counters.delivered for r in (a, b)]
    # One delivery each; on Teams a card also shown in the channel (CONV-1) is posted twice: in
    # the case's thread and at the top of the channel.
    top = {(p.channel, p.title) for p in posts if p.platform == Platform.TEAMS}
    twins = [
        p
        for p in posts
        if ";messageid=" in p.channel and (p.channel.split(";messageid=")[0], p.title) in top
    ]
    assert sum(delivered) == len(posts) - len(twins) and min(delivered) > 0
    assert sum(r.worker.counters.dead for r in (a, b)) == 0
    far = END + timedelta(days=365)
    async with a.store.unit_of_work() as uow:  # rolled back: the claim is only a look
        assert len(await uow.outbox.claim(10, "check", 60, far)) == 0
