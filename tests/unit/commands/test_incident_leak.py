"""ACC-9 on incident cards: a customer channel sees only its own account and its own cases,
checked on the payload the outbox will post (what the Slack and Teams stand-ins receive)."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.casework.payload import decode
from bot.jobs.incident_sweep import sweep_incidents
from bot.messages import Notice, NoticeKind, Outcome
from bot.model import format_case_number
from bot.store.interface import Store
from tests.builders import open_case_number
from tests.readback import FAR_FUTURE

IVAN = "ivan@vendor.example"
ACME_CHANNELS = ("CACME", "19:acme@thread.tacv2")


async def payloads(store: Store, now) -> list[tuple[str, str, Notice]]:  # type: ignore[no-untyped-def]
    """(target, raw payload as JSON text, decoded notice) of every pending incident post."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10_000, "test", 60, now + FAR_FUTURE)
        await uow.rollback()
    found = []
    for message in claimed:
        body = decode(message.payload).body
        if isinstance(body, Notice) and body.incident_id is not None:
            found.append((message.target, json.dumps(message.payload), body))
    return found


async def test_acc_9_an_incident_card_in_a_customer_channel_names_only_that_account_and_its_cases(
    chat, store, config, clock
):
    number = await open_case_number(chat("alice@acme.example"))  # an acme case
    ref = format_case_number(number)
    reply = await chat(IVAN).say(
        f"incident declare sev1 'Voice platform down' --accounts acme,globex --bridge CBRIDGE "
        f"--case {number}"
    )
    assert reply.outcome is Outcome.OK, reply
    await chat(IVAN).say("incident status 1 Failover under way --next 'confirm carriers'")
    await sweep_incidents(store, config, clock.now + timedelta(minutes=30, seconds=1))
    clock.advance(minutes=40)
    assert (await chat(IVAN).say("incident restore 1 --agents 30 Back")).outcome is Outcome.OK
    clock.advance(minutes=5)
    assert (await chat(IVAN).say("incident all-clear 1 Log in again")).outcome is Outcome.OK
    posts = await payloads(store, clock.now)
    kinds = {
        NoticeKind.INCIDENT_DECLARED,
        NoticeKind.INCIDENT_STATUS,
        NoticeKind.RESTORATION,
        NoticeKind.ALL_CLEAR,
    }
    globex = [(raw, n) for target, raw, n in posts if target == "CGLOBEX"]
    assert {n.kind for _, n in globex} == kinds
    for raw, notice in globex:
        # Not the other affected account, not acme's case, not the commander (internal).
        assert "acme" not in raw.lower() and ref not in raw and str(number) not in raw
        assert IVAN not in raw
        assert notice.case_number is None
        assert ("Account", "globex") in {(f.label, f.value) for f in notice.facts}
        assert "Accounts" not in {f.label for f in notice.facts}
    acme = [(raw, n) for target, raw, n in posts if target in ACME_CHANNELS]
    assert {n.kind for _, n in acme} == kinds
    for raw, notice in acme:
        assert "globex" not in raw.lower()
        assert notice.case_number == number  # its own case is shown
    # The bridge is staff's: it keeps every account and the commander.
    bridge = [n for target, _, n in posts if target == "CBRIDGE"]
    assert all(
        ("Accounts", "acme, globex") in {(f.label, f.value) for f in n.facts} for n in bridge
    )
