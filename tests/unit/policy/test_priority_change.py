"""PRI-1: customer priority-change requests and staff `set-priority`."""

from __future__ import annotations

import pytest

from bot.model import Deployment, Priority, Stage, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.priority_change import check_priority_request, check_set_priority
from tests.builders import account, case

CONFIG = PolicyConfig()


def test_pri_1_low_to_medium_may_be_requested_from_chat() -> None:
    decision = check_priority_request(
        case(priority=Priority.LOW), account(), Priority.MEDIUM, CONFIG
    )
    assert (decision.allowed, decision.rule) == (True, "PRI-1")
    assert "Low to Medium" in decision.reason


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (Priority.LOW, Priority.HIGH),
        (Priority.MEDIUM, Priority.HIGH),
        (Priority.HIGH, Priority.CRITICAL),
        (Priority.LOW, Priority.CRITICAL),
    ],
)
def test_pri_1_raise_to_high_or_critical_needs_a_phone_call(
    current: Priority, new: Priority
) -> None:
    decision = check_priority_request(case(priority=current), account(region="JAPAN"), new, CONFIG)
    assert (decision.allowed, decision.rule) == (False, "PRI-1")
    assert "+81 3 5555 0100" in (decision.instead or "")


def test_pri_1_lowering_may_be_requested_as_a_note_for_staff() -> None:
    decision = check_priority_request(case(priority=Priority.HIGH), account(), Priority.LOW, CONFIG)
    assert decision.allowed


def test_pri_1_same_priority_is_refused_clearly() -> None:
    decision = check_priority_request(
        case(priority=Priority.MEDIUM), account(), Priority.MEDIUM, CONFIG
    )
    assert (decision.allowed, decision.rule) == (False, "PRI-1")
    assert "already Medium" in decision.reason


def test_pri_1_closed_case_must_be_reopened_first() -> None:
    closed = case(priority=Priority.LOW, status=Status.CLOSED, sub_status=SubStatus.RESOLVED)
    decision = check_priority_request(closed, account(), Priority.MEDIUM, CONFIG)
    assert not decision.allowed
    assert "reopen 0000001001" in (decision.instead or "")


def test_pri_1_staff_may_make_any_change() -> None:
    target = case(priority=Priority.LOW)
    for new in (Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL):
        assert check_set_priority(target, account(), new, production_down=False).allowed
    assert check_set_priority(target, account(), Priority.CRITICAL, production_down=True).allowed


def test_pri_1_production_down_only_with_critical() -> None:
    decision = check_set_priority(case(), account(), Priority.HIGH, production_down=True)
    assert (decision.allowed, decision.rule) == (False, "CASE-3")


def test_pri_1_staff_set_priority_to_the_current_value_is_refused() -> None:
    critical = case(priority=Priority.CRITICAL)
    assert not check_set_priority(critical, account(), Priority.CRITICAL, False).allowed
    assert check_set_priority(critical, account(), Priority.CRITICAL, True).allowed


def test_case_3_incident_severity_only_on_cloud_accounts() -> None:
    target = case(priority=Priority.CRITICAL)
    onprem = account(deployment=Deployment.ON_PREMISES)
    assert not check_set_priority(target, onprem, Priority.INCIDENT, False).allowed
    cloud = account(deployment=Deployment.CLOUD)
    assert check_set_priority(target, cloud, Priority.INCIDENT, False).allowed


@pytest.mark.parametrize("new", [Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM])
def test_case_3_a_uat_case_may_not_be_asked_to_become_critical(new: Priority) -> None:
    uat = case(priority=Priority.LOW, stage=Stage.UAT)
    decision = check_priority_request(uat, account(), new, CONFIG)
    if new is Priority.CRITICAL:
        assert (decision.allowed, decision.rule) == (False, "CASE-3")
        assert "production systems only" in decision.reason
        assert "UAT" in decision.reason
        assert "• High:" in (decision.instead or "")  # the one-line definitions
    else:
        assert decision.rule == "PRI-1"  # High by phone, Medium from chat, as in production


@pytest.mark.parametrize(
    ("new", "production_down"),
    [(Priority.CRITICAL, False), (Priority.CRITICAL, True)],
)
def test_case_3_staff_cannot_make_a_uat_case_critical_or_production_down(
    new: Priority, production_down: bool
) -> None:
    uat = case(priority=Priority.HIGH, stage=Stage.UAT)
    decision = check_set_priority(uat, account(), new, production_down)
    assert (decision.allowed, decision.rule) == (False, "CASE-3")
    what = "Production Down" if production_down else "Critical"
    assert decision.reason.startswith(f"{what} is for production systems only")
    assert check_set_priority(case(priority=Priority.HIGH), account(), new, production_down)


def test_case_3_staff_cannot_make_a_uat_cloud_case_an_incident() -> None:
    uat = case(priority=Priority.HIGH, stage=Stage.UAT)
    decision = check_set_priority(
        uat, account(deployment=Deployment.CLOUD), Priority.INCIDENT, False
    )
    assert (decision.allowed, decision.rule) == (False, "CASE-3")


def test_case_3_a_raise_refused_for_a_phone_call_shows_the_priority_definitions() -> None:
    decision = check_priority_request(case(priority=Priority.LOW), account(), Priority.HIGH, CONFIG)
    assert decision.rule == "PRI-1"
    for label in ("Critical", "High", "Medium", "Low"):
        assert f"• {label}: " in (decision.instead or "")
