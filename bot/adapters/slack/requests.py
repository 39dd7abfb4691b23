"""Slack request shapes: the verified body as bolt's request, and who sent a payload.

Slack names the sender differently per payload: slash commands carry `team_id`/`user_id`,
events `event.user` with `event.team` (else the envelope's `team_id`), interactions a `user`
object whose `team_id` is the user's own workspace (on Enterprise Grid it differs from `team`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from bot.adapters.slack.interactions import Asker
from bot.messages import Audience, CaseView, Form, Outcome, Reply
from bot.model import ChatIdentity, Platform


def authentic_request(raw: bytes, request: web.Request) -> AsyncBoltRequest | None:
    """The verified body as bolt's request, or None when it is not a JSON or form payload."""
    headers: dict[str, str | Sequence[str]] = dict(request.headers)
    try:
        text = raw.decode("utf-8")
        # Bolt's own parser, run once here first: bolt would crash on a body that is not an
        # object (a JSON list, say) instead of refusing it.
        if not isinstance(parse_body(text, request.content_type), dict):
            return None
    except ValueError:  # not UTF-8, bad JSON (JSONDecodeError is a ValueError)
        return None
    return AsyncBoltRequest(body=text, query=request.query_string, headers=headers)


def inline(reply: Reply) -> bool:
    """May the answer ride on the acknowledgement? Not a form (it opens a modal), not a retry,
    not a case card for the channel (posted, so it can start the case's thread: CONV-1)."""
    card = isinstance(reply.body, CaseView) and reply.audience is Audience.CHANNEL
    return not isinstance(reply.body, Form) and reply.outcome is not Outcome.DUPLICATE and not card


def interaction_asker(body: Mapping[str, Any]) -> Asker:
    """Who clicked or submitted, and in which channel (none for App Home and modals)."""
    user = body.get("user") or {}
    team = body.get("team") or {}
    channel = body.get("channel") or {}
    team_id = user.get("team_id") or team.get("id") or ""
    return Asker(str(team_id), str(user.get("id", "")), text_or_none(channel.get("id")))


def sender(body: Mapping[str, Any]) -> ChatIdentity | None:
    """The Slack user behind a command, event or interaction payload; None if it names none."""
    event = body.get("event")
    if isinstance(event, Mapping):
        user = text_or_none(event.get("user"))
        team = user_team(event, body) or None
    elif isinstance(body.get("user"), Mapping):
        asker = interaction_asker(body)
        user, team = text_or_none(asker.user), text_or_none(asker.team)
    else:
        user, team = text_or_none(body.get("user_id")), text_or_none(body.get("team_id"))
    if user is None or team is None:
        return None
    return ChatIdentity(Platform.SLACK, team, user)


def user_team(event: Mapping[str, Any], body: Mapping[str, Any]) -> str:
    """The workspace the author of an event belongs to, which the directory lists them under.

    In a Slack Connect channel the event's `team` can be the installation's workspace that
    received it; `user_team` is the author's own (CONV-6). Older payloads have only `team`.
    """
    return (
        text_or_none(event.get("user_team"))
        or text_or_none(event.get("team"))
        or str(body.get("team_id", ""))
    )


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
