"""R5: every verb x actor x target account is allowed or refused exactly as POLICY.md section 1
says, and a refusal writes nothing.

The expectation is worked out here from the directory's facts and the rules ACC-2..ACC-9, not
by asking `bot.policy.access`, so that this test can disagree with it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.commands.router import Router
from bot.messages import Message, Outcome, Refusal, Reply, case_not_found
from bot.model import format_case_number
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.sql import open_store

from . import r5_world
from .conftest import Clock, Person
from .r5_world import Cases, World

# --- The directory as POLICY.md sees it (tests/unit/commands/directory.yaml + r5_world). ------

ALICE, DAVE, RITA, BOB = (f"{n}@acme.example" for n in ("alice", "dave", "rita", "bob"))
GINA, IAN = "gina@globex.example", "ian@initech.example"
UMA, ULLA, UGO = (f"{n}@umbrella.example" for n in ("uma", "ulla", "ugo"))
HANK, NORA, HUGO = (f"{n}@hooli.example" for n in ("hank", "nora", "hugo"))
UNMAPPED = "mallory@unknown.example"  # in no directory: ACC-7 treats her as having no grants
STAFF_ROLES = {"ana@vendor.example": "analyst", "ivan@vendor.example": "incident_commander",
               "adam@vendor.example": "admin"}  # fmt: skip


@dataclass(frozen=True)
class Held:
    """A grant as the directory records it."""

    level: str  # basic | read_only | designated
    partner_end_user: bool = False  # a contact of the End User of a partner-owned account
    approved: bool = False  # ACC-4: the partner's approval is recorded


HOLDINGS: dict[tuple[str, str], Held] = {
    (ALICE, "acme"): Held("designated"),
    (ALICE, "globex"): Held("read_only"),
    (DAVE, "acme"): Held("designated"),
    (RITA, "acme"): Held("read_only"),
    (BOB, "acme"): Held("basic"),
    (GINA, "globex"): Held("designated"),
    (UMA, "umbrella"): Held("designated"),
    (UGO, "umbrella"): Held("read_only"),
    (ULLA, "umbrella"): Held("basic"),
    (IAN, "hooli"): Held("designated"),  # the partner's own contact
    (HANK, "hooli"): Held("read_only", partner_end_user=True, approved=True),
    (NORA, "hooli"): Held("read_only", partner_end_user=True, approved=False),
    (HUGO, "hooli"): Held("basic", partner_end_user=True),
}
CONTRACT_CURRENT = {"acme": True, "globex": True, "umbrella": False, "hooli": True}  # on T0
RANK = {"basic": 0, "read_only": 1, "designated": 2}

TARGETS = {"own": "acme", "other": "globex", "expired": "umbrella", "unapproved": "hooli"}
# Who plays each customer role against each target: the level they hold there (or none).
CAST = {
    "own": {"basic": BOB, "read_only": RITA, "designated": ALICE, "no_grant": GINA},
    # Acme's people aimed at Globex: no grant there, except Alice who is read-only on it.
    "other": {"basic": BOB, "read_only": RITA, "designated": ALICE, "no_grant": DAVE},
    "expired": {"basic": ULLA, "read_only": UGO, "designated": UMA, "no_grant": GINA},
    "unapproved": {
        "basic": HUGO,
        "read_only": NORA,
        "designated": IAN,
        "no_grant": GINA,
        "approved_read_only": HANK,
    },
}
EVERYONE = {"unmapped": UNMAPPED, **{role: email for email, role in STAFF_ROLES.items()}}


def acting_level(email: str, account: str) -> tuple[str | None, str | None]:
    """The level a person acts with on `account` today, and the rule that lowered it."""
    held = HOLDINGS.get((email, account))
    if held is None:
        return None, None  # ACC-2: no grant, no access at all (ACC-7: so for the unmapped)
    if held.level == "basic":
        return "basic", None
    if not CONTRACT_CURRENT[account]:
        return "basic", "ACC-3"
    if held.partner_end_user and not held.approved:
        return "basic", "ACC-4"
    return held.level, None


def reads_some_account(email: str) -> bool:
    """ACC-2: may the person read the cases of at least one account today?"""
    levels = (acting_level(email, account)[0] for (who, account) in HOLDINGS if who == email)
    return any(level is not None and RANK[level] >= RANK["read_only"] for level in levels)


# --- What each verb needs (ACC-2 table) and how the cell sends it. ----------------------------

NEEDS = {
    "help": "basic", "whoami": "basic", "notices": "basic",
    "list": "read_only", "show": "read_only", "sla": "read_only",
    "open": "designated", "update": "designated", "close": "designated", "reopen": "designated",
    "escalate": "designated", "priority": "designated", "report-incident": "designated",
    "survey": "designated",  # rating support is the opener's: a designated contact (CASE-8)
}  # fmt: skip
ACCOUNT_VERBS = frozenset({"list", "open", "report-incident"})  # aimed with --account
INCIDENT_VERBS = frozenset({"incident"})  # ACC-8: incident commanders only
ALL_STAFF_VERBS = frozenset({"notify"})  # NOT-1: analysts, incident commanders and admins
# ACC-8: staff work cases with their own verbs; these are requests customers make of support.
CUSTOMER_REQUESTS = frozenset(
    {"open", "close", "reopen", "escalate", "priority", "report-incident", "survey"}
)

Command = Callable[[str, Cases], str]
COMMANDS: dict[str, Command] = {
    "help": lambda a, c: "help",
    "whoami": lambda a, c: "whoami",
    "notices": lambda a, c: "notices",
    "list": lambda a, c: f"list --account {a} --all",
    "show": lambda a, c: f"show {c.open}",
    "sla": lambda a, c: f"sla {c.open}",
    "open": lambda a, c: (
        f'open medium "Reports export fails" --account {a} --description "{r5_world.DESCRIPTION}"'
    ),
    "update": lambda a, c: f"update {c.open} Here are the logs from this morning",
    "close": lambda a, c: f"close {c.open} resolved The patch fixed it for us",
    "reopen": lambda a, c: (
        f"reopen {c.closed} The export fails again with the same error 500 since this morning"
    ),
    "escalate": lambda a, c: (
        f'escalate {c.open} No progress for a week --impact "Finance cannot close the month"'
    ),
    "priority": lambda a, c: f"priority {c.open} low The workaround is good enough for now",
    "report-incident": lambda a, c: (
        f'report-incident "Calls drop" --account {a} --affected "every call drops" '
        "--services voice --noticed 09:00 --all-users yes"
    ),
    "survey": lambda a, c: f"survey {c.closed} 5 Quick and clear",
    "queue": lambda a, c: "queue",
    "take": lambda a, c: f"take {c.open}",
    "respond": lambda a, c: f"respond {c.open} We are reading the logs now",
    "request-info": lambda a, c: f"request-info {c.open} Please send the server log",
    "propose": lambda a, c: f"propose {c.open} Apply patch 1.2.3 and restart the service",
    "set-priority": lambda a, c: f"set-priority {c.open} low A workaround is in place",
    "set-status": lambda a, c: f"set-status {c.open} Open/Engineering Request Sent to engineering",
    "restore": lambda a, c: f"restore {c.critical} Service is back after the failover",
    "escalation": lambda a, c: f"escalation accept {c.escalated} A manager calls you today",
    "incident": lambda a, c: (
        f'incident declare sev1 "Inbound calls fail" --accounts {a} --bridge CBRIDGE'
    ),
    "notify": lambda a, c: f"notify advisory --accounts {a} Security advisory: rotate keys",
}
STAFF_VERBS = frozenset(COMMANDS) - frozenset(NEEDS)
GHOST = 9_999_999  # a case number nobody has
READS = frozenset(
    {"help", "whoami", "notices", "list", "show", "sla", "queue"}
)  # change nothing when allowed


@dataclass(frozen=True)
class Expect:
    kind: str  # allowed | refused | not_found | no_account | unknown
    rule: str | None = None


def expected(verb: str, role: str, email: str, account: str) -> Expect:
    """POLICY.md section 1 for one cell."""
    if verb in ("help", "whoami"):
        return Expect("allowed")  # ACC-2 basic row; ACC-7 even when unmapped
    if verb in ALL_STAFF_VERBS and role in ("analyst", "incident_commander", "admin"):
        return Expect("allowed")
    if role in ("analyst", "incident_commander"):
        if verb in INCIDENT_VERBS and role != "incident_commander":
            return Expect("refused", "ACC-8")
        if verb in CUSTOMER_REQUESTS:
            return Expect("refused", "ACC-8")  # pointed at the staff verb that does it
        return Expect("allowed")  # ACC-8: analysts see and work all cases
    if role == "admin":
        return Expect("refused", "ACC-8")  # admins manage the directory, not cases
    if verb == "take":
        return Expect("refused", "ACC-8")  # a Take button can reach customers: say who takes
    if verb in STAFF_VERBS:
        return Expect("unknown")  # staff verbs look unknown to customers (PRODUCT.md)
    if role == "unmapped":
        return Expect("refused", "ACC-7")  # no grants, and told how to get access
    if verb == "notices":
        return Expect("allowed")  # ACC-2: every contact sees service notices
    level, lowered_by = acting_level(email, account)
    if verb not in ACCOUNT_VERBS and not reads_some_account(email):
        # Someone who can read no case at all is told about their own access, in words that do
        # not depend on the case asked about (so ACC-9 still holds).
        own = min(a for (who, a) in HOLDINGS if who == email)
        _, own_lowered_by = acting_level(email, own)
        return Expect("refused", own_lowered_by or "ACC-2")
    if verb in ACCOUNT_VERBS and level is None:
        return Expect("no_account")  # an account without a grant reads as no account at all
    if verb not in ACCOUNT_VERBS and (level is None or RANK[level] < RANK["read_only"]):
        return Expect("not_found")  # ACC-9: a case you may not see reads as a missing one
    if level is not None and RANK[level] >= RANK[NEEDS[verb]]:
        return Expect("allowed")
    return Expect("refused", lowered_by or "ACC-2")


def cells() -> list[Any]:
    """One pytest param per cell, named verb-role-target (e.g. `escalate-read_only-own`)."""
    found = []
    for verb in COMMANDS:
        for target, cast in CAST.items():
            for role, email in {**cast, **EVERYONE}.items():
                found.append(pytest.param(verb, role, target, email, id=f"{verb}-{role}-{target}"))
    return found


# --- The run. ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return r5_world.build(tmp_path_factory.mktemp("r5"))


@dataclass
class Cell:
    router: Router
    database: Path

    def person(self, email: str) -> Person:
        return Person(self.router, Clock(), email)


@pytest.fixture
async def cell(world: World, tmp_path: Path) -> AsyncIterator[Cell]:
    database = tmp_path / "cell.db"
    shutil.copy(world.template, database)
    store: Store = await open_store(f"sqlite+aiosqlite:///{database}")
    yield Cell(Router(store, PolicyConfig()), database)
    await store.close()


@pytest.mark.parametrize(("verb", "role", "target", "email"), cells())
async def test_r5(verb: str, role: str, target: str, email: str, world: World, cell: Cell) -> None:
    """R5 / ACC-2..ACC-9: the verb is allowed or refused as POLICY.md says; refusals write nothing."""
    account = TARGETS[target]
    cases = world.cases[account]
    want = expected(verb, role, email, account)
    person = cell.person(email)
    before = r5_world.snapshot(cell.database)
    reply = await person.say(COMMANDS[verb](account, cases))
    if want.kind == "allowed":
        # Not refused on any grounds: the action happened, and only an action wrote rows.
        assert reply.outcome is Outcome.OK, reply
        assert (r5_world.snapshot(cell.database) == before) == (verb in READS)
        return
    if want.kind == "refused":
        assert reply.outcome is Outcome.REFUSED, reply
        assert isinstance(reply.body, Refusal) and reply.body.rule == want.rule, reply
        if want.rule == "ACC-3":
            assert "not active" in reply.body.reason, reply  # ACC-3 says why
    elif want.kind == "not_found":
        # ACC-9: word for word the answer about a case that does not exist.
        number = _aimed_at(verb, cases)
        missing = await person.say(COMMANDS[verb](account, Cases(GHOST, GHOST, GHOST, GHOST)))
        assert missing == case_not_found(format_case_number(GHOST)), missing
        assert reply == case_not_found(format_case_number(number)), reply
    elif want.kind == "no_account":
        missing = await person.say(COMMANDS[verb]("nosuch", cases))
        assert reply.outcome is Outcome.INVALID, reply
        assert _text(reply) == _text(missing).replace("nosuch", account), reply
    else:
        never = await person.say(f"{verb}zz")
        assert reply.outcome is Outcome.INVALID, reply
        # Word for word an unknown word's answer; a "did you mean" names only a verb the
        # customer may use, never the staff verb typed.
        assert _unsuggested(reply) == _unsuggested(never).replace(f"{verb}zz", verb), reply
        assert f"`{verb}" not in _text(reply).partition("Did you mean")[2], reply
    assert r5_world.snapshot(cell.database) == before


def _aimed_at(verb: str, cases: Cases) -> int:
    """The case a case verb's command names (see COMMANDS)."""
    if verb in ("reopen", "survey"):
        return cases.closed
    if verb == "restore":
        return cases.critical
    return cases.escalated if verb == "escalation" else cases.open


def _unsuggested(reply: Reply) -> str:
    return re.sub(r" Did you mean `[^`]*`\?", "", _text(reply))


def _text(reply: Reply) -> str:
    assert isinstance(reply.body, Message), reply
    return reply.body.text
