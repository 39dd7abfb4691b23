"""One realistic sample reply for every kind of card: case 0000001001 on account acme (NA)."""

from __future__ import annotations

from bot.messages import (
    Audience,
    CaseList,
    CaseView,
    GrantLine,
    Help,
    HelpEntry,
    Identity,
    Message,
    Refusal,
    Reply,
)
from bot.model import (
    AccessLevel,
    StaffRole,
)
from tests.unit.cards.sample_case import (
    ACME,
    CASE,
    CASE_VIEW,
    EVENTS,
    LINES,
    STAFF_VIEW,
    TIMERS,
    ZONE,
)
from tests.unit.cards.sample_forms import (
    CLOSE_FORM,
    ESCALATE_FORM,
    INCIDENT_FORM,
    OPEN_FORM,
    REOPEN_FORM,
)
from tests.unit.cards.sample_notices import NOTICES

__all__ = [
    "ACME",
    "CASE",
    "CASE_VIEW",
    "ESCALATE_FORM",
    "EVENTS",
    "LINES",
    "OPEN_FORM",
    "SAMPLES",
    "TIMERS",
    "ZONE",
]


HELP = Help(
    intro="Commands for Alice Able. Write a case as 0000001001, 1001 or #1001.",
    entries=(
        HelpEntry("help", "help [VERB]", "This help, or help on one command."),
        HelpEntry("whoami", "whoami", "Who you are, your accounts and your access."),
        HelpEntry(
            "open",
            "open PRIORITY SUMMARY [--account ID]",
            "Open a case (or just `open` for the form).",
        ),
        HelpEntry("list", "list [--account ID] [--closed] [--all]", "Your cases."),
        HelpEntry(
            "escalate", "escalate CASE REASON [--impact TEXT]", "Ask for management attention."
        ),
    ),
)


def _reply(body: object, **extra: object) -> Reply:
    return Reply(body, time_zone=ZONE, **extra)  # type: ignore[arg-type]


SAMPLES: dict[str, Reply] = {
    "message": _reply(Message("Update posted to case 0000001001.", "Done")),
    "case_card": _reply(CASE_VIEW, audience=Audience.CHANNEL),
    "case_card_read_only": _reply(CaseView(CASE, ACME, TIMERS, EVENTS[:1])),
    "case_card_staff": _reply(STAFF_VIEW, show_utc=True),
    "case_list": _reply(CaseList("Open cases on acme", LINES, total=7)),
    "case_list_empty": _reply(
        CaseList("Your open cases", (), total=0, empty_text="You have no open cases.")
    ),
    "open_form": _reply(OPEN_FORM),
    "close_form": _reply(CLOSE_FORM),
    "escalate_form": _reply(ESCALATE_FORM),
    "reopen_form": _reply(REOPEN_FORM),
    "report_incident_form": _reply(INCIDENT_FORM),
    "refusal": _reply(
        Refusal(
            "ESC-4",
            "Low-priority cases can't be escalated.",
            "Ask for a priority change: `/case priority 1001 medium <reason>`.",
        )
    ),
    "help": _reply(HELP),
    "whoami": _reply(
        Identity(
            "Alice Able",
            "alice@acme.example",
            (
                GrantLine("acme", "Acme Corp", AccessLevel.DESIGNATED),
                GrantLine(
                    "globex",
                    "Globex Inc",
                    AccessLevel.BASIC,
                    "the service contract is not active (ACC-3)",
                ),
            ),
        )
    ),
    "whoami_staff": _reply(
        Identity(
            "Ana Lyst",
            "ana@vendor.example",
            roles=(StaffRole.ANALYST, StaffRole.INCIDENT_COMMANDER),
        ),
        show_utc=True,
    ),
    "whoami_unmapped": _reply(
        Identity(
            "U0777", None, hint="Ask your company's designated contact to add you to the directory."
        )
    ),
    **{
        name: _reply(
            notice, show_utc=name.startswith(("notice_sla", "notice_new", "notice_critical"))
        )
        for name, notice in NOTICES.items()
    },
}
