"""`supportbot demo`: the scripted tour of PRODUCT.md through the real Slack and Teams adapters.

Each step sends what a Slack client or Teams would send, runs scheduler passes at the simulated
time, prints what reached the stand-ins, and checks that the step did what it shows: a tour
that silently printed nothing would not be a demo.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.demo.people import Clients, SlackPerson, TeamsPerson
from bot.demo.posts import DemoFailed, Names, Post, expect
from bot.demo.threads import conversations
from bot.demo.transcript import Transcript
from bot.demo.world import World, open_world

# Tuesday 24 November 2026, 09:00 in New York: NA business hours (CAL-1).
START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")

ACME = "C0ACME001"
QUEUE = "C0QUEUEAM"
SLACK_BRIDGE = "C0BRIDGE1"
TEAMS_BRIDGE = "19:bridge@thread.tacv2"
CHANNELS = {
    ACME: "#acme-support",
    QUEUE: "#support-queue-na",
    SLACK_BRIDGE: "#incident-bridge",
    TEAMS_BRIDGE: "Incidents > Bridge",
}
ALICE = SlackPerson("alice", "T0ACME001", "U0ALICE01")
ANA = SlackPerson("ana", "T0VEND001", "U0ANA0001")
IVY = TeamsPerson(
    "ivy", "0f0f0f0f-0000-4000-8000-0000000vendr", "99999999-0000-4000-8000-000000000003"
)
IVY_SLACK_USER = "U0IVY0003"  # INC-3 reminders reach the commander by Slack DM
STATUS_POSTS = 3  # INC-3 slots shown: 1.5 hours of 30-minute cards

_CASE = re.compile(r"\bCase (\d{10})\b")
_INCIDENT = re.compile(r"\bIncident (\d+) declared\b")


class Tour:
    """The steps of the tour over one world."""

    def __init__(self, world: World, out: TextIO) -> None:
        self.world = world
        self.clients = Clients(world)
        self.responses: dict[str, tuple[str, str]] = {}  # Slack trigger -> (who, channel)
        self.names = Names(
            CHANNELS,
            {
                ALICE.user: ALICE.name,
                ANA.user: ANA.name,
                IVY.aad_object_id: IVY.name,
                IVY_SLACK_USER: IVY.name,
            },
            self.responses,
        )
        self.log = Transcript(out, self.names, world.slack_api, world.connector, ZONE)
        self.shown: list[str] = []

    async def slack(self, person: SlackPerson, channel: str, text: str) -> list[Post]:
        """`/case TEXT` from a Slack channel; the posts it caused."""
        self.log.typed(f"Slack {CHANNELS[channel]}", person.name, f"/case {text}")
        sent = await self.clients.slash(person, channel, text)
        return self._answered(sent.status, sent.trigger, person, channel)

    async def teams(self, person: TeamsPerson, channel: str, text: str) -> list[Post]:
        """`@Support case TEXT` in a Teams channel; the posts it caused."""
        self.log.typed(f"Teams {CHANNELS[channel]}", person.name, f"@Support case {text}")
        status = await self.clients.teams_channel(person, channel, f"case {text}")
        if status != 200:
            raise DemoFailed(f"Teams answered HTTP {status} to {text!r}")
        return self.log.posts()

    async def click(self, person: SlackPerson, channel: str, action_id: str) -> list[Post]:
        """A click on the newest button `action_id` the bot posted in `channel`."""
        value, label = self._button(channel, action_id)
        self.log.typed(f"Slack {CHANNELS[channel]}", person.name, f"clicks [{label}]")
        sent = await self.clients.click(person, channel, action_id, value)
        return self._answered(sent.status, sent.trigger, person, channel)

    async def tick(self, delta: timedelta, why: str) -> list[Post]:
        """Move the simulated clock, then one scheduler pass; the posts it delivered."""
        if delta:
            self.world.clock.advance(delta)
        report = await self.world.scheduler_pass()
        local = self.world.clock().astimezone(ZONE)
        self.log.note(
            f"{why}; scheduler pass at {local:%a %H:%M %Z}: "
            f"{report.total_queued} notice(s) queued, {report.delivery.delivered} delivered."
        )
        if report.failed:
            raise DemoFailed(f"scheduler parts failed: {', '.join(report.failed)}")
        return self.log.posts()

    def _answered(self, status: int, trigger: str, person: SlackPerson, channel: str) -> list[Post]:
        if status != 200:
            raise DemoFailed(f"Slack answered HTTP {status}")
        self.responses[trigger] = (person.name, channel)
        return self.log.posts()

    def _button(self, channel: str, action_id: str) -> tuple[str | None, str]:
        for call in reversed(self.world.slack_api.calls):
            if call.method != "chat.postMessage" or call.body.get("channel") != channel:
                continue
            for block in call.body.get("blocks") or []:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element.get("action_id") == action_id:
                        return element.get("value"), str(element["text"]["text"])
        raise DemoFailed(f"no {action_id} button was posted in {CHANNELS[channel]}")


async def open_case(t: Tour) -> str:
    """Step 1: a designated contact opens a High case; the queue hears of it after a pass."""
    t.log.heading(1, "A designated contact opens a High case from Slack", t.world.clock())
    posts = await t.slack(
        ALICE,
        ACME,
        'open high "Checkout fails for EU customers" --impact "EU orders blocked since 08:40" '
        '--description "Since this morning every EU checkout ends with HTTP 502 from the '
        'payment step; US checkouts work. We restarted the payment adapter with no change."',
    )
    found = _CASE.search(expect(posts, CHANNELS[ACME], "Case ").text)
    if found is None:
        raise DemoFailed("the open answer names no case number")
    case = found.group(1)
    expect(await t.tick(timedelta(0), "The outbox is delivered"), CHANNELS[QUEUE], "New case")
    t.shown.append(f"case {case} opened from Slack; the new-case alert reached the NA queue")
    return case


async def refused_escalation(t: Tour, case: str) -> None:
    """Step 2: escalating a fresh High case is refused with ESC-6 and what to do instead."""
    t.log.heading(2, "She asks to escalate it at once", t.world.clock())
    posts = await t.slack(
        ALICE, ACME, f'escalate {case[-4:]} "We need this today" --impact "EU orders blocked"'
    )
    expect(posts, CHANNELS[ACME], "ESC-6")
    t.shown.append("the escalation was refused, naming rule ESC-6 and what to do instead")


async def sla_warning(t: Tour, case: str) -> None:
    """Step 3: at 75% of the response target the queue is warned; the analyst takes and responds."""
    t.log.heading(3, "Three business hours later: the SLA warning", t.world.clock())
    posts = await t.tick(timedelta(hours=3, minutes=1), "The clock moves 3 business hours")
    expect(posts, CHANNELS[QUEUE], "SLA warning")
    expect(await t.click(ANA, QUEUE, "case:take"), CHANNELS[QUEUE], case)
    posts = await t.slack(
        ANA,
        QUEUE,
        f'respond {case[-4:]} "We can reproduce the 502s and are working on a fix. '
        'Next update within the hour."',
    )
    posts = await t.tick(timedelta(minutes=1), "A minute later")
    expect(posts, CHANNELS[ACME], "Support replied")  # CONV-1: in the case thread
    t.shown.append(
        "at 75% of the response target the queue got an SLA warning; Ana took the case and "
        "responded"
    )


async def incident(t: Tour, case: str) -> None:
    """Step 4: an incident declared on Teams with both bridges, its 30-minute cards, restore, all-clear."""
    t.log.heading(4, "An incident is declared on Teams", t.world.clock())
    posts = await t.teams(
        IVY,
        TEAMS_BRIDGE,
        'incident declare sev2 "EU payment gateway returns 502 on checkout" --accounts acme '
        f'--bridge "{TEAMS_BRIDGE},{SLACK_BRIDGE}" --services "Checkout API" --case {case[-4:]}',
    )
    found = None
    for post in posts:
        found = found or _INCIDENT.search(post.text)
    if found is None:
        raise DemoFailed("the declare answer names no incident")
    number = found.group(1)
    posts = await t.tick(timedelta(0), "The outbox is delivered")
    expect(posts, CHANNELS[SLACK_BRIDGE], "Incident declared")
    expect(posts, CHANNELS[TEAMS_BRIDGE], "Incident declared")
    cards = 0
    for slot in range(1, STATUS_POSTS + 1):
        if slot == 2:
            await t.teams(
                IVY,
                TEAMS_BRIDGE,
                f'incident status {number} "Failover to the secondary gateway is in progress" '
                '--next "Confirm EU checkouts succeed"',
            )
        posts = await t.tick(timedelta(minutes=30), "30 minutes pass")
        expect(posts, CHANNELS[TEAMS_BRIDGE], f"Status update {slot}")
        expect(posts, CHANNELS[SLACK_BRIDGE], f"Status update {slot}")
        cards += 1
    await t.teams(
        IVY, TEAMS_BRIDGE, f'incident restore {number} --agents 40 "Checkout works again"'
    )
    expect(await t.tick(timedelta(minutes=1), "A minute later"), CHANNELS[ACME], "restored")
    await t.teams(
        IVY, TEAMS_BRIDGE, f'incident all-clear {number} "Retry any EU order that failed today"'
    )
    expect(
        await t.tick(timedelta(minutes=1), "A minute later"), CHANNELS[SLACK_BRIDGE], "All clear"
    )
    t.shown.append(
        f"incident {number} declared on Teams with a Teams and a Slack bridge; {cards} status "
        "cards, 30 minutes apart, reached both bridges; restored, then all-clear"
    )


async def close_and_reopen(t: Tour, case: str) -> None:
    """Step 5: the customer closes the case, and reopens it a few days later (REO-1)."""
    t.log.heading(5, "The customer closes the case, then reopens it", t.world.clock())
    await t.slack(
        ALICE, ACME, f'close {case[-4:]} resolved "Checkout works again after the failover"'
    )
    await t.tick(timedelta(0), "The outbox is delivered")
    t.world.clock.advance(timedelta(days=3))
    t.log.note("Three days pass")
    posts = await t.slack(
        ALICE,
        ACME,
        f'reopen {case[-4:]} "EU checkouts fail again since this morning with the same 502 '
        'error from the payment step"',
    )
    expect(posts, CHANNELS[ACME], "Reopen")
    expect(await t.tick(timedelta(0), "The outbox is delivered"), CHANNELS[QUEUE], "reopened")
    t.shown.append(
        f"case {case} closed from Slack and reopened three days later; the queue was told"
    )


async def tour(world: World, out: TextIO) -> list[str]:
    """Run every step; what each showed."""
    t = Tour(world, out)
    out.write(
        "supportbot demo: a temporary SQLite database, a simulated clock, the real Slack and "
        "Teams adapters\ntalking to local stand-ins of the Slack Web API and the Teams "
        f"connector on 127.0.0.1 ({world.base_url}).\nSlack requests are signed and Teams "
        "activities carry Bot Framework tokens (from a local signing key): the\nreal checks "
        "run, as in production.\n"
    )
    case = await open_case(t)
    await refused_escalation(t, case)
    await sla_warning(t, case)
    await incident(t, case)
    await close_and_reopen(t, case)
    await conversations(t, case, ALICE, ANA, (ACME, QUEUE))
    t.log.summary(t.shown)
    return t.shown


async def run_demo(out: TextIO | None = None) -> int:
    """`supportbot demo`: print the tour to `out` (stdout); 0 when every step showed its point."""
    stream = out if out is not None else sys.stdout
    try:
        async with open_world(START) as world:
            await tour(world, stream)
    except DemoFailed as failed:
        stream.write(f"\nThe demo stopped: {failed}\n")
        return 1
    return 0
