"""Adaptive Cards 1.5 for Teams: replies as cards, forms as card inputs, buttons as Action.Execute.

Every TextBlock and Fact text goes through `teams_markdown`, so user text never becomes a link,
emphasis, list, heading or `<at>` mention (R6). Titles of actions and inputs are not Markdown.
Teams' Markdown has no inline code, so the bot's own `code` wording becomes a RichTextBlock whose
code spans are monospace TextRuns (TextRuns are never Markdown). The fallback text is what Teams
shows in the chat list, notifications and activity feed: plain words, no escapes.

Colours: Teams' light theme draws `Warning` #f8d22a (1.47:1 on white) and `Good` #92c353 (2.07:1),
its dark theme `Attention` #d74654 (3.24:1 on #2d2c2c), all under WCAG AA's 4.5:1 for text. Only
`Default` and `Accent` meet it in the light, dark and high-contrast host configs
(tests/cards/hostconfigs), so attention is Accent and a warning is bold default text.
"""

from __future__ import annotations

import json
from typing import Any

from bot.cards.actions import form_action_id
from bot.cards.compose import compose
from bot.cards.escape import teams_markdown
from bot.cards.format import code_spans, cut, cut_marker, plain_wording
from bot.cards.layout import Buttons, Divider, Element, Facts, Heading, Layout, Paragraph, Tone
from bot.messages import Body, FieldKind, Form, FormField, Reply
from bot.model import format_case_number

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Teams rejects cards over about 28 KB; measured as compact UTF-8 JSON, with room to spare.
CARD_BYTES = 27_500
PARAGRAPH_CHARS = 4000
FALLBACK_CHARS = 300

_STYLES: dict[Tone, dict[str, str]] = {
    Tone.ATTENTION: {"color": "Accent", "weight": "Bolder"},
    Tone.WARNING: {"weight": "Bolder"},
}
ERROR_STYLE = {"color": "Accent", "weight": "Bolder"}
# Style properties a TextRun carries itself (a RichTextBlock has none of them).
_RUN_STYLE = ("color", "isSubtle", "size", "weight")

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


def fallback_text(summary: str, ref: str | None, wording: bool) -> str:
    """Plain words for the chat list, notifications and activity feed: no Markdown, no escapes."""
    text = " ".join(cut(summary, FALLBACK_CHARS, ref).split())
    return plain_wording(text) if wording else text


def _card(
    summary: str, ref: str | None, body: list[Card], actions: list[Card], wording: bool = True
) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": VERSION,
        "fallbackText": fallback_text(summary, ref, wording),
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
        if isinstance(element, Buttons) and element.inline:
            row = [
                _execute(item.label, item.action_id, {"case": item.case_number}, item.primary)
                for item in element.items
            ]
            body.append({"type": "ActionSet", "actions": row, "spacing": "Small"})
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
    return _card(layout.summary, layout.case_ref, body, actions, layout.code_in_summary)


def _element(element: Element, ref: str | None) -> list[Card]:
    match element:
        case Heading(text, tone):
            block = _text(text, ref, size="Large", weight="Bolder", style="heading")
            return [block | _STYLES.get(tone, {})]
        case Paragraph(text, label, tone, code):
            blocks = []
            if label:
                blocks.append(_wording(label, ref, code, weight="Bolder", spacing="Medium"))
            style: dict[str, Any] = dict(_STYLES.get(tone, {}))
            if label:
                style["spacing"] = "None"
            if tone is Tone.MUTED:
                style |= {"isSubtle": True, "size": "Small"}
            return [*blocks, _wording(cut(text, PARAGRAPH_CHARS, ref), ref, code, **style)]
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


def _wording(text: str, ref: str | None, code: bool, **style: Any) -> Card:
    """A TextBlock; for the bot's wording with `code` spans, a RichTextBlock with monospace runs."""
    if not code or not any(is_code for _, is_code in code_spans(text)):
        return _text(text, ref, **style)
    run_style = {key: style.pop(key) for key in _RUN_STYLE if key in style}
    style.pop("style", None)
    lines = [line for line in cut(text, PARAGRAPH_CHARS, ref).split("\n") if line.strip()]
    blocks = [_runs(line, run_style) for line in lines]
    if len(blocks) == 1:
        return blocks[0] | style
    for block in blocks[1:]:
        block["spacing"] = "Small"
    # A TextRun has no line break, so each line of the wording is a block of its own.
    return {"type": "Container", "items": blocks, **style}


def _runs(line: str, run_style: dict[str, Any]) -> Card:
    inlines: list[Card] = []
    for piece, is_code in code_spans(line):
        # TextRuns are plain text; breaking `{{` keeps Adaptive Cards' DATE()/TIME() out of it.
        run: Card = {"type": "TextRun", "text": piece.replace("{{", "{\u200b{"), **run_style}
        if is_code:
            run["fontType"] = "Monospace"
        inlines.append(run)
    return {"type": "RichTextBlock", "inlines": inlines}


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
        body.append(_wording(form.guidance, ref, True))
    for field in form.fields:
        error = form.errors.get(field.name)
        body.append(_input(field, error))
        if field.hint and field.kind is FieldKind.CHOICE:
            # A closed choice set hides its placeholder, so guidance such as the priority
            # definitions (CASE-3) is shown below it instead.
            body.append(_text(field.hint, ref, isSubtle=True, size="Small", spacing="None"))
        if error:
            body.append(_wording(error, ref, True, size="Small", spacing="None", **ERROR_STYLE))
    data = {"form": form.kind.value, "case": form.case_number}
    submit = _execute(form.submit_label, form_action_id(form.kind), data, primary=True)
    return _card(form.title, ref, body, [submit])


def _input(field: FormField, error: str | None) -> Card:
    card: Card = {"id": field.name, "isRequired": field.required}
    if field.kind is not FieldKind.TOGGLE:
        # A toggle's title sits beside its box; a label above it would say the same twice.
        card["label"] = field.label
    if field.required or error:
        card["errorMessage"] = error or f"{field.label} is required."
    match field.kind:
        case FieldKind.TEXT | FieldKind.MULTILINE:
            card |= {"type": "Input.Text", "isMultiline": field.kind is FieldKind.MULTILINE}
            if field.max_length is not None:
                card["maxLength"] = field.max_length
            if field.value:
                card["value"] = field.value
        case FieldKind.CHOICE:
            choices = [{"title": choice.label, "value": choice.value} for choice in field.choices]
            card |= {"type": "Input.ChoiceSet", "style": "compact", "choices": choices}
            card["placeholder"] = "Choose…"
            if field.value:
                card["value"] = field.value
        case FieldKind.NUMBER:
            card |= {"type": "Input.Number", "min": 0}
            if field.value and field.value.isdigit():
                card["value"] = int(field.value)
        case FieldKind.TOGGLE:
            card |= {
                "type": "Input.Toggle",
                "title": field.label,
                "valueOn": "true",
                "valueOff": "false",
            }
            card["value"] = "true" if field.value == "true" else "false"
        case _:
            raise ValueError(f"unknown form field kind {field.kind!r} for {field.name!r}")
    if field.hint and field.kind not in (FieldKind.TOGGLE, FieldKind.CHOICE):
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
