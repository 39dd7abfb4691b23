"""The demo's conversation step (POLICY section 7): the case's threads on Slack.

The customer replies in the case card's thread, the analyst writes an internal note in the
queue's thread and then replies publicly with the "Reply to customer" shortcut, the customer
attaches a log in the thread, and a :ticket: reaction on a new message opens a second case
through its prefilled form. Every request is what Slack sends, signed, over HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.adapters.slack.capture import CAPTURE_CALLBACK, OFFER_ACTION
from bot.adapters.slack.manifest import SHORTCUT_REPLY
from bot.demo.people import SlackPerson
from bot.demo.posts import DemoFailed, expect
from bot.model import EventKind
from bot.standins.slack_api import Call, HostedFile

if TYPE_CHECKING:
    from bot.demo.script import Tour

_CASE = re.compile(r"\bCase (\d{10})\b")
LOG = b"08:40:12 payment-adapter ERROR upstream 502 from psp-eu (attempt 3/3)\n"


class _Ids:
    """Message timestamps for what people write in the demo (Slack's `ts` format)."""

    def __init__(self) -> None:
        self._n = 0

    def __call__(self) -> str:
        self._n += 1
        return f"1764000000.{self._n:06d}"


def _posted(t: Tour, channel: str, needle: str) -> Iterator[Call]:
    for call in t.world.slack_api.calls_to("chat.postMessage"):
        if call.body.get("channel") == channel and needle in json.dumps(call.body):
            yield call


async def _say(t: Tour, person: SlackPerson, channel: str, text: str, **extra: Any) -> None:
    where = "thread" if extra.get("thread_ts") else "channel"
    t.log.typed(f"Slack {t.names.channels[channel]} ({where})", person.name, text or "(a file)")
    event = {"type": "message", "channel": channel, "channel_type": "channel", "text": text}
    status = await t.clients.event(person, event | {"team": person.team, **extra})
    if status != 200:
        raise RuntimeError(f"Slack answered HTTP {status}")


async def conversations(
    t: Tour, case: str, alice: SlackPerson, ana: SlackPerson, channels: tuple[str, str]
) -> None:
    """Step 6: replies, an internal note, a public reply, a log and a :ticket: reaction."""
    (acme, queue), world, ids = channels, t.world, _Ids()
    t.log.heading(6, "The case's threads: replies, notes, files and a reaction", world.clock())
    card = next(_posted(t, acme, f"Case {case}"), None)
    alert = next(_posted(t, queue, case), None)
    if card is None or alert is None:
        raise DemoFailed("the case card or the queue alert was not posted")
    root, support = world.slack_api.posted_ts(card), world.slack_api.posted_ts(alert)
    await _say(t, alice, acme, "It fails again for the EU store only", ts=ids(), thread_ts=root)
    t.log.posts()
    async with world.svc.store.unit_of_work(read_only=True) as uow:
        found = await uow.cases.get(int(case))
    said = [e.body for e in found.events if e.kind is EventKind.CUSTOMER_UPDATE] if found else []
    if "It fails again for the EU store only" not in said:
        raise DemoFailed("the thread reply did not become an update of the case")
    note = "The PSP rotated its TLS certificate at 08:40; our pinning rejects it"
    await _say(t, ana, queue, note, ts=ids(), thread_ts=support)
    if [
        p
        for p in await t.tick(timedelta(minutes=1), "A minute later")
        if p.where.endswith(t.names.channels[acme])
    ]:
        raise DemoFailed("an internal note reached the customer's channel")
    public = "We found the cause and are deploying a fix within the hour"
    public_ts = ids()
    await _say(t, ana, queue, public, ts=public_ts, thread_ts=support)
    t.log.typed(f"Slack {t.names.channels[queue]}", ana.name, "Reply to customer (shortcut)")
    message = {
        "type": "message",
        "user": ana.user,
        "text": public,
        "ts": public_ts,
        "thread_ts": support,
    }
    await t.clients.interaction(
        ana,
        {
            "type": "message_action",
            "callback_id": SHORTCUT_REPLY,
            "channel": {"id": queue},
            "message_ts": public_ts,
            "message": message,
        },
    )
    expect(await t.tick(timedelta(minutes=1), "A minute later"), t.names.channels[acme], public)
    hosted = world.slack_api.share(HostedFile("F0GATEWAY", "gateway.log", "text/plain", LOG))
    await _say(t, alice, acme, "", ts=ids(), thread_ts=root, subtype="file_share", files=[hosted])
    expect(t.log.posts(), t.names.channels[acme], "sanitised")
    second = await _ticket(t, alice, acme)
    t.shown.append(
        f"Alice's thread reply updated case {case}; Ana's internal note stayed in the queue, her "
        f"reply reached the customer's thread; gateway.log was attached; a :ticket: reaction "
        f"opened case {second}"
    )


async def _ticket(t: Tour, alice: SlackPerson, acme: str) -> str:
    """Alice reacts with :ticket: to a new message; the offered form opens the second case."""
    text = "Invoices from the EU store show the wrong VAT rate since the upgrade"
    said = t.world.slack_api.said(acme, alice.user, text)
    await _say(t, alice, acme, text, ts=said["ts"])
    t.log.posts()
    t.log.typed(f"Slack {t.names.channels[acme]}", alice.name, "reacts :ticket:")
    reaction = {
        "type": "reaction_added",
        "reaction": "ticket",
        "item_user": alice.user,
        "item": {"type": "message", "channel": acme, "ts": said["ts"]},
    }
    await t.clients.event(alice, reaction)
    offer = [
        c
        for c in t.world.slack_api.calls_to("chat.postEphemeral")
        if OFFER_ACTION in json.dumps(c.body)
    ]
    if not offer:
        raise DemoFailed("the :ticket: reaction offered no form")
    t.log.posts()
    value = offer[-1].body["blocks"][1]["elements"][0]["value"]
    t.log.typed(f"Slack {t.names.channels[acme]}", alice.name, "clicks [Open a case]")
    click = {
        "type": "block_actions",
        "channel": {"id": acme},
        "actions": [{"type": "button", "action_id": OFFER_ACTION, "value": value}],
    }
    await t.clients.interaction(alice, click)
    view = t.world.slack_api.calls_to("views.open")[-1].body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    if view.get("callback_id") != CAPTURE_CALLBACK:
        raise DemoFailed("the offer did not open the case form")
    values = {
        "summary": "Wrong VAT rate on EU invoices",
        "description": text,
        "priority": "medium",
        "type": "Support/Problem",
        "stage": "production",
    }
    t.log.typed("Slack (form)", alice.name, "submits the prefilled case form")
    state = {name: {name: _input(view, name, value)} for name, value in values.items()}
    submission = {
        "type": "view_submission",
        "view": {
            "id": "VDEMO",
            "type": "modal",
            "callback_id": CAPTURE_CALLBACK,
            "private_metadata": view.get("private_metadata", ""),
            "state": {"values": state},
        },
    }
    await t.clients.interaction(alice, submission)
    found = _CASE.search(expect(t.log.posts(), t.names.channels[acme], "Case ").text)
    if found is None:
        raise DemoFailed("the submitted form opened no case")
    return found.group(1)


def _input(view: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    for block in view.get("blocks", []):
        if block.get("block_id") == name and block["element"]["type"] == "static_select":
            return {"type": "static_select", "selected_option": {"value": value}}
    return {"type": "plain_text_input", "value": value}
