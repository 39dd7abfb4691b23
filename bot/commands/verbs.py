"""Every chat verb of PRODUCT.md: its usage line, one-line help, options and the policy action.

This table is the grammar; `router.py` maps each verb to its handler and `help` prints it,
filtered to what the asker may do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.commands.parser import OptionKind
from bot.policy.access import Action

V, F = OptionKind.VALUE, OptionKind.FLAG


@dataclass(frozen=True, slots=True)
class Verb:
    name: str
    action: Action
    usage: str
    summary: str
    options: Mapping[str, OptionKind] = field(default_factory=dict)


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb("help", Action.HELP, "help [VERB]", "what you can do here, or how to use one verb"),
        Verb("whoami", Action.WHOAMI, "whoami", "how you are known: accounts and access levels"),
        Verb(
            "notices",
            Action.NOTICES,
            "notices [--account ID]",
            "maintenance notices and advisories for your accounts (last 30 days)",
            {"account": V},
        ),
        Verb(
            "open",
            Action.OPEN,
            "open PRIORITY SUMMARY [--account ID] [--type TYPE/SUBTYPE] [--stage production|uat] "
            "[--impact TEXT] [--agents N] [--ref TEXT] [--component TEXT] [--security] "
            "[--description TEXT]",
            "open a case (just `open` shows the form)",
            {
                "account": V,
                "type": V,
                "stage": V,
                "impact": V,
                "agents": V,
                "ref": V,
                "component": V,
                "security": F,
                "description": V,
            },
        ),
        Verb(
            "list",
            Action.LIST,
            "list [--account ID] [--closed] [--all] [--page N]",
            "your cases; --all: every case of the account; --closed: closed ones",
            {"account": V, "closed": F, "all": F, "page": V},
        ),
        Verb("show", Action.SHOW, "show CASE", "a case with its recent updates"),
        Verb(
            "sla", Action.SLA, "sla CASE", "response and resolution targets, due times, paused time"
        ),
        Verb("update", Action.UPDATE, "update CASE TEXT", "add an update to a case"),
        Verb(
            "close",
            Action.CLOSE,
            "close CASE resolved|cancelled COMMENT",
            "close a case (a short survey follows)",
        ),
        Verb(
            "reopen",
            Action.REOPEN,
            "reopen CASE REASON",
            "reopen a case closed in the last 30 days",
        ),
        Verb(
            "escalate",
            Action.ESCALATE,
            "escalate CASE REASON [--impact TEXT] [--rca]",
            "ask for management attention on a case",
            {"impact": V, "rca": F},
        ),
        Verb(
            "priority",
            Action.PRIORITY,
            "priority CASE PRIORITY REASON",
            "ask for a priority change",
        ),
        Verb(
            "report-incident",
            Action.REPORT_INCIDENT,
            "report-incident [SUMMARY] [--account ID] [--affected TEXT] [--services TEXT] "
            "[--noticed TEXT] [--all-users yes|no]",
            "report a suspected incident (then phone us)",
            {"account": V, "affected": V, "services": V, "noticed": V, "all-users": V},
        ),
        Verb(
            "survey",
            Action.SURVEY,
            "survey CASE RATING [COMMENT]",
            "rate how a closed case went (1-5), or just `survey CASE` for the form",
        ),
        Verb(
            "queue",
            Action.QUEUE,
            "queue [--page N]",
            "cases near or past a target, escalations waiting",
            {"page": V},
        ),
        Verb("take", Action.TAKE, "take CASE", "make yourself the case owner"),
        Verb(
            "respond",
            Action.RESPOND,
            "respond CASE TEXT",
            "reply to the customer (stops the response clock)",
        ),
        Verb(
            "request-info",
            Action.REQUEST_INFO,
            "request-info CASE TEXT",
            "ask the customer for information (Awaiting Information; follow-ups start)",
        ),
        Verb(
            "propose",
            Action.PROPOSE,
            "propose CASE TEXT",
            "propose a solution (Solution Proposed; follow-ups start)",
        ),
        Verb(
            "set-priority",
            Action.SET_PRIORITY,
            "set-priority CASE PRIORITY REASON [--production-down]",
            "change a case's priority",
            {"production-down": F},
        ),
        Verb(
            "set-status",
            Action.SET_STATUS,
            "set-status CASE STATUS[/SUBSTATUS] NOTE",
            "change a case's status",
        ),
        Verb(
            "restore",
            Action.RESTORE,
            "restore CASE TEXT",
            "record that service is restored (stops a restoration target)",
        ),
        Verb(
            "escalation",
            Action.ESCALATION_DECIDE,
            "escalation accept|reject CASE TEXT",
            "accept or reject a waiting escalation",
        ),
        Verb(
            "incident",
            Action.INCIDENT_RUN,
            "incident declare SEVERITY SUMMARY --accounts A,B --bridge CHANNEL[,CHANNEL] "
            "[--services TEXT] [--case CASE] | incident status ID TEXT [--next TEXT] | "
            "incident restore ID [--agents N] [TEXT] | incident all-clear ID INSTRUCTIONS | "
            "incident rca ID TEXT",
            "declare and run an incident: status cards every 30 minutes, restoration, RCA",
            {"accounts": V, "bridge": V, "services": V, "case": V, "next": V, "agents": V},
        ),
        Verb(
            "notify",
            Action.NOTIFY,
            "notify maintenance|emergency|advisory --accounts A,B|all --start ISO --end ISO "
            "[--impact TEXT] TEXT",
            "announce maintenance or an advisory to accounts, in each account's time zone",
            {"accounts": V, "start": V, "end": V, "impact": V},
        ),
    )
}


def lookup(name: str) -> Verb | None:
    return VERBS.get(name.lower())
