"""Slack payloads to neutral values: de-duplication keys, typed text, modal state and metadata."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.cards.slack import INPUT_CHARS, LABEL_CHARS, TITLE_CHARS
from bot.commands.forms import FORM_FLAG
from bot.commands.limits import MAX_TEXT_CHARS
from bot.messages import Command, FormKind
from bot.model import format_case_number

UPDATE_CALLBACK = "modal:update"
FORM_CALLBACK_PREFIX = "modal:form:"
UPDATE_FIELD = "text"
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")
# Slack turns a typed "#bridge" into "<#C123|bridge>" (or "<#C123>"): the id is what the
# directory binds, the name what the person typed.
_CHANNEL_MENTION = re.compile(r"<#([A-Za-z0-9]+)(?:\|([^>]*))?>")


def request_id(body: Mapping[str, Any], raw_body: str) -> str:
    """R2: `slack:{event_id}` for events, `slack:{trigger_id}` for commands and interactions."""
    for key in ("event_id", "trigger_id"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return f"slack:{value}"
    return "slack:sha256:" + hashlib.sha256(raw_body.encode("utf-8")).hexdigest()


def decoded(text: str) -> str:
    """Text as the person typed it: Slack sends &, < and > as entities in messages and commands."""
    # `&amp;` last, so a typed "&lt;" (sent as "&amp;lt;") stays literal. The renderers escape
    # again before anything is posted (R6).
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def without_mention(text: str, bot_user_id: str | None) -> str:
    """A message addressed to the bot without the bot's own mention."""
    if bot_user_id:
        return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>[\s:,]*", "", text, count=1)
    return _LEADING_MENTION.sub("", text)


def channel_references(command: Command) -> tuple[Command, dict[str, str]]:
    """A typed command with Slack's channel mentions as neutral references (`ChatRequest`).

    Each mention reads "#name" in the text, and the name maps to the channel's id beside it;
    a name two channels share (or none) reads as "#id" instead.
    """
    if command.is_parsed:
        return command, {}
    refs: dict[str, str] = {}

    def neutral(mention: re.Match[str]) -> str:
        channel, name = mention.group(1), (mention.group(2) or "").strip()
        shown = f"#{name}" if name and refs.get(f"#{name}", channel) == channel else f"#{channel}"
        refs[shown] = channel
        return shown

    text = _CHANNEL_MENTION.sub(neutral, command.raw)
    return (command, refs) if not refs else (Command.unparsed(text), refs)


@dataclass(frozen=True, slots=True)
class ModalOrigin:
    """Where a modal was opened from, carried in `private_metadata` to answer its submission."""

    channel_id: str | None = None
    response_url: str | None = None
    case_number: int | None = None
    is_direct: bool = False

    def encode(self) -> str:
        data = {
            "c": self.channel_id,
            "r": self.response_url,
            "n": self.case_number,
            "d": self.is_direct,
        }
        return json.dumps({k: v for k, v in data.items() if v not in (None, False)})

    @classmethod
    def decode(cls, raw: str | None) -> ModalOrigin:
        """The origin in `raw`; an empty origin when it is missing or not ours."""
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        channel, url, number = data.get("c"), data.get("r"), data.get("n")
        return cls(
            channel if isinstance(channel, str) else None,
            url if isinstance(url, str) else None,
            number if isinstance(number, int) and not isinstance(number, bool) else None,
            data.get("d") is True,
        )


def form_callback(kind: FormKind) -> str:
    return f"{FORM_CALLBACK_PREFIX}{kind.value}"


def form_kind(callback_id: str) -> FormKind | None:
    """The form a modal's callback id names; None when it is not one of ours."""
    if not callback_id.startswith(FORM_CALLBACK_PREFIX):
        return None
    try:
        return FormKind(callback_id.removeprefix(FORM_CALLBACK_PREFIX))
    except ValueError:
        return None


def form_values(state: Mapping[str, Any]) -> dict[str, str | bool]:
    """A modal's `view.state.values` as form values: text as str, toggles as bool, empties out."""
    values: dict[str, str | bool] = {}
    blocks = state.get("values")
    if not isinstance(blocks, Mapping):
        return values
    for block_id, actions in blocks.items():
        if not isinstance(actions, Mapping):
            continue
        for action in actions.values():
            if not isinstance(action, Mapping):
                continue
            value = _element_value(action)
            if value is not None and value != "":
                values[str(block_id)] = value
    return values


def _element_value(action: Mapping[str, Any]) -> str | bool | None:
    kind = action.get("type")
    if kind == "checkboxes":
        return True if action.get("selected_options") else None
    if kind in ("static_select", "radio_buttons"):
        option = action.get("selected_option")
        return str(option["value"]) if isinstance(option, Mapping) and "value" in option else None
    value = action.get("value")
    return value if isinstance(value, str) else None


def form_command(
    kind: FormKind, case_number: int | None, values: Mapping[str, str | bool]
) -> Command:
    """The form convention of `bot.commands.forms`: same verb, case number first, flag set."""
    verb = "report-incident" if kind is FormKind.REPORT_INCIDENT else kind.value
    args = (format_case_number(case_number),) if case_number is not None else ()
    return Command(verb, args=args, options={**values, FORM_FLAG: True}, raw=f"{verb} (form)")


def update_command(case_number: int, text: str) -> Command:
    """`update CASE TEXT` from the update modal, keeping the text's line breaks."""
    ref = format_case_number(case_number)
    words = tuple(text.split())
    return Command(
        "update",
        args=(ref, *words),
        raw=f"update {ref} {text}",
        tails=(f"{ref} {text}", text),
    )


def update_modal(case_number: int, origin: ModalOrigin) -> dict[str, Any]:
    """The small modal behind a card's Update button: one multi-line input."""
    ref = format_case_number(case_number)
    return {
        "type": "modal",
        "callback_id": UPDATE_CALLBACK,
        "private_metadata": origin.encode(),
        "title": {"type": "plain_text", "text": "Update case"[:TITLE_CHARS]},
        "submit": {"type": "plain_text", "text": "Add update"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "context", "elements": [{"type": "plain_text", "text": f"Case {ref}"}]},
            {
                "type": "input",
                "block_id": UPDATE_FIELD,
                "label": {"type": "plain_text", "text": "Your update"[:LABEL_CHARS]},
                "element": {
                    "type": "plain_text_input",
                    "action_id": UPDATE_FIELD,
                    "multiline": True,
                    "max_length": min(MAX_TEXT_CHARS, INPUT_CHARS),
                },
            },
        ],
    }
