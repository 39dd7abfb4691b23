"""Conversions between Teams activities and the bot's requests: no I/O, no store, no clock.

Typed text becomes an unparsed `Command` (mention, HTML and the `case` prefix removed); card
buttons and form submissions (Action.Execute data, or Action.Submit values on old clients)
become the same commands the grammar produces; replies become message activities and invoke
answers (Universal Actions).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount

from bot.cards.actions import CASE_OPEN, parse_action_id
from bot.commands import forms
from bot.messages import CaseAction, Command, FieldKind, FormKind

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
PERSONAL = "personal"

_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_PREFIX = re.compile(r"^\s*case\b", re.IGNORECASE)
# Keys the card renderer puts next to the inputs, never form fields themselves.
_RESERVED = frozenset({"verb", "form", "case", forms.FORM_FLAG})


def _toggle_names() -> frozenset[str]:
    built = (
        forms.open_form(()),
        forms.close_form(1),
        forms.escalate_form(1),
        forms.reopen_form(1),
        forms.incident_form(),
    )
    return frozenset(f.name for form in built for f in form.fields if f.kind is FieldKind.TOGGLE)


# Adaptive Card toggles submit "true"/"false" strings; the form convention wants booleans.
TOGGLES = _toggle_names()


def command_text(activity: Activity) -> str:
    """What the user typed, as plain text, without the bot's mention or the `case` prefix."""
    text = activity.remove_recipient_mention() if activity.entities else activity.text or ""
    text = _MENTION.sub(" ", text)  # a mention the entities did not describe
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ").strip()
    return _PREFIX.sub("", text, count=1).strip()


def addressed_to_bot(activity: Activity) -> bool:
    """Whether a typed message is for the bot: always in 1:1; elsewhere an @mention or `case`.

    With the ChannelMessage.Read.Group consent Teams delivers every message of the channel, and
    people talking among themselves must not get "unknown command" answers.
    """
    if is_personal(activity):
        return True
    agent = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if entity.type != "mention":
            continue
        mentioned = _mapping(entity.model_dump(by_alias=True).get("mentioned")).get("id")
        if agent is None or mentioned == agent:
            return True
    text = html.unescape(_TAG.sub("", activity.text or "")).replace("\xa0", " ")
    return _PREFIX.match(text) is not None


def tenant_of(activity: Activity) -> str:
    """The Teams tenant (directory key of ACC-7), from channelData or the conversation."""
    data = _mapping(activity.channel_data)
    tenant = _mapping(data.get("tenant")).get("id")
    if isinstance(tenant, str) and tenant:
        return tenant
    conversation = activity.conversation
    return (conversation.tenant_id if conversation else None) or ""


def channel_of(activity: Activity) -> str:
    """The channel the directory binds (a thread's conversation id names its channel too)."""
    data = _mapping(activity.channel_data)
    channel = _mapping(data.get("channel")).get("id")
    if isinstance(channel, str) and channel:
        return channel
    conversation_id = activity.conversation.id if activity.conversation else ""
    return conversation_id.split(";", 1)[0]


def is_personal(activity: Activity) -> bool:
    """A 1:1 chat with the bot (the emulator sends no conversation type: it is 1:1 too)."""
    # The SDK types these fields as required, but activities from the wire may lack them.
    conversation: ConversationAccount | None = activity.conversation
    if conversation is None:
        return False
    kind = conversation.conversation_type
    return kind == PERSONAL or (kind is None and not conversation.is_group)


def user_id_of(activity: Activity) -> str:
    """The asker's AAD object id (the directory key), else the channel account id."""
    sender: ChannelAccount | None = activity.from_property
    if sender is None:
        return ""
    return sender.aad_object_id or sender.id or ""


def request_id(activity: Activity) -> str | None:
    """R2: the activity id is unique within its conversation."""
    if not activity.id or activity.conversation is None:
        return None
    return f"teams:{activity.conversation.id}:{activity.id}"


def action_payload(activity: Activity) -> tuple[str, dict[str, Any]] | None:
    """(verb, data) of an `adaptiveCard/action` invoke or an Action.Submit message value."""
    value = _mapping(activity.value)
    if activity.type == "invoke":
        action = _mapping(value.get("action"))
        verb, data = action.get("verb"), _mapping(action.get("data"))
    else:
        verb, data = value.get("verb"), value
    if not isinstance(verb, str) or not verb:
        return None
    return verb, dict(data)


def action_command(verb: str, data: Mapping[str, Any]) -> Command | None:
    """The command a card button or a submitted card form stands for; None when unknown."""
    if verb == CASE_OPEN:
        return Command.unparsed("open")
    meaning = parse_action_id(verb)
    case = _case_number(data.get("case"))
    if isinstance(meaning, CaseAction):
        if case is None:
            return None
        return Command.unparsed(f"{meaning.value} {case}")
    if isinstance(meaning, FormKind):
        options: dict[str, str | bool] = {forms.FORM_FLAG: True, **form_values(data)}
        args = (str(case),) if case is not None else ()
        # Verb names are the grammar's: "report_incident" is typed "report-incident".
        return Command(meaning.value.replace("_", "-"), args, options, raw="")
    return None


def form_values(data: Mapping[str, Any]) -> dict[str, str | bool]:
    """A submitted card form's field values (the form convention: empties left out)."""
    values: dict[str, str | bool] = {}
    for name, raw in data.items():
        value = _form_value(name, raw)
        if name not in _RESERVED and name not in ("capture", "channel") and value is not None:
            values[name] = value
    return values


def plain(text: str) -> str:
    """Message HTML (a message action's payload body) as plain text."""
    text = _MENTION.sub(" ", text)
    text = _BREAK.sub("\n", text)
    return html.unescape(_TAG.sub("", text)).replace("\xa0", " ").strip()


def message(card: Mapping[str, Any]) -> dict[str, Any]:
    """A message activity carrying one Adaptive Card."""
    summary = card.get("fallbackText")
    body: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "content": dict(card)}],
    }
    if isinstance(summary, str):
        body["summary"] = summary
    return body


def text_message(text: str) -> dict[str, Any]:
    """A plain-text message activity (no Markdown: `textFormat` plain)."""
    return {"type": "message", "text": text, "textFormat": "plain"}


def card_response(card: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke answer that replaces the card the button was on."""
    return {"statusCode": 200, "type": CARD_TYPE, "value": dict(card)}


def message_response(text: str) -> dict[str, Any]:
    """The invoke answer that leaves the card as it is and shows a short message."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


def reference(activity: Activity) -> dict[str, Any]:
    """The conversation reference to store for proactive posts, as JSON."""
    found = activity.get_conversation_reference()
    dumped: dict[str, Any] = found.model_dump(mode="json", by_alias=True, exclude_none=True)
    dumped.pop("activityId", None)
    return dumped


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _case_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().lstrip("#").isdigit():
        return int(value.strip().lstrip("#"))
    return None


def _form_value(name: str, raw: object) -> str | bool | None:
    if name in TOGGLES:
        return raw is True or (isinstance(raw, str) and raw.lower() == "true")
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Input.Number may come back as 5.0
    if isinstance(raw, int | float):
        return str(raw)
    if isinstance(raw, str):
        # Convention (bot.commands.forms): empty fields are left out.
        return raw if raw.strip() else None
    return None
