"""Plain text for the console and the demo transcript: a box per message, buttons as [Label]."""

from __future__ import annotations

import textwrap

from bot.cards.compose import compose
from bot.cards.format import printable
from bot.cards.layout import Buttons, Divider, Element, Facts, Heading, Layout, Paragraph, Tone
from bot.messages import Body, FieldKind, Form, FormField, Reply
from bot.model import format_case_number

WIDTH = 78
_MARKS = {Tone.ATTENTION: "[!] ", Tone.WARNING: "[*] ", Tone.GOOD: "[ok] "}
_KIND_HINTS = {
    FieldKind.MULTILINE: "text, several lines",
    FieldKind.NUMBER: "a number",
    FieldKind.TOGGLE: "yes/no",
}


def render_text(reply: Reply) -> str:
    """The reply and its follow-ups as readable text, one box each."""
    bodies = (reply.body, *reply.follow_ups)
    return "\n".join(render_body(body, reply.time_zone, reply.show_utc) for body in bodies)


def render_body(body: Body, time_zone: str, show_utc: bool) -> str:
    """One body as a box; control characters in user text are shown as codes, not obeyed."""
    lines = _form(body) if isinstance(body, Form) else _layout(compose(body, time_zone, show_utc))
    return printable("\n".join(lines)) + "\n"


def _layout(layout: Layout) -> list[str]:
    top = "┌" + "─" * (WIDTH - 1)
    inner: list[str] = []
    footer: list[str] = []
    grouped = False  # unlabelled paragraphs right after a labelled one belong under its label
    for element in layout.elements:
        if isinstance(element, Buttons) and element.inline:
            inner.append("  " + " ".join(f"[{item.label}]" for item in element.items))
            continue
        if isinstance(element, Buttons):
            footer.append(" ".join(f"[{item.label}]" for item in element.items))
            continue
        if isinstance(element, Paragraph):
            if element.label is None and grouped and element.tone is not Tone.MUTED:
                inner.extend(_wrap(_MARKS.get(element.tone, "") + element.text, indent="  "))
                continue
            grouped = element.label is not None
        else:
            grouped = False
        inner.extend(_element(element))
    bottom = "└─ " + " ".join(footer) if footer else "└" + "─" * (WIDTH - 1)
    return [top, *(f"│ {line}".rstrip() for line in inner), bottom]


def _element(element: Element) -> list[str]:
    match element:
        case Heading(text, tone):
            return _wrap(_MARKS.get(tone, "") + text)
        case Paragraph(text, label, tone):
            mark = _MARKS.get(tone, "")
            if label:
                return ["", *_wrap(label), *_wrap(mark + text, indent="  ")]
            if tone is Tone.MUTED:
                return _wrap(f"({text})")
            return _wrap(mark + text)
        case Facts(items):
            width = min(max(len(fact.label) for fact in items), 24) if items else 0
            lines: list[str] = []
            for fact in items:
                lines.extend(
                    _wrap(fact.value, first=f"{fact.label:<{width}}  ", indent=" " * (width + 2))
                )
            return lines
        case Divider():
            return ["─" * (WIDTH - 4)]
    raise TypeError(f"not a layout element: {type(element).__name__}")


def _wrap(text: str, first: str = "", indent: str = "") -> list[str]:
    """Wrap each line of `text` to the box, keeping the user's own line breaks."""
    out: list[str] = []
    for number, line in enumerate(text.split("\n")):
        lead = first if number == 0 and first else indent
        wrapped = textwrap.wrap(
            line,
            WIDTH - 2,
            initial_indent=lead,
            subsequent_indent=indent or " " * len(lead),
            replace_whitespace=False,
            drop_whitespace=True,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [lead.rstrip()])
    return out


def _form(form: Form) -> list[str]:
    lines = ["┌" + "─" * (WIDTH - 1), f"│ {form.title}"]
    if form.case_number is not None:
        lines.append(f"│ Case {format_case_number(form.case_number)}")
    if form.guidance:
        lines.extend(f"│ {line}" for line in _wrap(form.guidance))
    lines.append("│")
    for field in form.fields:
        lines.extend(f"│ {line}".rstrip() for line in _field(field, form.errors.get(field.name)))
    lines.append(f"└─ [{form.submit_label}]")
    return lines


def _field(field: FormField, error: str | None) -> list[str]:
    required = " (required)" if field.required else ""
    out = _wrap(f"{field.label}{required}: {field.value or '____'}", indent="    ")
    if field.choices:
        choices = " | ".join(
            f"{choice.value} ({choice.label})" if choice.label != choice.value else choice.value
            for choice in field.choices
        )
        out.extend(_wrap(f"one of: {choices}", indent="    "))
    elif field.kind in _KIND_HINTS:
        out.append(f"    {_KIND_HINTS[field.kind]}")
    if field.hint:
        out.extend(_wrap(field.hint, indent="    "))
    if error:
        out.extend(_wrap(f"[!] {error}", indent="    "))
    return out
