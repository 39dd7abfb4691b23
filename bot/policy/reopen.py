"""Reopening closed cases (REO-1..REO-3).

"Closed less than 30 days ago" (002 section 4.11) is measured exactly as a time span in UTC:
`now - closed_at < reopen_window_days`, so a case closed at 10:00 can be reopened until 09:59:59
thirty days later and not at 10:00 (REO-2 from that instant on).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.model import Account, Case, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision
from bot.policy.rules import RuleId


def reason_words(reason: str) -> int:
    """REO-1: how many words the reason has."""
    return len(reason.split())


def check_reopen(
    case: Case, account: Account, reason: str, config: PolicyConfig, now: datetime
) -> Decision:
    """REO-1..REO-3: may a designated contact reopen `case` now with `reason`?"""
    ref = case.ref
    if case.status is not Status.CLOSED:
        return Decision.refuse(
            RuleId.REO_1,
            f"Case {ref} is not closed ({case.status.value}), so there is nothing to reopen.",
            f"Post an update instead: `update {ref} <text>`.",
        )
    if case.sub_status is SubStatus.NO_RESPONSE:
        phone = config.region(account.region).phone
        return Decision.refuse(
            RuleId.REO_3,
            f"Case {ref} was closed because there was no response to support's follow-ups; "
            "it can be reopened only by phone.",
            f"Phone support on {phone} and quote case {ref}.",
        )
    closed_at = case.closed_at if case.closed_at is not None else case.updated_at
    days = config.reopen_window_days
    # In UTC: two datetimes sharing a zone would subtract as wall-clock times across DST.
    if now.astimezone(UTC) - closed_at.astimezone(UTC) >= timedelta(days=days):
        return Decision.refuse(
            RuleId.REO_2,
            f"Case {ref} was closed {days} or more days ago and can't be reopened: a case can "
            f"be reopened for less than {days} days after closing.",
            f"Open a new case linked to {ref}: the open form is pre-filled from it.",
        )
    needed = config.reopen_reason_min_words
    if reason_words(reason) < needed:
        return Decision.refuse(
            RuleId.REO_1,
            f"Reopening needs a reason of at least {needed} words showing the issue is not "
            f"resolved; yours has {reason_words(reason)}.",
            f"`reopen {ref} <what still goes wrong, in at least {needed} words>`",
        )
    return Decision.allow(RuleId.REO_1)
