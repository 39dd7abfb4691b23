"""Outbox payloads: a notice or message as JSON, written now and rendered when it is delivered.

The outbox keeps the platform-neutral reply, not rendered cards, so a post written before an
upgrade is still rendered by the current renderers, on whichever platform it goes to.
"""

from __future__ import annotations

from datetime import datetime

from bot.messages import Audience, CaseAction, Fact, Message, Notice, NoticeKind, Reply
from bot.store.interface.json_values import JsonObject, JsonValue


class PayloadError(ValueError):
    """An outbox payload this release cannot read."""


def encode(reply: Reply) -> JsonObject:
    """The JSON form of a reply whose body is a `Notice` or a `Message`."""
    body = reply.body
    encoded: JsonObject
    if isinstance(body, Notice):
        encoded = {
            "type": "notice",
            "kind": body.kind.value,
            "title": body.title,
            "body": body.body,
            "facts": [[f.label, f.value] for f in body.facts],
            "case_number": body.case_number,
            "incident_id": body.incident_id,
            "actions": [a.value for a in body.actions],
            "times": [[label, at.isoformat()] for label, at in body.times],
        }
    elif isinstance(body, Message):
        encoded = {"type": "message", "text": body.text, "title": body.title}
    else:
        raise PayloadError(f"cannot queue a {type(body).__name__}")
    return {
        "body": encoded,
        "audience": reply.audience.value,
        "time_zone": reply.time_zone,
        "show_utc": reply.show_utc,
    }


def decode(payload: JsonObject) -> Reply:
    """The reply an outbox payload describes."""
    try:
        body = payload["body"]
        if not isinstance(body, dict):
            raise PayloadError("payload body is not an object")
        return Reply(
            _body(body),
            Audience(str(payload["audience"])),
            time_zone=str(payload["time_zone"]),
            show_utc=bool(payload["show_utc"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise PayloadError(f"unreadable outbox payload: {err}") from err


def _body(body: dict[str, JsonValue]) -> Notice | Message:
    if body["type"] == "message":
        title = body.get("title")
        return Message(str(body["text"]), str(title) if title is not None else None)
    facts = _pairs(body.get("facts"))
    times = tuple((label, datetime.fromisoformat(at)) for label, at in _pairs(body.get("times")))
    actions = body.get("actions") or []
    if not isinstance(actions, list):
        raise PayloadError("actions is not a list")
    return Notice(
        kind=NoticeKind(str(body["kind"])),
        title=str(body["title"]),
        body=str(body.get("body") or ""),
        facts=tuple(Fact(label, value) for label, value in facts),
        case_number=_int_or_none(body.get("case_number")),
        incident_id=_int_or_none(body.get("incident_id")),
        actions=tuple(CaseAction(str(a)) for a in actions),
        times=times,
    )


def _pairs(value: JsonValue) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError("expected a list of pairs")
    pairs: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise PayloadError("expected a pair")
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def _int_or_none(value: JsonValue) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"expected a number, got {value!r}")
    return value
