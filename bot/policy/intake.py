"""Opening a case: the case types (CASE-1), the fields and their checks (CASE-2), CASE-4."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.messages import is_yes
from bot.model import Priority, Stage
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision

# CASE-1: type -> sub-types ("" when the type has none).
CASE_TYPES: dict[str, tuple[str, ...]] = {
    "Support": ("Problem", "Question"),
    "Service Request": (
        "Add/Remove Access",
        "Password Reset",
        "Change Request",
        "New Project Request",
    ),
    "Data Privacy Request": ("",),
    "Admin": ("Question", "Request", "Problem"),
}
DEFAULT_TYPE = ("Support", "Problem")
CHAT_PRIORITIES = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)

# CASE-3: one line each, from 004 "How to Create Cases" and 002 section 4.5. Choosing the right
# priority is the customer's job (003), so these are shown wherever a priority is chosen.
PRIORITY_DEFINITIONS: dict[Priority, str] = {
    Priority.CRITICAL: "a production system can't perform a critical business function and "
    "there is no workaround (production only; phone us)",
    Priority.HIGH: "you can work, but performance is degraded or limited, or a critical "
    "feature is unavailable",
    Priority.MEDIUM: "work is largely unaffected; non-critical functions are unusable or hard "
    "to use, and a workaround exists",
    Priority.LOW: "trivial impact, or a question about product capabilities or configuration",
    Priority.INCIDENT: "cloud only: agents and consumers can't communicate over voice or chat; "
    "needs immediate restoration (production only; phone us)",
}
# CASE-3: Critical and Production Down (and a cloud Incident) apply to production systems only.
PRODUCTION_ONLY = frozenset({Priority.CRITICAL, Priority.INCIDENT})

MAX_DESCRIPTION_CHARS = 30_000
MAX_IMPACT_CHARS = 2_000
MAX_SHORT_FIELD_CHARS = 200  # external reference, component
MAX_AGENTS = 1_000_000


@dataclass(frozen=True, slots=True)
class NewCase:
    """The validated fields of a case to open."""

    priority: Priority  # what the customer asked for; CASE-4 lowers Critical to High
    summary: str
    description: str
    case_type: str
    case_subtype: str
    stage: Stage
    impact: str | None
    agents: int | None
    external_ref: str | None
    component: str | None
    security_threat: bool

    @property
    def opened_priority(self) -> Priority:
        """CASE-4: a case cannot be opened as Critical from chat; it opens as High."""
        return Priority.HIGH if self.priority is Priority.CRITICAL else self.priority

    @property
    def critical_requested(self) -> bool:
        return self.priority is Priority.CRITICAL


def priority_guide(priorities: tuple[Priority, ...] = CHAT_PRIORITIES) -> str:
    """CASE-3: the one-line definition of each priority a user may choose, one per line."""
    return "Priorities (CASE-3):\n" + "\n".join(
        f"• {p.label}: {PRIORITY_DEFINITIONS[p]}." for p in priorities
    )


def check_stage(
    priority: Priority, stage: Stage, production_down: bool = False, case_ref: str | None = None
) -> Decision:
    """CASE-3: Critical, Production Down and Incident are for production systems only."""
    if stage is Stage.PRODUCTION or (priority not in PRODUCTION_ONLY and not production_down):
        return Decision.allow("CASE-3")
    what = "Production Down" if production_down else priority.label
    subject = f"case {case_ref} is" if case_ref else "this case is"
    return Decision.refuse(
        "CASE-3",
        f"{what} is for production systems only, and {subject} on a UAT (test) system.",
        "Choose High at most for a test, lab or UAT system.\n" + priority_guide(),
    )


def type_choices() -> list[str]:
    """Every `TYPE/SUBTYPE` value, as the `--type` option and the forms accept them."""
    return [f"{t}/{s}" if s else t for t, subs in CASE_TYPES.items() for s in subs]


def parse_type(text: str) -> tuple[str, str] | None:
    """`Support/Problem`, case-insensitive; a type with one sub-type may omit it."""
    wanted = text.strip().casefold()
    for choice in type_choices():
        kind, _, sub = choice.partition("/")
        alone = len(CASE_TYPES[kind]) == 1 and wanted == kind.casefold()
        if wanted == choice.casefold() or alone:
            return kind, sub
    return None


def parse_priority(text: str) -> Priority | None:
    wanted = text.strip().casefold()
    for p in CHAT_PRIORITIES:
        if wanted == p.value:
            return p
    return None


def validate(
    values: Mapping[str, str | bool | None], config: PolicyConfig
) -> tuple[NewCase | None, dict[str, str]]:
    """CASE-2: the new case, or the problem with each field (keyed by field name)."""
    errors: dict[str, str] = {}
    text = {k: v.strip() for k, v in values.items() if isinstance(v, str) and v.strip()}
    priority = parse_priority(text.get("priority", ""))
    if priority is None:
        errors["priority"] = "Choose a priority: critical, high, medium or low (CASE-3)."
    summary = text.get("summary", "")
    if not summary:
        errors["summary"] = "Write a one-line summary of the problem (CASE-2)."
    elif len(summary) > config.summary_max_chars:
        errors["summary"] = (
            f"The summary is {len(summary):,} characters; the limit is "
            f"{config.summary_max_chars:,} (CASE-2). Put the details in the description."
        )
    description = text.get("description") or summary
    if len(description) > MAX_DESCRIPTION_CHARS:
        errors["description"] = (
            f"The description is {len(description):,} characters; the limit is "
            f"{MAX_DESCRIPTION_CHARS:,}. Attach long logs to the case instead."
        )
    kind = parse_type(text.get("type", "/".join(DEFAULT_TYPE)))
    if kind is None:
        errors["type"] = f"Unknown case type; choose one of: {', '.join(type_choices())} (CASE-1)."
    stage_text = text.get("stage", Stage.PRODUCTION.value).casefold()
    stage = Stage(stage_text) if stage_text in {s.value for s in Stage} else None
    if stage is None:
        errors["stage"] = "The implementation stage is `production` or `uat` (CASE-2)."
    elif priority is not None:
        production = check_stage(priority, stage)
        if not production.allowed:
            errors["priority"] = f"{production.reason} Choose High at most (CASE-3)."
    impact = text.get("impact")
    if priority in (Priority.CRITICAL, Priority.HIGH) and not impact:
        errors["impact"] = (
            "High and Critical cases need the business impact: what can't your users do? (CASE-2)"
        )
    elif impact and len(impact) > MAX_IMPACT_CHARS:
        errors["impact"] = f"The business impact is limited to {MAX_IMPACT_CHARS:,} characters."
    agents = _agents(text.get("agents"), errors)
    for name in ("ref", "component"):
        if len(text.get(name, "")) > MAX_SHORT_FIELD_CHARS:
            errors[name] = f"This field is limited to {MAX_SHORT_FIELD_CHARS} characters."
    if errors or priority is None or kind is None or stage is None:
        return None, errors
    return NewCase(
        priority=priority,
        summary=summary,
        description=description,
        case_type=kind[0],
        case_subtype=kind[1],
        stage=stage,
        impact=impact,
        agents=agents,
        external_ref=text.get("ref"),
        component=text.get("component"),
        security_threat=is_yes(values.get("security")),
    ), {}


def _agents(raw: str | None, errors: dict[str, str]) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_AGENTS:
        errors["agents"] = (
            f"The number of agents affected is a whole number from 1 to {MAX_AGENTS:,}."
        )
        return None
    return int(raw)


def description_nudge(description: str, config: PolicyConfig) -> str | None:
    """CASE-2: a short description is accepted, with a nudge to add detail."""
    if len(description.split()) >= config.description_nudge_words:
        return None
    return (
        "Your description is short. Add details with `update` (what happened, when, error "
        "messages, what you already tried): it helps us solve it faster."
    )
