"""The forms of PRODUCT.md (Slack modals, Teams card forms), filled in and with inline errors.

A submitted form comes back from the adapters as a parsed `Command` of the same verb:
`Command(verb, args=(case_number,) for case forms else (), options={field name: value, ...,
"form": True})`, text fields as `str`, toggles as `bool`, empty fields left out. A handler that
finds problems answers with the form again, carrying the values and the errors, with outcome
INVALID (Slack shows them inline via `response_action: errors`; Teams re-renders the card).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.commands.limits import MAX_REASON_CHARS, MAX_TEXT_CHARS
from bot.messages import Choice, Command, FieldKind, Form, FormField, FormKind
from bot.model import Account
from bot.policy.intake import (
    CHAT_PRIORITIES,
    MAX_DESCRIPTION_CHARS,
    MAX_IMPACT_CHARS,
    priority_guide,
    type_choices,
)

UPDATE_TEXT = "text"  # the update form's one field (the same key as Slack's older update modal)
FORM_FLAG = "form"  # set by adapters on form submissions; cannot be typed (not in any grammar)
_GUIDANCE = "One issue per case (CASE-9): open a separate case for each problem."


def is_form(command: Command) -> bool:
    return command.options.get(FORM_FLAG) is True


def form_case_ref(command: Command) -> str | None:
    """The case a command or form submission names: its first word, else the `case` value."""
    first = command.arg(0)
    if first:
        return first
    value = command.options.get("case")
    return value if isinstance(value, str) else None


def form_text(command: Command, name: str) -> str:
    """A submitted form's text field `name`, stripped ("" when absent)."""
    value = command.options.get(name)
    return value.strip() if isinstance(value, str) else ""


def _value(values: Mapping[str, str | bool], name: str) -> str | None:
    value = values.get(name)
    return value if isinstance(value, str) else None


def open_form(
    accounts: Sequence[Account],
    values: Mapping[str, str | bool] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Form:
    """CASE-2: the open-case form."""
    v = values or {}
    fields: list[FormField] = []
    if len(accounts) > 1:
        fields.append(
            FormField(
                "account",
                "Account",
                FieldKind.CHOICE,
                True,
                tuple(Choice(a.id, f"{a.end_user} ({a.id})") for a in accounts),
                _value(v, "account"),
            )
        )
    fields += [
        FormField(
            "priority",
            "Priority",
            FieldKind.CHOICE,
            True,
            tuple(Choice(p.value, p.label) for p in CHAT_PRIORITIES),
            _value(v, "priority"),
            hint=f"{priority_guide()}\nCritical opens as High: phone us to raise it (CASE-4).",
        ),
        FormField(
            "summary", "Summary", FieldKind.TEXT, True, value=_value(v, "summary"), max_length=1000
        ),
        FormField(
            "description",
            "Description",
            FieldKind.MULTILINE,
            True,
            value=_value(v, "description"),
            hint="What happened, when, error messages, what you tried.",
            max_length=MAX_DESCRIPTION_CHARS,
        ),
        FormField(
            "type",
            "Type",
            FieldKind.CHOICE,
            True,
            tuple(Choice(t, t) for t in type_choices()),
            _value(v, "type") or "Support/Problem",
        ),
        FormField(
            "stage",
            "Implementation stage",
            FieldKind.CHOICE,
            True,
            (Choice("production", "Production"), Choice("uat", "UAT")),
            _value(v, "stage") or "production",
        ),
        FormField(
            "impact",
            "Business impact",
            FieldKind.MULTILINE,
            False,
            value=_value(v, "impact"),
            hint="Required for High and Critical.",
            max_length=MAX_IMPACT_CHARS,
        ),
        FormField("agents", "Agents affected", FieldKind.NUMBER, value=_value(v, "agents")),
        FormField(
            "component", "Component or product", value=_value(v, "component"), max_length=200
        ),
        FormField("ref", "Your reference number", value=_value(v, "ref"), max_length=200),
        FormField(
            "security",
            "Is there a security threat?",
            FieldKind.TOGGLE,
            value="true" if v.get("security") is True else None,
        ),
    ]
    return Form(
        FormKind.OPEN,
        "Open a case",
        tuple(fields),
        "Open case",
        guidance=_GUIDANCE,
        errors=dict(errors or {}),
    )


def close_form(
    case_number: int,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str | bool] | None = None,
) -> Form:
    """CASE-8: how it ended and a closure comment."""
    v = values or {}
    return Form(
        FormKind.CLOSE,
        "Close case",
        (
            FormField(
                "resolution",
                "Outcome",
                FieldKind.CHOICE,
                True,
                (Choice("resolved", "Resolved"), Choice("cancelled", "Cancelled")),
                _value(v, "resolution"),
            ),
            FormField(
                "comment",
                "Closure comment",
                FieldKind.MULTILINE,
                True,
                value=_value(v, "comment"),
                max_length=MAX_IMPACT_CHARS,
            ),
        ),
        "Close case",
        case_number=case_number,
        errors=dict(errors or {}),
    )


SURVEY_RATINGS = (
    ("5", "5 - Excellent"),
    ("4", "4 - Good"),
    ("3", "3 - Fair"),
    ("2", "2 - Poor"),
    ("1", "1 - Very poor"),
)


def survey_form(
    case_number: int,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str | bool] | None = None,
) -> Form:
    """CASE-8: a 1-5 rating of support on the closed case, and an optional comment."""
    v = values or {}
    return Form(
        FormKind.SURVEY,
        "Rate our support",
        (
            FormField(
                "rating",
                "How did we do?",
                FieldKind.CHOICE,
                True,
                tuple(Choice(value, label) for value, label in SURVEY_RATINGS),
                _value(v, "rating"),
            ),
            FormField(
                "comment",
                "Comment",
                FieldKind.MULTILINE,
                False,
                value=_value(v, "comment"),
                max_length=MAX_REASON_CHARS,
            ),
        ),
        "Send rating",
        case_number=case_number,
        errors=dict(errors or {}),
    )


def escalate_form(
    case_number: int,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str | bool] | None = None,
) -> Form:
    """ESC-1: the reason, the current business impact and whether an RCA is wanted."""
    v = values or {}
    return Form(
        FormKind.ESCALATE,
        "Escalate case",
        (
            FormField(
                "reason",
                "Why does this need management attention?",
                FieldKind.MULTILINE,
                True,
                value=_value(v, "reason"),
                max_length=MAX_IMPACT_CHARS,
            ),
            FormField(
                "impact",
                "Current business impact",
                FieldKind.MULTILINE,
                False,
                value=_value(v, "impact"),
                hint="Required for High priority (ESC-6).",
                max_length=MAX_IMPACT_CHARS,
            ),
            FormField(
                "rca",
                "This is a request for a root-cause analysis",
                FieldKind.TOGGLE,
                value="true" if v.get("rca") is True else None,
            ),
        ),
        "Request escalation",
        case_number=case_number,
        errors=dict(errors or {}),
    )


def reopen_form(
    case_number: int,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str | bool] | None = None,
) -> Form:
    """REO-1: a reason showing the issue is not resolved."""
    v = values or {}
    return Form(
        FormKind.REOPEN,
        "Reopen case",
        (
            FormField(
                "reason",
                "Why is the issue not resolved?",
                FieldKind.MULTILINE,
                True,
                value=_value(v, "reason"),
                hint="At least 10 words (REO-1).",
                max_length=MAX_IMPACT_CHARS,
            ),
        ),
        "Reopen case",
        case_number=case_number,
        errors=dict(errors or {}),
    )


def update_form(
    case_number: int,
    values: Mapping[str, str | bool] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Form:
    """`update`: the text to add to a case (Teams has no other way to type it from a button)."""
    return Form(
        FormKind.UPDATE,
        "Update case",
        (
            FormField(
                UPDATE_TEXT,
                "What would you like to add?",
                FieldKind.MULTILINE,
                True,
                value=_value(values or {}, UPDATE_TEXT),
                hint="New details, answers to our questions, what changed.",
                max_length=MAX_TEXT_CHARS,
            ),
        ),
        "Add update",
        case_number=case_number,
        errors=dict(errors or {}),
    )


def incident_form(
    values: Mapping[str, str | bool] | None = None, errors: Mapping[str, str] | None = None
) -> Form:
    """INC-1: the four questions about a suspected incident."""
    v = values or {}
    return Form(
        FormKind.REPORT_INCIDENT,
        "Report an incident",
        (
            FormField(
                "summary",
                "What is happening?",
                FieldKind.TEXT,
                True,
                value=_value(v, "summary"),
                max_length=1000,
            ),
            FormField(
                "affected",
                "How is service affected?",
                FieldKind.MULTILINE,
                True,
                value=_value(v, "affected"),
                max_length=MAX_IMPACT_CHARS,
            ),
            FormField(
                "services",
                "Which services?",
                FieldKind.TEXT,
                True,
                value=_value(v, "services"),
                max_length=MAX_IMPACT_CHARS,
            ),
            FormField(
                "noticed",
                "When was it first noticed?",
                FieldKind.TEXT,
                True,
                value=_value(v, "noticed"),
                max_length=200,
            ),
            FormField(
                "all-users",
                "Are all users affected?",
                FieldKind.CHOICE,
                True,
                (Choice("yes", "Yes, all users"), Choice("no", "No, some users")),
                _value(v, "all-users"),
            ),
        ),
        "Report incident",
        guidance="Incidents are declared by phone: we show the number next.",
        errors=dict(errors or {}),
    )
