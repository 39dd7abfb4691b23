"""Turning a reply body into a neutral `Layout`: the wording every platform shares."""

from __future__ import annotations

from bot.cards.actions import CASE_ACTION_LABELS, case_action_id, form_action_id
from bot.cards.casecard import case_layout
from bot.cards.format import cut, format_time
from bot.cards.layout import Button, Buttons, Element, Facts, Heading, Layout, Paragraph, Tone
from bot.messages import (
    Body,
    CaseList,
    CaseView,
    Fact,
    Form,
    Help,
    Identity,
    Message,
    Notice,
    NoticeKind,
    Overview,
    Refusal,
)
from bot.model import AccessLevel, format_case_number

_LIST_SUMMARY_CHARS = 300
# Rows with their own buttons: 20 keeps a full list (25 rows) within Slack's 50 blocks.
LIST_BUTTON_ROWS = 20
_NOTICE_TONES = {
    NoticeKind.CRITICAL_RAISE_EXPECTED: Tone.ATTENTION,
    NoticeKind.SLA_WARNING: Tone.WARNING,
    NoticeKind.SLA_BREACH: Tone.ATTENTION,
    NoticeKind.CUSTOMER_BREACH: Tone.ATTENTION,
    NoticeKind.ESCALATION_REQUESTED: Tone.WARNING,
    NoticeKind.FOLLOW_UP: Tone.WARNING,
    NoticeKind.AUTO_CLOSED: Tone.WARNING,
    NoticeKind.INCIDENT_REPORTED: Tone.ATTENTION,
    NoticeKind.INCIDENT_DECLARED: Tone.ATTENTION,
    NoticeKind.INCIDENT_STATUS: Tone.WARNING,
    NoticeKind.INCIDENT_REMINDER: Tone.WARNING,
    NoticeKind.RESTORATION: Tone.GOOD,
    NoticeKind.ALL_CLEAR: Tone.GOOD,
    NoticeKind.RCA_REMINDER: Tone.WARNING,
    NoticeKind.EMERGENCY_MAINTENANCE: Tone.ATTENTION,
    NoticeKind.ADVISORY: Tone.WARNING,
}
# Notices whose body is the bot's own wording (reminders, prompts); the others carry text people
# wrote (an update, an escalation reason, a status), which is shown literally (R6).
_WORDING_NOTICES = frozenset(
    {
        NoticeKind.CRITICAL_RAISE_EXPECTED,
        NoticeKind.SLA_WARNING,
        NoticeKind.SLA_BREACH,
        NoticeKind.CUSTOMER_BREACH,
        NoticeKind.FOLLOW_UP,
        NoticeKind.AUTO_CLOSED,
        NoticeKind.SURVEY,
        NoticeKind.INCIDENT_REMINDER,
        NoticeKind.RCA_REMINDER,
        NoticeKind.MONTHLY_REPORT,
    }
)
_LEVEL_WORDS = {
    AccessLevel.BASIC: "basic (help, whoami, notices)",
    AccessLevel.READ_ONLY: "read-only (list and view cases)",
    AccessLevel.DESIGNATED: "designated (open and work cases)",
}


def compose(body: Body, time_zone: str, show_utc: bool) -> Layout:
    """The neutral card for any reply body; forms become a prompt to fill them in."""
    match body:
        case Message():
            return _message(body)
        case Refusal():
            return _refusal(body)
        case CaseView():
            return case_layout(body, time_zone, show_utc)
        case CaseList():
            return case_list_layout(body, time_zone, show_utc)
        case Form():
            return form_prompt(body)
        case Help():
            return _help(body)
        case Identity():
            return _identity(body)
        case Notice():
            return _notice(body, time_zone, show_utc)
        case Overview():
            return case_list_layout(body.cases, time_zone, show_utc)
    raise TypeError(f"not a reply body: {type(body).__name__}")


def _message(message: Message) -> Layout:
    elements: list[Element] = []
    if message.title:
        elements.append(Heading(message.title))
    elements.append(Paragraph(message.text, code=True))
    return Layout(tuple(elements), message.title or message.text, code_in_summary=True)


def _refusal(refusal: Refusal) -> Layout:
    elements: list[Element] = [
        Heading("Not allowed", Tone.ATTENTION),
        Paragraph(refusal.reason, code=True),
    ]
    if refusal.instead:
        elements.append(Paragraph(refusal.instead, label="What you can do", code=True))
    elements.append(Paragraph(f"Rule {refusal.rule}", tone=Tone.MUTED))
    summary = f"Not allowed ({refusal.rule}): {refusal.reason}"
    return Layout(tuple(elements), summary, code_in_summary=True)


def case_list_layout(cases: CaseList, time_zone: str, show_utc: bool) -> Layout:
    """One paragraph per case: number, priority, status, summary, last update and next due time."""
    elements: list[Element] = [Heading(cases.title)]
    if not cases.cases:
        elements.append(Paragraph(cases.empty_text, tone=Tone.MUTED, code=True))
    for row, line in enumerate(cases.cases):
        ref = format_case_number(line.number)
        when = f"Updated {format_time(line.updated_at, time_zone, show_utc)}"
        if line.next_due_at is not None:
            when += f" · next due {format_time(line.next_due_at, time_zone, show_utc)}"
        label = (
            f"{ref} · {line.account_id} · {line.priority.label} · {line.status} / {line.sub_status}"
        )
        text = f"{cut(line.summary, _LIST_SUMMARY_CHARS, ref)}\n{when}"
        elements.append(Paragraph(text, label=label))
        if line.actions and row < LIST_BUTTON_ROWS:
            buttons = tuple(
                Button(CASE_ACTION_LABELS[action], case_action_id(action), line.number)
                for action in line.actions
            )
            elements.append(Buttons(buttons, inline=True))
    if cases.total > len(cases.cases):
        shown = f"Showing {len(cases.cases)} of {cases.total} cases."
        elements.append(Paragraph(shown, tone=Tone.MUTED))
    return Layout(tuple(elements), f"{cases.title} ({cases.total})")


def form_prompt(form: Form) -> Layout:
    """Where a form cannot be shown inline (a Slack message, the console): what it asks for."""
    elements: list[Element] = [Heading(form.title)]
    if form.guidance:
        elements.append(Paragraph(form.guidance, code=True))
    for name, error in form.errors.items():
        label = next((field.label for field in form.fields if field.name == name), name)
        elements.append(Paragraph(error, label=label, tone=Tone.ATTENTION, code=True))
    button = Button(form.title, form_action_id(form.kind), form.case_number, primary=True)
    elements.append(Buttons((button,)))
    ref = format_case_number(form.case_number) if form.case_number is not None else None
    return Layout(tuple(elements), form.title, ref)


def _help(help_: Help) -> Layout:
    elements: list[Element] = [Heading("Help")]
    if help_.intro:
        elements.append(Paragraph(help_.intro, code=True))
    elements.extend(
        Paragraph(entry.summary, label=entry.usage, code=True) for entry in help_.entries
    )
    if not help_.entries:
        elements.append(Paragraph("There are no commands you can use here.", tone=Tone.MUTED))
    return Layout(tuple(elements), "Help")


def _identity(identity: Identity) -> Layout:
    facts = [Fact("Name", identity.name), Fact("E-mail", identity.email or "not linked")]
    if identity.roles:
        facts.append(Fact("Support roles", ", ".join(role.value for role in identity.roles)))
    elements: list[Element] = [Heading(f"You are {identity.name}"), Facts(tuple(facts))]
    grants = tuple(
        Fact(
            f"{grant.account_id} ({grant.account_name})",
            _LEVEL_WORDS[grant.level] + (f" — {grant.note}" if grant.note else ""),
        )
        for grant in identity.grants
    )
    if grants:
        elements.extend((Paragraph("Your access per account:"), Facts(grants)))
    elif not identity.roles:
        elements.append(Paragraph("You have no access to any account.", tone=Tone.MUTED))
    if identity.hint:
        elements.append(Paragraph(identity.hint, tone=Tone.WARNING, code=True))
    return Layout(tuple(elements), f"You are {identity.name}")


def _notice(notice: Notice, time_zone: str, show_utc: bool) -> Layout:
    ref = format_case_number(notice.case_number) if notice.case_number is not None else None
    tone = _NOTICE_TONES.get(notice.kind, Tone.PLAIN)
    elements: list[Element] = [Heading(notice.title, tone)]
    if notice.body:
        elements.append(Paragraph(notice.body, code=notice.kind in _WORDING_NOTICES))
    facts: list[Fact] = []
    if ref is not None:
        facts.append(Fact("Case", ref))
    if notice.incident_id is not None:
        facts.append(Fact("Incident", str(notice.incident_id)))
    facts.extend(notice.facts)
    facts.extend(Fact(label, format_time(at, time_zone, show_utc)) for label, at in notice.times)
    if facts:
        elements.append(Facts(tuple(facts)))
    buttons = tuple(
        Button(CASE_ACTION_LABELS[action], case_action_id(action), notice.case_number)
        for action in notice.actions
    )
    if buttons and notice.case_number is not None:
        elements.append(Buttons(buttons))
    return Layout(tuple(elements), notice.title, ref)
