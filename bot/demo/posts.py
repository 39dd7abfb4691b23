"""What the stand-ins received, read back as a person would see it: who posted where, and the text.

Slack posts are rendered from their Block Kit blocks, Teams posts from their Adaptive Cards; the
demo shows the platforms' own payloads, so what is printed is what was really sent.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.standins.slack_api import Call
from bot.standins.teams_connector import Posted

RULE = "─" * 40
# Adaptive Card TextBlocks are markdown: the renderer escapes user text with backslashes.
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|])")
_POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "response_url"})


@dataclass(frozen=True, slots=True)
class Post:
    """One message as it appeared: where, to whom, and its lines of text."""

    where: str
    audience: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Names:
    """Display names for channel and user ids; `responses` maps a Slack trigger to its origin."""

    channels: Mapping[str, str]
    people: Mapping[str, str]
    responses: Mapping[str, tuple[str, str]]  # trigger id -> (user name, channel id)

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)

    def person(self, user_id: str) -> str:
        return self.people.get(user_id, user_id)


def slack_post(call: Call, names: Names) -> Post | None:
    """A successful Slack post (message, ephemeral, response_url answer); None for other calls."""
    if call.status != 200 or call.method not in _POSTING_METHODS:
        return None
    body = call.body
    lines = slack_lines(body)
    if call.method == "response_url":
        who, channel = names.responses.get(str(body.get("_name")), ("?", "?"))
        public = body.get("response_type") == "in_channel"
        audience = "posted in the channel" if public else f"visible to {who} only"
        return Post(f"Slack {names.channel(channel)}", audience, lines)
    channel = str(body.get("channel", ""))
    threaded = " in the case thread" if body.get("thread_ts") else ""  # CONV-1
    if call.method == "chat.postEphemeral":
        user = names.person(str(body.get("user", "")))
        return Post(f"Slack {names.channel(channel)}", f"visible to {user} only{threaded}", lines)
    if channel.startswith("D-"):  # the stand-in names a DM "D-{user}"
        return Post(f"Slack DM with {names.person(channel[2:])}", "direct message", lines)
    if body.get("reply_broadcast"):
        threaded += ", also shown in the channel"
    return Post(f"Slack {names.channel(channel)}", f"posted{threaded or ' in the channel'}", lines)


def slack_lines(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The blocks' text in order; the fallback `text` when there are no blocks."""
    blocks = body.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return tuple(_slack_text(body.get("text")).splitlines())
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, dict):
            lines.extend(_slack_block(block))
    return tuple(lines)


def _slack_block(block: Mapping[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "divider":
        return [RULE]
    if kind == "actions":
        labels = [_slack_text(e.get("text")) for e in block.get("elements", [])]
        return [" ".join(f"[{label}]" for label in labels if label)]
    if kind == "context":
        return [" · ".join(_slack_text(e) for e in block.get("elements", []))]
    lines = _slack_text(block.get("text")).splitlines()
    for field in block.get("fields", []):
        label, _, value = _slack_text(field).partition("\n")
        lines.append(f"{label}: {value}" if value else label)
    return lines


def _slack_text(node: Any) -> str:
    if isinstance(node, str):
        return node
    if not isinstance(node, Mapping):
        return ""
    text = str(node.get("text", ""))
    # mrkdwn escapes &, < and > as entities; plain_text is shown as it is.
    return html.unescape(text) if node.get("type") == "mrkdwn" else text


def teams_post(posted: Posted, names: Names) -> Post:
    """A Teams post: a thread reply, a new channel post, or a 1:1 message."""
    conversation = posted.conversation_id
    channel, _, thread = conversation.partition(";messageid=")
    if conversation.startswith("a:1on1-29:"):
        who = names.person(conversation.removeprefix("a:1on1-29:"))
        where, audience = f"Teams 1:1 with {who}", "direct message"
    elif thread:
        where, audience = f"Teams {names.channel(channel)}", "reply in the thread"
    else:
        where, audience = f"Teams {names.channel(channel)}", "new post in the channel"
    lines = [str(posted.body["text"])] if posted.body.get("text") else []
    for card in posted.cards:
        lines.extend(card_lines(card))
    return Post(where, audience, tuple(lines))


def card_lines(card: Mapping[str, Any]) -> list[str]:
    """An Adaptive Card as text: text blocks, facts as "title: value", buttons as [Title]."""
    lines: list[str] = []
    for element in card.get("body", []):
        if isinstance(element, Mapping):
            lines.extend(_card_element(element))
    buttons = _buttons(card.get("actions", []))
    return [*lines, buttons] if buttons else lines


def _card_element(element: Mapping[str, Any]) -> list[str]:
    kind = element.get("type")
    if kind == "TextBlock":
        return _MARKDOWN_ESCAPE.sub(r"\1", str(element.get("text", ""))).splitlines()
    if kind == "FactSet":
        return [f"{fact.get('title')}: {fact.get('value')}" for fact in element.get("facts", [])]
    if kind == "ActionSet":
        buttons = _buttons(element.get("actions", []))
        return [buttons] if buttons else []
    if kind is not None and str(kind).startswith("Input."):
        return [f"{element.get('label', element.get('id', ''))}: ____"]
    lines: list[str] = []
    for key in ("items", "columns"):  # Container, ColumnSet, Column
        for child in element.get(key, []):
            if isinstance(child, Mapping):
                lines.extend(_card_element(child))
    return lines


def _buttons(actions: Any) -> str:
    if not isinstance(actions, list):
        return ""
    return " ".join(f"[{a.get('title')}]" for a in actions if isinstance(a, Mapping))


class DemoFailed(Exception):
    """A step did not show what it is there to show."""


def expect(posts: Sequence[Post], where: str, needle: str) -> Post:
    """The post at `where` whose text contains `needle`; DemoFailed if none."""
    for post in posts:
        if post.where.endswith(where) and needle in post.text:
            return post
    raise DemoFailed(f"expected a post in {where} containing {needle!r}; got none")
