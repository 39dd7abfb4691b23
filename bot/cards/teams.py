"""Adaptive Cards 1.5 for Teams: replies as cards, forms as card inputs, buttons as Action.Execute.

Every TextBlock and Fact text goes through `teams_markdown`, so user text never becomes a link,
emphasis, list, heading or `<at>` mention (R6). Titles of actions and inputs are not Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from bot.cards.actions import form_action_id
from bot.cards.compose import compose
from bot.cards.escape import teams_markdown
from bot.cards.format import cut, cut_marker
from bot.cards.layout import Buttons, Divider, Element, Facts, Heading, Layout, Paragraph, Tone
from bot.messages import Body, Form, FormField, Reply
from bot.model import format_case_number

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Teams rejects cards over about 28 KB; measured as compact UTF-8 JSON, with room to spare.
CARD_BYTES = 27_500
PARAGRAPH_CHARS = 4000
FALLBACK_CHARS = 300

_COLORS = {Tone.ATTENTION: "Attention", Tone.WARNING: "Warning", Tone.GOOD: "Good"}

Card = dict[str, Any]


def render_card(reply: Reply) -> Card:
    """The reply's body as one Adaptive Card."""
    return render_body(reply.body, reply.time_zone, reply.show_utc)


def render_cards(reply: Reply) -> list[Card]:
    """The body and each follow-up, one card per message, in order."""
    bodies = (reply.body, *reply.follow_ups)
    return [render_body(body, reply.time_zone, reply.show_utc) for body in bodies]


def render_body(body: Body, time_zone: str, show_utc: bool) -> Card:
    """One reply body as an Adaptive Card within the size budget."""
    if isinstance(body, Form):
        return _fit(_form_card(body), _ref(body.case_number))
    layout = compose(body, time_zone, show_utc)
    return _fit(_layout_card(layout), layout.case_ref)


def card_size(card: Card) -> int:
    """Bytes of the card as compact UTF-8 JSON: what the size budget is about."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _card(summary: str, ref: str | None, body: list[Card], actions: list[Card]) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": VERSION,
        "fallbackText": teams_markdown(cut(summary, FALLBACK_CHARS, ref)),
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _layout_card(layout: Layout) -> Card:
    body: list[Card] = []
    actions: list[Card] = []
    separate = False
    for element in layout.elements:
        if isinstance(element, Divider):
            separate = True
            continue
        if isinstance(element, Buttons):
            actions.extend(
                _execute(item.label, item.action_id, {"case": item.case_number}, item.primary)
                for item in element.items
            )
            continue
        items = _element(element, layout.case_ref)
        if separate and items:
            items[0] |= {"separator": True, "spacing": "Medium"}
            separate = False
        body.extend(items)
    return _card(layout.summary, layout.case_ref, body, actions)


def _element(element: Element, ref: str | None) -> list[Card]:
    match element:
        case Heading(text, tone):
            block = _text(text, ref, size="Large", weight="Bolder", style="heading")
            return [_colored(block, tone)]
        case Paragraph(text, label, tone):
            blocks = []
            if label:
                blocks.append(_text(label, ref, weight="Bolder", spacing="Medium"))
            block = _colored(_text(cut(text, PARAGRAPH_CHARS, ref), ref), tone)
            if label:
                block["spacing"] = "None"
            if tone is Tone.MUTED:
                block |= {"isSubtle": True, "size": "Small"}
            return [*blocks, block]
        case Facts(items):
            facts = [
                {
                    "title": teams_markdown(cut(fact.label, 200)),
                    "value": teams_markdown(cut(fact.value, PARAGRAPH_CHARS, ref)),
                }
                for fact in items
            ]
            return [{"type": "FactSet", "facts": facts}] if facts else []
    raise TypeError(f"not a layout element: {type(element).__name__}")


def _text(text: str, ref: str | None, **style: Any) -> Card:
    return {
        "type": "TextBlock",
        "text": teams_markdown(cut(text, PARAGRAPH_CHARS, ref)),
        "wrap": True,
        **style,
    }


def _colored(block: Card, tone: Tone) -> Card:
    if tone in _COLORS:
        block["color"] = _COLORS[tone]
    return block


def _execute(title: str, verb: str, data: dict[str, Any], primary: bool = False) -> Card:
    """Action.Execute (Universal Actions), falling back to Action.Submit on older Teams clients."""
    submit: Card = {"type": "Action.Submit", "title": title, "data": {"verb": verb, **data}}
    action: Card = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if primary:
        action["style"] = submit["style"] = "positive"
    action["fallback"] = submit
    return action


def _ref(case_number: int | None) -> str | None:
    return None if case_number is None else format_case_number(case_number)


def _form_card(form: Form) -> Card:
    ref = _ref(form.case_number)
    body: list[Card] = [_text(form.title, ref, size="Large", weight="Bolder", style="heading")]
    if ref is not None:
        body.append(_text(f"Case {ref}", ref, isSubtle=True, spacing="None"))
    if form.guidance:
        body.append(_text(form.guidance, ref))
    for field in form.fields:
        error = form.errors.get(field.name)
        body.append(_input(field, error))
        if field.hint and field.kind == "choice":
            # A closed choice set hides its placeholder, so guidance such as the priority
            # definitions (CASE-3) is shown below it instead.
            body.append(_text(field.hint, ref, isSubtle=True, size="Small", spacing="None"))
        if error:
            body.append(_text(error, ref, color="Attention", size="Small", spacing="None"))
    data = {"form": form.kind.value, "case": form.case_number}
    submit = _execute(form.submit_label, form_action_id(form.kind), data, primary=True)
    return _card(form.title, ref, body, [submit])


def _input(field: FormField, error: str | None) -> Card:
    card: Card = {"id": field.name, "isRequired": field.required}
    if field.kind != "toggle":
        # A toggle's title sits beside its box; a label above it would say the same twice.
        card["label"] = field.label
    if field.required or error:
        card["errorMessage"] = error or f"{field.label} is required."
    match field.kind:
        case "text" | "multiline":
            card |= {"type": "Input.Text", "isMultiline": field.kind == "multiline"}
            if field.max_length is not None:
                card["maxLength"] = field.max_length
            if field.value:
                card["value"] = field.value
        case "choice":
            choices = [{"title": choice.label, "value": choice.value} for choice in field.choices]
            card |= {"type": "Input.ChoiceSet", "style": "compact", "choices": choices}
            card["placeholder"] = "Choose…"
            if field.value:
                card["value"] = field.value
        case "number":
            card |= {"type": "Input.Number", "min": 0}
            if field.value and field.value.isdigit():
                card["value"] = int(field.value)
        case "toggle":
            card |= {
                "type": "Input.Toggle",
                "title": field.label,
                "valueOn": "true",
                "valueOff": "false",
            }
            card["value"] = "true" if field.value == "true" else "false"
        case _:
            raise ValueError(f"unknown form field kind {field.kind!r} for {field.name!r}")
    if field.hint and field.kind not in ("toggle", "choice"):
        card["placeholder"] = field.hint
    return card


def _fit(card: Card, ref: str | None) -> Card:
    """Within CARD_BYTES: drop body items from the end and say so (inputs are never dropped)."""
    if card_size(card) <= CARD_BYTES:
        return card
    body: list[Card] = list(card["body"])
    marker = {
        "type": "TextBlock",
        "text": teams_markdown(cut_marker(ref)),
        "wrap": True,
        "isSubtle": True,
    }
    while len(body) > 1 and card_size(card | {"body": [*body, marker]}) > CARD_BYTES:
        if str(body[-1].get("type", "")).startswith("Input."):
            raise ValueError("a form does not fit in an Adaptive Card")
        body.pop()
    return card | {"body": [*body, marker]}
