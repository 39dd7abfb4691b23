"""Case statuses and their changes: valid pairs (CASE-6), customer updates (CASE-7), closing and
the survey window (CASE-8).

Staff `set-status` may move a case to any valid pair, including out of Closed (that is how a
case closed with No Response is reopened after the customer phones, REO-3), except into
Closed / No Response: that sub-status means "closed by the follow-up job" (FUP-1) and is what
REO-3 keys on, so only the job may set it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.model import Case, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision

# CASE-6: each status with its sub-statuses, in the order users see them.
SUB_STATUSES: dict[Status, tuple[SubStatus, ...]] = {
    Status.OPEN: (
        SubStatus.NEW,
        SubStatus.INVESTIGATION,
        SubStatus.CUSTOMER_RESPONDED,
        SubStatus.ENGINEERING_REQUEST,
        SubStatus.MAINTENANCE_REVIEW,
        SubStatus.THIRD_PARTY_PENDING,
        SubStatus.REOPEN_REQUESTED,
    ),
    Status.AWAITING_INFORMATION: (SubStatus.INFORMATION_REQUIRED,),
    Status.SOLUTION_PROPOSED: (SubStatus.REPLIED, SubStatus.FIXED_SOFTWARE_PROVIDED),
    Status.CLOSED: (
        SubStatus.RESOLVED,
        SubStatus.CANCELLED,
        SubStatus.NO_RESPONSE,
        SubStatus.DUPLICATE,
        SubStatus.WORKING_AS_DESIGNED,
        SubStatus.PROBLEM_EXTERNAL,
        SubStatus.REFERRED,
        SubStatus.FEATURE_REQUEST,
    ),
}
WAITING_STATUSES = frozenset({Status.AWAITING_INFORMATION, Status.SOLUTION_PROPOSED})
# CASE-8: what a customer may choose when closing.
CUSTOMER_CLOSE_CHOICES: dict[str, SubStatus] = {
    "resolved": SubStatus.RESOLVED,
    "cancelled": SubStatus.CANCELLED,
    "canceled": SubStatus.CANCELLED,
}
_RESERVED = {(Status.CLOSED, SubStatus.NO_RESPONSE): "FUP-1"}


class StatusError(ValueError):
    """A status text that names no CASE-6 status or sub-status."""


def _key(text: str) -> str:
    # "Fixed - Software Provided", "fixed_software_provided" and "FIXED SOFTWARE PROVIDED" match.
    return re.sub(r"[^a-z0-9]", "", text.casefold())


_STATUS_BY_KEY = {_key(s.value): s for s in Status}
_SUB_BY_KEY = {_key(s.value): s for s in SubStatus}
_SUB_ALIASES = {"informationrequired": SubStatus.INFORMATION_REQUIRED}


def is_valid(status: Status, sub_status: SubStatus) -> bool:
    """CASE-6: does `sub_status` belong to `status`?"""
    return sub_status in SUB_STATUSES[status]


def status_of(sub_status: SubStatus) -> Status:
    """CASE-6: the one status a sub-status belongs to."""
    return next(s for s, subs in SUB_STATUSES.items() if sub_status in subs)


def _usage() -> str:
    return "; ".join(
        f"{status.value}/{{{', '.join(sub.value for sub in subs)}}}"
        for status, subs in SUB_STATUSES.items()
    )


def parse_status(text: str) -> tuple[Status, SubStatus | None]:
    """Parse "Open/Investigation", "awaiting information" or a bare sub-status, any case."""
    head, _, tail = text.partition("/")
    status = _STATUS_BY_KEY.get(_key(head))
    if status is None:
        sub = _SUB_BY_KEY.get(_key(head)) or _SUB_ALIASES.get(_key(head))
        if sub is None or tail:
            raise StatusError(f"unknown status {head.strip()!r}; valid: {_usage()}")
        return status_of(sub), sub
    if not tail.strip():
        return status, None
    sub = _SUB_BY_KEY.get(_key(tail)) or _SUB_ALIASES.get(_key(tail))
    if sub is None or not is_valid(status, sub):
        choices = ", ".join(s.value for s in SUB_STATUSES[status])
        raise StatusError(
            f"{tail.strip()!r} is not a sub-status of {status.value}; choose one of: {choices}"
        )
    return status, sub


def default_sub_status(status: Status) -> SubStatus | None:
    """The sub-status to use when only the status was given: the only one there is, else None."""
    subs = SUB_STATUSES[status]
    return subs[0] if len(subs) == 1 else None


def check_set_status(case: Case, status: Status, sub_status: SubStatus | None) -> Decision:
    """CASE-6: may staff move `case` to this pair with `set-status`?"""
    sub = sub_status or default_sub_status(status)
    if sub is None:
        choices = ", ".join(s.value for s in SUB_STATUSES[status])
        return Decision.refuse(
            "CASE-6",
            f"{status.value} needs a sub-status: {choices}.",
            f"`set-status {case.ref} {status.value}/<sub-status> <note>`",
        )
    if not is_valid(status, sub):
        return Decision.refuse(
            "CASE-6",
            f"{sub.value} is not a sub-status of {status.value}.",
            f"Use {status_of(sub).value}/{sub.value}.",
        )
    if (case.status, case.sub_status) == (status, sub):
        return Decision.refuse(
            "CASE-6", f"Case {case.ref} is already {status.value} / {sub.value}."
        )
    reserved = _RESERVED.get((status, sub))
    if reserved is not None:
        return Decision.refuse(
            reserved,
            f"{status.value} / {sub.value} is set only by the automatic follow-up.",
            f"Close with another sub-status, e.g. `set-status {case.ref} Closed/Resolved <note>`.",
        )
    return Decision.allow("CASE-6")


def check_customer_close(case: Case, choice: str) -> Decision:
    """CASE-8: a designated contact closes with `resolved` or `cancelled`."""
    if case.status is Status.CLOSED:
        return Decision.refuse(
            "CASE-8",
            f"Case {case.ref} is already closed ({case.sub_status.value}).",
            f"To work on it again: `reopen {case.ref} <reason>`.",
        )
    if choice.strip().casefold() not in CUSTOMER_CLOSE_CHOICES:
        return Decision.refuse(
            "CASE-8",
            f"A case can be closed as resolved or cancelled, not {choice.strip()!r}.",
            f"`close {case.ref} resolved <comment>` or `close {case.ref} cancelled <comment>`",
        )
    return Decision.allow("CASE-8")


def close_sub_status(choice: str) -> SubStatus:
    """CASE-8: the sub-status for a customer's close choice (check it first)."""
    try:
        return CUSTOMER_CLOSE_CHOICES[choice.strip().casefold()]
    except KeyError:
        raise StatusError(f"not a close choice: {choice!r}; use resolved or cancelled") from None


def after_customer_update(case: Case) -> tuple[Status, SubStatus] | None:
    """CASE-7: where a customer's update moves the case; None when it stays where it is."""
    if case.status in WAITING_STATUSES:
        return Status.OPEN, SubStatus.CUSTOMER_RESPONDED
    return None


def survey_open(closed_at: datetime | None, now: datetime, config: PolicyConfig) -> Decision:
    """CASE-8: a survey can be answered up to `survey_window_days` after closing, inclusive."""
    if closed_at is None:
        return Decision.refuse(
            "CASE-8",
            "The survey opens when the case is closed.",
            "Close the case first, then rate it with `survey CASE 1-5 [comment]`.",
        )
    window = timedelta(days=config.survey_window_days)
    # In UTC: two datetimes sharing a zone would subtract as wall-clock times across DST.
    if now.astimezone(UTC) - closed_at.astimezone(UTC) > window:
        return Decision.refuse(
            "CASE-8",
            f"The survey for this case closed {config.survey_window_days} days after the case "
            "was closed.",
            "Share feedback with your account manager instead.",
        )
    return Decision.allow("CASE-8")
