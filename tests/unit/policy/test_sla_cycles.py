"""SLA-4 / SLA-5 / SLA-5b: clock cycles and the keys notices are remembered by."""

from __future__ import annotations

from datetime import timedelta

from bot.model import Case, EventKind
from bot.policy.sla import DueInstant
from bot.policy.sla_cycles import customer_breach_key, cycle_at, unsent, warning_key
from tests.builders import OPENED_AT, case, event

HOUR = timedelta(hours=1)
REOPENED = OPENED_AT + 30 * HOUR
REOPENED_AGAIN = OPENED_AT + 60 * HOUR


def reopened_twice() -> Case:
    return case(
        events=(
            event(EventKind.OPENED, OPENED_AT),
            event(EventKind.CLOSED, OPENED_AT + 10 * HOUR),
            event(EventKind.REOPENED, REOPENED),
            event(EventKind.CLOSED, OPENED_AT + 40 * HOUR),
            event(EventKind.REOPENED, REOPENED_AGAIN),
        )
    )


def test_sla_4_each_reopen_starts_a_new_clock_cycle() -> None:
    history = reopened_twice()
    assert cycle_at(history, OPENED_AT) == 0
    assert cycle_at(history, REOPENED - timedelta(seconds=1)) == 0
    assert cycle_at(history, REOPENED) == 1
    assert cycle_at(history, REOPENED_AGAIN + HOUR) == 2


def test_sla_5_keys_differ_per_cycle_and_stay_the_same_within_one() -> None:
    history = reopened_twice()
    first = DueInstant("response", 0.75, OPENED_AT + 3 * HOUR)
    second = DueInstant("response", 0.75, REOPENED + 3 * HOUR)
    third = DueInstant("response", 0.75, REOPENED_AGAIN + 3 * HOUR)
    assert warning_key(history, first) == "sla:1001:c0:response:0.75"
    assert warning_key(history, second) == "sla:1001:c1:response:0.75"
    assert warning_key(history, third) == "sla:1001:c2:response:0.75"
    later_in_cycle = DueInstant("response", 0.75, REOPENED + 5 * HOUR)
    assert warning_key(history, later_in_cycle) == warning_key(history, second)


def test_sla_5b_the_customer_breach_key_is_per_cycle_and_target() -> None:
    history = reopened_twice()
    breach = DueInstant("resolution", 1.0, REOPENED + HOUR)
    assert customer_breach_key(history, breach) == "sla5b:1001:c1:resolution"


def test_sla_5_a_remembered_threshold_is_not_armed_again() -> None:
    history = reopened_twice()
    old = DueInstant("response", 1.0, OPENED_AT + 4 * HOUR)
    new = DueInstant("response", 1.0, REOPENED_AGAIN + 4 * HOUR)
    assert unsent(history, [old, new], {"sla:1001:c0:response:1.0"}) == [new]
