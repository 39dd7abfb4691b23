"""The case card's wording: CASE-2 fields, status, SLA timers (SLA-4) and recent updates."""

from __future__ import annotations

from bot.cards.actions import CASE_ACTION_LABELS, case_action_id
from bot.cards.format import cut, format_minutes, format_time
from bot.cards.layout import (
    Button,
    Buttons,
    Divider,
    Element,
    Facts,
    Heading,
    Layout,
    Paragraph,
    Tone,
)
from bot.messages import CaseView, Fact, SlaTimer, TimerState
from bot.model import Case, CaseEvent, EventKind, Stage, Visibility
from bot.policy.escalation import last_update_at

DESCRIPTION_CHARS = 1500
UPDATE_CHARS = 600
MAX_UPDATES = 5

_EVENT_WORDS = {
    EventKind.OPENED: "opened",
    EventKind.CUSTOMER_UPDATE: "update",
    EventKind.STAFF_RESPONSE: "support reply",
    EventKind.WORK_NOTE: "note",
    EventKind.STATUS_CHANGE: "status change",
    EventKind.PRIORITY_CHANGE: "priority change",
    EventKind.PRIORITY_REQUEST: "priority change request",
    EventKind.ESCALATION_REQUEST: "escalation request",
    EventKind.ESCALATION_ACCEPTED: "escalation accepted",
    EventKind.ESCALATION_REJECTED: "escalation rejected",
    EventKind.OWNER_CHANGE: "owner change",
    EventKind.FOLLOW_UP: "follow-up reminder",
    EventKind.REOPENED: "reopened",
    EventKind.CLOSED: "closed",
    EventKind.SURVEY: "survey",
    EventKind.RESTORED: "service restored",
}


def case_layout(view: CaseView, time_zone: str, show_utc: bool) -> Layout:
    """The whole case card; buttons are exactly `view.actions` (none for read-only viewers)."""
    case = view.case
    elements: list[Element] = [
        Heading(f"Case {case.ref}: {case.summary}"),
        Facts(case_facts(view, time_zone, show_utc)),
        Paragraph(cut(case.description, DESCRIPTION_CHARS, case.ref), label="Description"),
    ]
    if view.note:
        elements.append(Paragraph(view.note, tone=Tone.WARNING, code=True))  # bot wording
    if view.timers:
        elements.append(Divider())
        for number, timer in enumerate(view.timers):
            tone = Tone.ATTENTION if timer.state is TimerState.BREACHED else Tone.PLAIN
            label = "SLA" if number == 0 else None
            elements.append(Paragraph(timer_line(timer, time_zone, show_utc), label, tone))
    if view.updates:
        elements.append(Divider())
        for event in view.updates[:MAX_UPDATES]:
            when = format_time(event.at, time_zone, show_utc)
            label = f"{when} · {event.author} · {event_words(event)}"
            elements.append(Paragraph(cut(event_text(event), UPDATE_CHARS, case.ref), label=label))
        if len(view.updates) > MAX_UPDATES:
            more = f"{len(view.updates) - MAX_UPDATES} earlier updates not shown."
            elements.append(Paragraph(more, tone=Tone.MUTED))
    if view.attachments:
        elements.append(Divider())
        lines = [
            f"#{a.id} {a.name} ({_size(a.size)}) · {a.uploaded_by} · "
            f"{format_time(a.uploaded_at, time_zone, show_utc)}"
            for a in view.attachments
        ]
        elements.append(Paragraph("\n".join(lines), label="Attachments"))
    buttons = tuple(
        Button(CASE_ACTION_LABELS[action], case_action_id(action), case.number)
        for action in view.actions
    )
    if buttons:
        elements.append(Buttons(buttons))
    return Layout(tuple(elements), f"Case {case.ref}: {case.summary}", case.ref)


def case_facts(view: CaseView, time_zone: str, show_utc: bool) -> tuple[Fact, ...]:
    """CASE-2 fields as label/value pairs, optional ones only when set."""
    case, account = view.case, view.account
    company = account.end_user
    if account.sold_to != account.end_user:
        company = f"{account.end_user} (via {account.sold_to})"
    facts = [
        Fact("Account", f"{account.id} — {company}"),
        Fact("Priority", _priority(case)),
        Fact("Status", f"{case.status} / {case.sub_status}"),
        Fact("Type", f"{case.case_type} / {case.case_subtype}"),
        Fact("Stage", "Production" if case.stage is Stage.PRODUCTION else "UAT"),
        Fact("Owner", case.owner or "Unassigned"),
        Fact("Opened", f"{format_time(case.opened_at, time_zone, show_utc)} by {case.opened_by}"),
        # ESC-5/ESC-6: the same instant an escalation refusal names as support's last update.
        Fact("Last support update", format_time(last_update_at(case), time_zone, show_utc)),
    ]
    if case.closed_at is not None:
        facts.append(Fact("Closed", format_time(case.closed_at, time_zone, show_utc)))
    optional = (
        ("Business impact", case.impact),
        ("Agents affected", None if case.agents is None else str(case.agents)),
        ("Component", case.component),
        ("External ref", case.external_ref),
        ("Security threat", "Yes" if case.security_threat else None),
    )
    facts.extend(Fact(label, value) for label, value in optional if value)
    return tuple(facts)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _priority(case: Case) -> str:
    if case.production_down:
        return f"{case.priority.label} - Production Down"
    return case.priority.label


def timer_line(timer: SlaTimer, time_zone: str, show_utc: bool) -> str:
    """One SLA target: "Response (4 business hours): running, due Tue 24 Nov 2026 14:00 EST"."""
    due = format_time(timer.due_at, time_zone, show_utc) if timer.due_at is not None else None
    match timer.state:
        case TimerState.RUNNING:
            state = f"running, due {due}" if due else "running"
        case TimerState.PAUSED:
            state = "paused"
            if timer.paused_minutes:
                state += f" ({format_minutes(timer.paused_minutes)} paused so far)"
            if due:
                state += f", due {due} if resumed now"
        case TimerState.MET:
            state = "met" + (f" (due {due})" if due else "")
        case TimerState.BREACHED:
            state = "BREACHED" + (f", was due {due}" if due else "")
        case TimerState.STOPPED:
            state = "stopped"
    return f"{timer.name.capitalize()} ({timer.target}): {state}"


def event_words(event: CaseEvent) -> str:
    """What kind of update this was, marking staff-only notes."""
    words = _EVENT_WORDS[event.kind]
    if event.visibility is Visibility.INTERNAL:
        return f"{words} (internal)"
    return words


def event_text(event: CaseEvent) -> str:
    """The update's text plus the status or priority it set."""
    parts = [event.body] if event.body else []
    if event.status is not None:
        sub = f" / {event.sub_status}" if event.sub_status is not None else ""
        parts.append(f"Status: {event.status}{sub}")
    if event.priority is not None:
        down = " - Production Down" if event.production_down else ""
        parts.append(f"Priority: {event.priority.label}{down}")
    return "\n".join(parts) or "(no text)"
