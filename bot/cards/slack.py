"""Block Kit: replies as chat.postMessage payloads, forms as modals, the App Home view.

All user-visible text goes in `plain_text` objects, which Slack shows literally: no mentions,
links or mrkdwn formatting can come from user text (R6). The one mrkdwn string, the fallback
`text`, is entity-escaped and sent with `mrkdwn: false`.
"""

from __future__ import annotations

from typing import Any

from bot.cards.actions import CASE_OPEN
from bot.cards.compose import case_list_layout, compose
from bot.cards.escape import slack_text
from bot.cards.format import cut, cut_marker, plain_wording
from bot.cards.layout import Buttons, Divider, Element, Facts, Heading, Layout, Paragraph, Tone
from bot.messages import Body, CaseList, Form, FormField, Overview, Reply
from bot.model import format_case_number

# Block Kit limits (api.slack.com/reference/block-kit).
MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and App Home
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
CONTEXT_CHARS = 2000
BUTTON_CHARS = 75
BUTTONS_PER_BLOCK = 25
HEADER_CHARS = 150
LABEL_CHARS = 2000
TITLE_CHARS = 24
OPTION_CHARS = 75
OPTIONS = 100
INPUT_CHARS = 3000
METADATA_CHARS = 3000
FALLBACK_CHARS = 300

_PREFIX = {Tone.ATTENTION: "🚨 ", Tone.WARNING: "⚠️ ", Tone.GOOD: "✅ "}

Block = dict[str, Any]


def render_message(reply: Reply) -> dict[str, Any]:
    """The reply's body as a chat.postMessage payload: {"text", "mrkdwn", "blocks"}."""
    return render_body(reply.body, reply.time_zone, reply.show_utc)


def render_messages(reply: Reply) -> list[dict[str, Any]]:
    """The body and each follow-up, one payload per message, in order."""
    bodies = (reply.body, *reply.follow_ups)
    return [render_body(body, reply.time_zone, reply.show_utc) for body in bodies]


def render_body(body: Body, time_zone: str, show_utc: bool) -> dict[str, Any]:
    """One reply body as a message payload."""
    layout = compose(body, time_zone, show_utc)
    return {
        "text": fallback_text(layout),
        "mrkdwn": False,
        "blocks": _fit(_blocks(layout), MESSAGE_BLOCKS, layout.case_ref),
    }


def fallback_text(layout: Layout) -> str:
    """The notification text: plain words (code spans quoted), entity-escaped so no mention starts.

    Slack decodes `&amp;`, `&lt;` and `&gt;` before it shows the text, so a reader sees none of
    them; backslashes and backticks would be shown as they are, so there are none.
    """
    text = " ".join(cut(layout.summary, FALLBACK_CHARS, layout.case_ref).split())
    return slack_text(plain_wording(text) if layout.code_in_summary else text)


def render_home(
    lines: CaseList, can_open: bool, time_zone: str = "UTC", show_utc: bool = False
) -> dict[str, Any]:
    """The App Home view: the viewer's open cases and, for designated contacts, "Open a case"."""
    layout = case_list_layout(lines, time_zone, show_utc)
    blocks = _blocks(layout)
    if can_open:
        button = _button("Open a case", CASE_OPEN, "open", primary=True)
        blocks.insert(1, {"type": "actions", "elements": [button]})
    return {"type": "home", "blocks": _fit(blocks, SURFACE_BLOCKS, None)}


def render_overview(reply: Reply) -> dict[str, Any] | None:
    """The App Home view of the router's overview; None for any other reply (an error)."""
    body = reply.body
    if not isinstance(body, Overview):
        return None
    return render_home(body.cases, body.can_open, reply.time_zone, reply.show_utc)


def render_modal(form: Form, callback_id: str, private_metadata: str) -> dict[str, Any]:
    """A views.open modal: one input block per field, block_id and action_id = the field name."""
    if len(private_metadata) > METADATA_CHARS:
        # Cutting would corrupt what the adapter needs back on submit.
        raise ValueError(f"private_metadata is over {METADATA_CHARS} characters")
    ref = format_case_number(form.case_number) if form.case_number is not None else None
    blocks: list[Block] = []
    if ref is not None:
        blocks.append(_context(f"Case {ref}"))
    if form.guidance:
        blocks.append(_section(form.guidance, ref))
    for field in form.fields:
        blocks.append(_input(field))
        error = form.errors.get(field.name)
        if error:
            blocks.append(_context(f"⚠️ {error}"))
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "title": _plain(form.title, TITLE_CHARS),
        "submit": _plain(form.submit_label, TITLE_CHARS),
        "close": _plain("Cancel", TITLE_CHARS),
        "blocks": _fit(blocks, SURFACE_BLOCKS, ref),
    }


def form_errors(form: Form) -> dict[str, str]:
    """`response_action: errors` for a modal submission: block_id (field name) -> message."""
    names = {field.name for field in form.fields}
    return {
        name: cut(message, LABEL_CHARS) for name, message in form.errors.items() if name in names
    }


def _blocks(layout: Layout) -> list[Block]:
    blocks: list[Block] = []
    for element in layout.elements:
        blocks.extend(_element(element, layout.case_ref))
    return blocks


def _element(element: Element, ref: str | None) -> list[Block]:
    match element:
        case Heading(text, tone):
            return [
                {"type": "header", "text": _plain(_PREFIX.get(tone, "") + text, HEADER_CHARS, ref)}
            ]
        case Paragraph(text, label, tone):
            if tone is Tone.MUTED and label is None:
                return [_context(text, ref)]
            head = _PREFIX.get(tone, "") + (f"{cut(label, 300)}\n" if label else "")
            return [_section(head + cut(text, SECTION_CHARS - len(head), ref))]
        case Facts(items):
            fields = [_plain(f"{fact.label}\n{fact.value}", FIELD_CHARS, ref) for fact in items]
            return [
                {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}
                for start in range(0, len(fields), FIELDS_PER_SECTION)
            ]
        case Divider():
            return [{"type": "divider"}]
        case Buttons(items):
            buttons = [
                _button(item.label, item.action_id, _value(item.case_number), item.primary)
                for item in items[:BUTTONS_PER_BLOCK]
            ]
            return [{"type": "actions", "elements": buttons}]
    raise TypeError(f"not a layout element: {type(element).__name__}")


def _value(case_number: int | None) -> str | None:
    return None if case_number is None else format_case_number(case_number)


def _fit(blocks: list[Block], limit: int, ref: str | None) -> list[Block]:
    """At most `limit` blocks: drop from the end of the content, keep the buttons, say so."""
    if len(blocks) <= limit:
        return blocks
    actions = [block for block in blocks if block["type"] == "actions"]
    content = [block for block in blocks if block["type"] != "actions"]
    return [*content[: limit - len(actions) - 1], _context(cut_marker(ref)), *actions]


def _plain(text: str, limit: int, ref: str | None = None) -> dict[str, str]:
    # Slack rejects empty text objects.
    return {"type": "plain_text", "text": cut(text, limit, ref) if text else " "}


def _section(text: str, ref: str | None = None) -> Block:
    return {"type": "section", "text": _plain(text, SECTION_CHARS, ref)}


def _context(text: str, ref: str | None = None) -> Block:
    return {"type": "context", "elements": [_plain(text, CONTEXT_CHARS, ref)]}


def _button(label: str, action_id: str, value: str | None, primary: bool = False) -> Block:
    button: Block = {"type": "button", "text": _plain(label, BUTTON_CHARS), "action_id": action_id}
    if value is not None:
        button["value"] = value
    if primary:
        button["style"] = "primary"
    return button


def _input(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, LABEL_CHARS),
        "optional": not field.required,
        "element": _input_element(field),
    }
    if field.hint:
        block["hint"] = _plain(field.hint, LABEL_CHARS)
    return block


def _input_element(field: FormField) -> Block:
    match field.kind:
        case "text" | "multiline":
            element: Block = {
                "type": "plain_text_input",
                "action_id": field.name,
                "multiline": field.kind == "multiline",
            }
            if field.max_length is not None:
                element["max_length"] = min(field.max_length, INPUT_CHARS)
            if field.value:
                element["initial_value"] = field.value[:INPUT_CHARS]
            return element
        case "choice":
            options = [
                {"text": _plain(choice.label, OPTION_CHARS), "value": choice.value}
                for choice in field.choices[:OPTIONS]
            ]
            element = {"type": "static_select", "action_id": field.name, "options": options}
            chosen = [option for option in options if option["value"] == field.value]
            if chosen:
                element["initial_option"] = chosen[0]
            return element
        case "number":
            element = {"type": "number_input", "action_id": field.name, "is_decimal_allowed": False}
            if field.value:
                element["initial_value"] = field.value
            return element
        case "toggle":
            option = {"text": _plain(field.label, OPTION_CHARS), "value": "true"}
            element = {"type": "checkboxes", "action_id": field.name, "options": [option]}
            if field.value == "true":
                element["initial_options"] = [option]
            return element
    raise ValueError(f"unknown form field kind {field.kind!r} for {field.name!r}")
