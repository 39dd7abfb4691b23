"""P9 (#18): CPU per `sla.clocks` call on realistic histories, the cost the first `queue` pays
per candidate and the scheduler's SLA sweep per due case.

Six kinds of case, each timed over `--calls` calls (best of `--repeat` rounds, so a neighbour's
burst of CPU does not count): a two-day-old High case on an on-premises Business Care account in
NA, the same answered by staff, a Critical Production Down one (24x7 restoration), a cloud case,
a case paused twice (awaiting information, solution proposed) and one closed and reopened.
Printed: microseconds per call of each kind. To compare two trees, run it with each tree first
on PYTHONPATH, alternating (the tree in use is printed).
Run: `python bench/p9_sla_clocks.py [--calls 2000] [--repeat 5] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from datetime import UTC, date, datetime, timedelta

import bot
from bot.model import (
    Account,
    CareLevel,
    Case,
    CaseEvent,
    Deployment,
    EventKind,
    Priority,
    Stage,
    Status,
    SubStatus,
)
from bot.policy import sla
from bot.policy.config import PolicyConfig

H = timedelta(hours=1)
NOW = datetime(2026, 3, 4, 15, 20, tzinfo=UTC)  # Wednesday 10:20 in New York
OPENED = NOW - 48 * H  # two days old, as in P9


def _account(deployment: Deployment, care: CareLevel = CareLevel.BUSINESS) -> Account:
    return Account(
        "acme", "Acme", "Acme", False, deployment, care, "NA", date(2026, 1, 1),
        date(2027, 12, 31),
    )  # fmt: skip


def _ev(kind: EventKind, at: datetime, **fields: object) -> CaseEvent:
    return CaseEvent(kind, at, "someone@acme.example", **fields)  # type: ignore[arg-type]


def _case(priority: Priority, *events: CaseEvent) -> Case:
    return Case(
        number=1001, account_id="acme", summary="s", description="d", priority=priority,
        case_type="Problem", case_subtype="Other", stage=Stage.PRODUCTION, status=Status.OPEN,
        sub_status=SubStatus.NEW, opened_by="alice@acme.example", opened_at=OPENED,
        updated_at=OPENED, events=events,
    )  # fmt: skip


def _opened(priority: Priority, down: bool = False) -> CaseEvent:
    return _ev(
        EventKind.OPENED, OPENED, status=Status.OPEN, priority=priority, production_down=down
    )


def kinds() -> dict[str, tuple[Case, Account]]:
    """The histories timed, by name."""
    on_prem, cloud = _account(Deployment.ON_PREMISES), _account(Deployment.CLOUD)
    status = EventKind.STATUS_CHANGE
    return {
        "high on-prem NA": (_case(Priority.HIGH, _opened(Priority.HIGH)), on_prem),
        "high answered": (
            _case(
                Priority.HIGH,
                _opened(Priority.HIGH),
                _ev(EventKind.STAFF_RESPONSE, OPENED + H),
                _ev(EventKind.WORK_NOTE, OPENED + 2 * H),
            ),
            on_prem,
        ),
        "production down": (
            _case(
                Priority.CRITICAL,
                _opened(Priority.CRITICAL, down=True),
                _ev(EventKind.STAFF_RESPONSE, OPENED + H / 2),
            ),
            on_prem,
        ),
        "cloud high": (_case(Priority.HIGH, _opened(Priority.HIGH)), cloud),
        "paused twice": (
            _case(
                Priority.MEDIUM,
                _opened(Priority.MEDIUM),
                _ev(EventKind.STAFF_RESPONSE, OPENED + H),
                _ev(status, OPENED + 2 * H, status=Status.AWAITING_INFORMATION),
                _ev(status, OPENED + 20 * H, status=Status.OPEN),
                _ev(status, OPENED + 26 * H, status=Status.SOLUTION_PROPOSED),
                _ev(status, OPENED + 40 * H, status=Status.OPEN),
            ),
            on_prem,
        ),
        "reopened": (
            _case(
                Priority.HIGH,
                _opened(Priority.HIGH),
                _ev(EventKind.STAFF_RESPONSE, OPENED + H),
                _ev(EventKind.CLOSED, OPENED + 5 * H, status=Status.CLOSED),
                _ev(EventKind.REOPENED, OPENED + 30 * H, status=Status.OPEN),
            ),
            on_prem,
        ),
    }


def per_call_us(
    case: Case, account: Account, config: PolicyConfig, calls: int, repeat: int
) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(calls):
            sla.clocks(case, account, config, NOW)
        best = min(best, time.process_time() - start)
    return best / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the mix instead")
    args = parser.parse_args()
    config = PolicyConfig()
    cases = kinds()
    for case, account in cases.values():
        sla.clocks(case, account, config, NOW)  # build the calendar's year before timing
    print(f"tree: {bot.__file__.rsplit('/bot/', 1)[0]}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.calls):
            for case, account in cases.values():
                sla.clocks(case, account, config, NOW)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    total = 0.0
    for name, (case, account) in cases.items():
        us = per_call_us(case, account, config, args.calls, args.repeat)
        total += us
        print(f"{name:>16}: {us:7.1f} us/call")
    print(f"{'mean':>16}: {total / len(cases):7.1f} us/call")


if __name__ == "__main__":
    main()
