"""A small directory with two bridges (Slack and Teams) and the helpers the incident, notice
and report tests share: a commander typing commands, and the pending outbox read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.casework.payload import decode
from bot.commands import identity
from bot.commands.router import Router
from bot.directory import load_directory
from bot.messages import ChatRequest, Command, Notice, Outcome, Reply
from bot.model import Platform
from bot.store.interface import Store

COMMANDER = "ivan@vendor.example"
TEAMS_BRIDGE = "19:bridge@thread.tacv2"
DIRECTORY = """
accounts:
  - {id: acme, sold_to: Acme Corp, end_user: Acme Corp, partner: false, deployment: cloud,
     care_level: business, region: NA, contract: {start: 2026-01-01, end: 2027-12-31}}
  - {id: globex, sold_to: Globex GmbH, end_user: Globex GmbH, partner: false,
     deployment: on_premises, care_level: business, region: EMEA,
     contract: {start: 2025-01-01, end: 2028-12-31}}
contacts:
  - {email: alice@acme.example, name: Alice Able, company: Acme Corp,
     slack: {team: T1, user: UALICE}, grants: [{account: acme, level: designated}]}
staff:
  - {email: ivan@vendor.example, name: Ivan Commander, roles: [incident_commander],
     slack: {team: T0, user: UIVAN}}
channels:
  - {platform: slack, id: CACME, purpose: account, account: acme}
  - {platform: slack, id: CGLOBEX, purpose: account, account: globex}
  - {platform: slack, id: CQUEUE, purpose: queue}
  - {platform: slack, id: CBRIDGE, purpose: bridge}
  - {platform: teams, id: "19:bridge@thread.tacv2", purpose: bridge,
     service_url: "http://127.0.0.1:1/teams/", tenant: tenant-vendor}
"""


async def load_world(store: Store, folder: Path) -> None:
    path = folder / "directory.yaml"
    path.write_text(DIRECTORY, encoding="utf-8")
    await load_directory(store, path)


async def say(router: Router, email: str, text: str, now: datetime) -> Reply:
    """`email` types `text` in a DM with the bot at `now`; fails the test unless it worked."""
    async with router.store.unit_of_work() as uow:
        actor = await identity.by_email(uow.directory, Platform.SLACK, f"user:{email}", email)
    req = ChatRequest(Platform.SLACK, "T0", "D1", actor, Command.unparsed(text), now, True)
    reply = await router.handle(req)
    if reply.outcome is not Outcome.OK:
        raise AssertionError(f"{text!r} was not accepted: {reply}")
    return reply


@dataclass(frozen=True)
class Post:
    """One outbox row, decoded."""

    target: str
    dedup_key: str
    created_at: datetime
    notice: Notice
    time_zone: str


async def outbox(store: Store) -> list[Post]:
    """Every pending post, oldest first (claimed in a unit of work that is rolled back)."""
    far = datetime.fromisoformat("2100-01-01T00:00:00+00:00")
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(100_000, "test", 60, far)
    found: list[Post] = []
    for message in claimed:
        reply = decode(message.payload)
        if isinstance(reply.body, Notice):
            found.append(
                Post(
                    message.target,
                    message.dedup_key,
                    message.created_at,
                    reply.body,
                    reply.time_zone,
                )
            )
    return sorted(found, key=lambda p: (p.created_at, p.dedup_key))
