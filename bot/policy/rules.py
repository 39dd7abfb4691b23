"""The handbook rule ids a `Decision` names (the rule book, docs/policy.md).

A rule id is shown to people ("Not allowed (ESC-4)"), written to the audit log, and, for a few
refusals, tells the caller what to do next (ESC-7: alert the queue; REO-2: offer a new case).
Those comparisons use these members, so a misspelt id fails type checking rather than silently
never matching. `RuleId` is a `StrEnum`: it is the same string wherever a plain id is expected.
"""

from __future__ import annotations

from enum import StrEnum


class RuleId(StrEnum):
    ACC_2 = "ACC-2"  # access levels
    ACC_3 = "ACC-3"  # an expired contract leaves basic access
    ACC_4 = "ACC-4"  # partner approval
    ACC_7 = "ACC-7"  # unmapped chat users
    ACC_8 = "ACC-8"  # staff roles
    CASE_3 = "CASE-3"
    CASE_6 = "CASE-6"
    CASE_8 = "CASE-8"
    ESC_2 = "ESC-2"
    ESC_3 = "ESC-3"
    ESC_4 = "ESC-4"
    ESC_5 = "ESC-5"
    ESC_6 = "ESC-6"
    ESC_7 = "ESC-7"  # refused, but the queue and the case owner are alerted
    ESC_8 = "ESC-8"  # an RCA request needs a linked, restored incident
    ESC_9 = "ESC-9"  # one escalation at a time
    ESC_10 = "ESC-10"
    FUP_1 = "FUP-1"
    INC_4 = "INC-4"
    INC_5 = "INC-5"
    NOT_1 = "NOT-1"
    PRI_1 = "PRI-1"
    REO_1 = "REO-1"  # a reason showing the issue is not resolved
    REO_2 = "REO-2"  # the 30-day reopen window
    REO_3 = "REO-3"
    SLA_4 = "SLA-4"
