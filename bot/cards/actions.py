"""Button and form ids: the contract between the card renderers and the platform adapters."""

from __future__ import annotations

from bot.messages import CaseAction, FormKind

CASE_UPDATE = "case:update"
CASE_CLOSE = "case:close"
CASE_ESCALATE = "case:escalate"
CASE_REOPEN = "case:reopen"
CASE_TAKE = "case:take"
CASE_SURVEY = "case:survey"
CASE_SHOW = "case:show"
CASE_OPEN = "case:open"  # App Home "Open a case": no case number

_CASE_ACTION_IDS = {
    CaseAction.UPDATE: CASE_UPDATE,
    CaseAction.CLOSE: CASE_CLOSE,
    CaseAction.ESCALATE: CASE_ESCALATE,
    CaseAction.REOPEN: CASE_REOPEN,
    CaseAction.TAKE: CASE_TAKE,
    CaseAction.SURVEY: CASE_SURVEY,
    CaseAction.SHOW: CASE_SHOW,
}

CASE_ACTION_LABELS = {
    CaseAction.UPDATE: "Update",
    CaseAction.CLOSE: "Close",
    CaseAction.ESCALATE: "Escalate",
    CaseAction.REOPEN: "Reopen",
    CaseAction.TAKE: "Take",
    CaseAction.SURVEY: "Rate",
    CaseAction.SHOW: "Show",
}

FORM_PREFIX = "form:"


def case_action_id(action: CaseAction) -> str:
    """The Slack action_id / Teams verb of a case button, e.g. "case:update"."""
    return _CASE_ACTION_IDS[action]


def form_action_id(kind: FormKind) -> str:
    """The Teams submit verb (and Slack "fill in" button id) of a form, e.g. "form:open"."""
    return f"{FORM_PREFIX}{kind.value}"


def parse_action_id(action_id: str) -> CaseAction | FormKind | None:
    """Map an id coming back from a platform to what it means; None for "case:open" or unknown."""
    for action, known in _CASE_ACTION_IDS.items():
        if known == action_id:
            return action
    if action_id.startswith(FORM_PREFIX):
        try:
            return FormKind(action_id.removeprefix(FORM_PREFIX))
        except ValueError:
            return None
    return None
