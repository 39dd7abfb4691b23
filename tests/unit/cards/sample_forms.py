"""The open, close, escalate, reopen and report-incident forms, some with inline errors."""

from __future__ import annotations

from bot.messages import (
    Choice,
    FieldKind,
    Form,
    FormField,
    FormKind,
)
from bot.model import (
    Priority,
)
from tests.unit.cards.sample_case import EVIL

PRIORITIES = tuple(
    Choice(p.value, p.label)
    for p in (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
)

OPEN_FORM = Form(
    kind=FormKind.OPEN,
    title="Open a support case",
    submit_label="Open case",
    guidance="One issue per case (CASE-9). Critical issues: phone +1 800 555 0100.",
    fields=(
        FormField(
            "account",
            "Account",
            FieldKind.CHOICE,
            True,
            (Choice("acme", "acme — Acme Corp"),),
            "acme",
        ),
        FormField("summary", "Summary", FieldKind.TEXT, True, value=EVIL, max_length=1000),
        FormField(
            "description",
            "Description",
            FieldKind.MULTILINE,
            True,
            hint="What happened, when, error messages",
        ),
        FormField("priority", "Priority", FieldKind.CHOICE, True, PRIORITIES),
        FormField(
            "type",
            "Type",
            FieldKind.CHOICE,
            True,
            (
                Choice("support/problem", "Support / Problem"),
                Choice("support/question", "Support / Question"),
            ),
        ),
        FormField(
            "stage",
            "Stage",
            FieldKind.CHOICE,
            True,
            (Choice("production", "Production"), Choice("uat", "UAT")),
            "production",
        ),
        FormField(
            "impact", "Business impact", FieldKind.MULTILINE, hint="Required for High and above"
        ),
        FormField("agents", "Agents affected", FieldKind.NUMBER, value="40"),
        FormField("security", "There is a security threat", FieldKind.TOGGLE),
    ),
    errors={
        "description": "A description is required.",
        "impact": "Business impact is required for High priority (CASE-2).",
    },
)

CLOSE_FORM = Form(
    kind=FormKind.CLOSE,
    title="Close case 0000001001",
    case_number=1001,
    submit_label="Close case",
    fields=(
        FormField(
            "resolution",
            "Resolution",
            FieldKind.CHOICE,
            True,
            (Choice("resolved", "Resolved"), Choice("cancelled", "Cancelled")),
        ),
        FormField("comment", "Closing comment", FieldKind.MULTILINE, True),
    ),
)

ESCALATE_FORM = Form(
    kind=FormKind.ESCALATE,
    title="Request escalation",
    case_number=1001,
    submit_label="Request",
    guidance="High cases can be escalated after 24 hours without an update (ESC-6).",
    fields=(
        FormField("reason", "Reason", FieldKind.MULTILINE, True),
        FormField("impact", "Current business impact", FieldKind.MULTILINE, True),
        FormField("rca", "I am asking for a root-cause analysis", FieldKind.TOGGLE),
    ),
    errors={"impact": "State the current business impact (ESC-6)."},
)

REOPEN_FORM = Form(
    kind=FormKind.REOPEN,
    title="Reopen case 0000001001",
    case_number=1001,
    submit_label="Reopen",
    guidance="Say why the issue is not resolved, in at least 10 words (REO-1).",
    fields=(FormField("reason", "Reason", FieldKind.MULTILINE, True, hint="At least 10 words"),),
)

INCIDENT_FORM = Form(
    kind=FormKind.REPORT_INCIDENT,
    title="Report a suspected incident",
    submit_label="Report",
    guidance="Incidents are declared by phone: +1 800 555 0100 (INC-1).",
    fields=(
        FormField("affected", "How is service affected?", FieldKind.MULTILINE, True),
        FormField("services", "Which services?", FieldKind.TEXT, True),
        FormField(
            "noticed", "When was it first noticed?", FieldKind.TEXT, True, hint="e.g. 14:05 EST"
        ),
        FormField("all_users", "All users are affected", FieldKind.TOGGLE, value="true"),
    ),
)
