"""Case 0000001001 on account acme (NA region, America/New_York), with hostile user text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.messages import (
    CaseAction,
    CaseLine,
    CaseView,
    SlaTimer,
    TimerState,
)
from bot.model import (
    Account,
    CareLevel,
    Case,
    CaseEvent,
    Deployment,
    EventKind,
    Platform,
    Priority,
    Stage,
    Status,
    SubStatus,
    Visibility,
)

ZONE = "America/New_York"
EVIL = "<!channel> see [x](http://evil) **now** <@U0900> <https://evil.example|bank>"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


ACME = Account(
    id="acme",
    sold_to="Acme Corp",
    end_user="Acme Corp",
    partner=False,
    deployment=Deployment.ON_PREMISES,
    care_level=CareLevel.BUSINESS,
    region="NA",
    contract_start=date(2026, 1, 1),
    contract_end=date(2027, 12, 31),
)

EVENTS = (
    CaseEvent(
        EventKind.CUSTOMER_UPDATE,
        utc(24, 15, 5),
        "alice@acme.example",
        Platform.SLACK,
        body=f"Still failing after the restart. {EVIL}",
    ),
    CaseEvent(
        EventKind.STATUS_CHANGE,
        utc(23, 16, 0),
        "ana@vendor.example",
        Platform.TEAMS,
        body="Looking at the logs now.",
        status=Status.OPEN,
        sub_status=SubStatus.INVESTIGATION,
    ),
    CaseEvent(
        EventKind.OPENED,
        utc(23, 14, 30),
        "alice@acme.example",
        Platform.SLACK,
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=Priority.HIGH,
    ),
)

CASE = Case(
    number=1001,
    account_id="acme",
    summary="Agents can't log in to the CRM connector <!here>",
    description=(
        "Since 09:00 all agents on floor 2 get 'session expired' when logging in.\n"
        "- tried: restart\n1. cleared cache\n# not a heading\n" + EVIL
    ),
    priority=Priority.HIGH,
    case_type="Support",
    case_subtype="Problem",
    stage=Stage.PRODUCTION,
    status=Status.OPEN,
    sub_status=SubStatus.INVESTIGATION,
    opened_by="alice@acme.example",
    opened_at=utc(23, 14, 30),
    updated_at=utc(24, 15, 5),
    impact="40 agents cannot take calls",
    agents=40,
    external_ref="ACME-4411",
    component="CRM connector",
    owner="ana@vendor.example",
    events=EVENTS,
)

TIMERS = (
    SlaTimer("response", "4 business hours", TimerState.MET, utc(23, 18, 30)),
    SlaTimer("resolution", "2 business days", TimerState.RUNNING, utc(25, 19, 0)),
)

CASE_VIEW = CaseView(
    case=CASE,
    account=ACME,
    timers=TIMERS,
    updates=EVENTS,
    actions=(CaseAction.UPDATE, CaseAction.CLOSE, CaseAction.ESCALATE),
)

STAFF_VIEW = CaseView(
    case=CASE,
    account=ACME,
    timers=(
        SlaTimer("response", "4 business hours", TimerState.BREACHED, utc(23, 18, 30)),
        SlaTimer("resolution", "2 business days", TimerState.PAUSED, None, paused_minutes=135),
    ),
    updates=(
        CaseEvent(
            EventKind.WORK_NOTE,
            utc(24, 16, 0),
            "ana@vendor.example",
            visibility=Visibility.INTERNAL,
            body="Customer on old connector build; check with engineering.",
        ),
        *EVENTS,
    ),
    actions=(CaseAction.TAKE,),
)

LINES = (
    CaseLine(
        1001,
        "acme",
        CASE.summary,
        Priority.HIGH,
        Status.OPEN,
        SubStatus.INVESTIGATION,
        utc(24, 15, 5),
        utc(25, 19, 0),
    ),
    CaseLine(
        1002,
        "acme",
        "Report export is slow",
        Priority.MEDIUM,
        Status.AWAITING_INFORMATION,
        SubStatus.INFORMATION_REQUIRED,
        utc(20, 14, 0),
    ),
    CaseLine(
        1003,
        "acme",
        "Password reset for j.doe",
        Priority.LOW,
        Status.SOLUTION_PROPOSED,
        SubStatus.REPLIED,
        utc(19, 13, 0),
        utc(30, 14, 0),
    ),
)
