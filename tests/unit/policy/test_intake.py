"""Opening a case: CASE-1 types, CASE-2 fields and checks, CASE-4, CASE-9 guidance."""

from __future__ import annotations

import pytest

from bot.commands.forms import open_form
from bot.model import Priority, Stage
from bot.policy import intake
from bot.policy.config import PolicyConfig

CONFIG = PolicyConfig()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Support/Problem", ("Support", "Problem")),
        ("support/question", ("Support", "Question")),
        ("Service Request/Password Reset", ("Service Request", "Password Reset")),
        ("Service Request/Add/Remove Access", ("Service Request", "Add/Remove Access")),
        ("Data Privacy Request", ("Data Privacy Request", "")),
        ("Admin/Request", ("Admin", "Request")),
    ],
)
def test_case_1_every_type_and_sub_type_is_accepted(typed, expected):
    assert intake.parse_type(typed) == expected


@pytest.mark.parametrize("typed", ["Support", "Bug/Crash", "Admin/Password Reset", ""])
def test_case_1_unknown_or_incomplete_types_are_refused(typed):
    assert intake.parse_type(typed) is None


def test_case_1_the_type_choices_list_every_pair_of_the_policy():
    assert len(intake.type_choices()) == 2 + 4 + 1 + 3


def test_case_2_a_complete_case_is_accepted_with_defaults_for_type_and_stage():
    new, errors = intake.validate({"priority": "medium", "summary": "Export fails"}, CONFIG)
    assert errors == {}
    assert new is not None
    assert (new.case_type, new.case_subtype, new.stage) == ("Support", "Problem", Stage.PRODUCTION)
    assert new.description == "Export fails"  # the summary stands in when none is given


def test_case_2_every_problem_is_reported_at_once_by_field():
    _, errors = intake.validate(
        {"priority": "urgent", "summary": "", "stage": "dev", "agents": "-3", "type": "x"}, CONFIG
    )
    assert set(errors) == {"priority", "summary", "stage", "agents", "type"}


@pytest.mark.parametrize("priority", ["high", "critical"])
def test_case_2_high_and_above_need_the_business_impact(priority):
    _, errors = intake.validate({"priority": priority, "summary": "Down"}, CONFIG)
    assert "impact" in errors
    new, errors = intake.validate(
        {"priority": priority, "summary": "Down", "impact": "No calls"}, CONFIG
    )
    assert errors == {}
    assert new is not None


def test_case_2_summary_of_exactly_1000_characters_is_accepted_and_1001_refused():
    assert intake.validate({"priority": "low", "summary": "x" * 1000}, CONFIG)[1] == {}
    assert "summary" in intake.validate({"priority": "low", "summary": "x" * 1001}, CONFIG)[1]


def test_case_2_a_description_under_ten_words_gets_a_nudge():
    assert intake.description_nudge("nine words " * 4 + "here", CONFIG) is not None
    assert intake.description_nudge(" ".join(["word"] * 10), CONFIG) is None


def test_case_4_critical_from_chat_opens_as_high():
    new, _ = intake.validate({"priority": "critical", "summary": "Down", "impact": "All"}, CONFIG)
    assert new is not None
    assert new.critical_requested
    assert new.opened_priority is Priority.HIGH


def test_case_9_the_open_form_says_one_issue_per_case():
    form = open_form([])
    assert form.guidance is not None
    assert "One issue per case" in form.guidance


def test_case_3_critical_on_a_uat_system_is_refused_and_high_is_accepted() -> None:
    values = {"priority": "critical", "summary": "Routing down", "impact": "No calls"}
    new, errors = intake.validate(values | {"stage": "uat"}, CONFIG)
    assert new is None
    assert set(errors) == {"priority"}
    assert "production systems only" in errors["priority"] and "(CASE-3)" in errors["priority"]
    high, none = intake.validate(values | {"stage": "uat", "priority": "high"}, CONFIG)
    assert high is not None and not none and high.stage is Stage.UAT
    production, ok = intake.validate(values | {"stage": "production"}, CONFIG)
    assert production is not None and not ok and production.critical_requested


def test_case_3_the_open_form_shows_a_one_line_definition_for_each_priority() -> None:
    priority = next(f for f in open_form([]).fields if f.name == "priority")
    hint = priority.hint or ""
    for p in intake.CHAT_PRIORITIES:
        (line,) = [x for x in hint.splitlines() if x.startswith(f"• {p.label}: ")]
        assert line.endswith(".") and len(line) < 140
    assert "production only" in hint
