"""Platform-neutral requests and replies: what adapters hand to handlers and what cards render.

A handler takes a `ChatRequest` and returns a `Reply`. A `Reply` says *what* to show (one body
part: a case card, a list, a form, a refusal, a notice, help, ...) and *where* (in the channel or
privately to the asker, ACC-9); the renderers in `bot.cards` decide how it looks on each platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.model import (
    AccessLevel,
    Account,
    Case,
    CaseEvent,
    ChannelBinding,
    Contact,
    Platform,
    Priority,
    Staff,
    StaffRole,
    Status,
    SubStatus,
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a contact, a staff member, or an unmapped chat user (ACC-7: no grants)."""

    platform: Platform
    user_id: str  # the platform's user id (Slack user, Teams AAD object id, console e-mail)
    contact: Contact | None = None
    staff: Staff | None = None

    @property
    def email(self) -> str | None:
        if self.staff is not None:
            return self.staff.email
        if self.contact is not None:
            return self.contact.email
        return None

    @property
    def name(self) -> str:
        if self.staff is not None:
            return self.staff.name
        if self.contact is not None:
            return self.contact.name
        return self.user_id

    @property
    def is_staff(self) -> bool:
        return self.staff is not None

    @property
    def is_mapped(self) -> bool:
        return self.staff is not None or self.contact is not None

    def has_role(self, role: StaffRole) -> bool:
        return self.staff is not None and role in self.staff.roles


# What a form toggle or a typed yes/no answer may say for "yes" (Teams toggles submit "true").
YES_WORDS = frozenset({"true", "yes", "on", "1"})


def is_yes(value: str | bool | None) -> bool:
    """A flag's value as set by the parser (True), a form toggle, or a typed yes word."""
    return value is True or (isinstance(value, str) and value.strip().lower() in YES_WORDS)


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed chat command: `verb`, positional words, `--name value` options, the raw text."""

    verb: str
    args: tuple[str, ...] = ()
    options: Mapping[str, str | bool] = field(default_factory=dict)
    raw: str = ""
    tails: tuple[str, ...] = ()  # tails[i]: free text from positional word i on, as typed

    @property
    def text(self) -> str:
        """The free text: positional words joined back with single spaces."""
        return " ".join(self.args)

    def arg(self, index: int) -> str | None:
        """Positional word `index`, if given."""
        return self.args[index] if index < len(self.args) else None

    def text_from(self, index: int) -> str:
        """The free text from positional word `index` on, keeping line breaks where it can."""
        if index >= len(self.args):
            return ""
        if index < len(self.tails):
            return self.tails[index]
        return " ".join(self.args[index:])

    @classmethod
    def unparsed(cls, raw: str) -> Command:
        """Text as typed; the router parses it (adapters use this for typed commands)."""
        return cls(verb="", raw=raw)

    @property
    def is_parsed(self) -> bool:
        return bool(self.verb)


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One thing a person asked the bot, wherever they asked it."""

    platform: Platform
    workspace: str  # Slack team id, Teams tenant id, "console"
    channel_id: str  # where it was asked; a DM/1:1 id for direct messages
    actor: Actor
    command: Command
    now: datetime  # aware, UTC
    is_direct: bool = False  # a DM / 1:1 chat with the bot
    channel: ChannelBinding | None = None  # the directory's binding of channel_id, if any
    request_id: str | None = None  # the platform's id for de-duplication (R2)
    # Channels the platform resolved in the text: the reference as it reads there ("#bridge")
    # -> the channel's id. Adapters turn their own mention syntax into these.
    channel_refs: Mapping[str, str] = field(default_factory=dict)


class Audience(StrEnum):
    """ACC-9: where a reply goes."""

    CHANNEL = "channel"  # posted in the channel where the request was made
    PRIVATE = "private"  # Slack ephemeral; Teams 1:1 with the asker; console "(private)"


class Outcome(StrEnum):
    """For metrics and logs: what the handler did."""

    OK = "ok"
    REFUSED = "refused"
    INVALID = "invalid"  # a usage or validation error
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"  # a retried request already handled (R2): post nothing
    ERROR = "error"  # our fault; nothing was changed


# ---------------------------------------------------------------------------------------------
# Reply body parts. Each is a plain value the renderers turn into Block Kit, an Adaptive Card or
# text. User-typed text is carried as-is; escaping is the renderers' job (R6).


@dataclass(frozen=True, slots=True)
class Message:
    """Plain text, with an optional title (acknowledgements, usage lines, confirmations)."""

    text: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A policy refusal: the rule, why, and what to do instead."""

    rule: str  # e.g. "ESC-4"
    reason: str
    instead: str | None = None


class TimerState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"  # passed while running (or met late)
    STOPPED = "stopped"  # case closed before a due time mattered


@dataclass(frozen=True, slots=True)
class SlaTimer:
    """One SLA target of a case as shown to people (SLA-4)."""

    name: str  # "response" | "resolution" | "restoration"
    target: str  # e.g. "4 business hours", "60 min (24x7)"
    state: TimerState
    due_at: datetime | None  # UTC; None when paused with no due time
    paused_minutes: int = 0  # business minutes spent paused so far


class CaseAction(StrEnum):
    """Buttons a viewer may use on a case card (absent for read-only viewers)."""

    UPDATE = "update"
    CLOSE = "close"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    TAKE = "take"  # staff
    SURVEY = "survey"  # CASE-8: the opener rates a closed case
    SHOW = "show"  # a case list's per-case button


@dataclass(frozen=True, slots=True)
class AttachmentLine:
    """CONV-5: one attachment as support sees it on the case card (fetched by `id`)."""

    id: int
    name: str
    size: int  # bytes
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
    """The case card: fields, status, SLA timers, recent updates and the viewer's actions."""

    case: Case
    account: Account
    timers: tuple[SlaTimer, ...] = ()
    updates: tuple[CaseEvent, ...] = ()  # most recent first, only what the viewer may see
    actions: tuple[CaseAction, ...] = ()
    note: str | None = None  # e.g. the CASE-2 nudge or the CASE-4 phone instruction
    attachments: tuple[AttachmentLine, ...] = ()  # CONV-5: support's cards only


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One row of a case list."""

    number: int
    account_id: str
    summary: str
    priority: Priority
    status: Status
    sub_status: SubStatus
    updated_at: datetime
    next_due_at: datetime | None = None
    actions: tuple[CaseAction, ...] = ()  # the row's buttons (Show; Update for designated)


@dataclass(frozen=True, slots=True)
class CaseList:
    title: str
    cases: tuple[CaseLine, ...]
    total: int  # may exceed len(cases) when the list was cut
    empty_text: str = "No cases."


class FormKind(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    UPDATE = "update"
    REPORT_INCIDENT = "report_incident"
    SURVEY = "survey"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


class FieldKind(StrEnum):
    """How a form field is drawn and what it submits (every renderer knows each one)."""

    TEXT = "text"  # one line
    MULTILINE = "multiline"
    CHOICE = "choice"  # one of `choices`
    NUMBER = "number"  # digits, submitted as text
    TOGGLE = "toggle"  # yes/no, submitted as a bool (Slack) or "true"/"false" (Teams)


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form (Slack modal input block; Adaptive Card Input.*)."""

    name: str  # the key the submission comes back with
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[Choice, ...] = ()
    value: str | None = None  # pre-filled
    hint: str | None = None
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A form to fill in, possibly re-shown with inline validation errors."""

    kind: FormKind
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    case_number: int | None = None
    guidance: str | None = None  # e.g. CASE-9 "one issue per case"
    errors: Mapping[str, str] = field(default_factory=dict)  # field name -> message


@dataclass(frozen=True, slots=True)
class HelpEntry:
    verb: str
    usage: str
    summary: str


@dataclass(frozen=True, slots=True)
class Help:
    entries: tuple[HelpEntry, ...]
    intro: str | None = None


@dataclass(frozen=True, slots=True)
class GrantLine:
    account_id: str
    account_name: str
    level: AccessLevel  # the effective level today
    note: str | None = None  # why it is lower than granted (ACC-3, ACC-4)


@dataclass(frozen=True, slots=True)
class Identity:
    """`whoami`."""

    name: str
    email: str | None
    grants: tuple[GrantLine, ...] = ()
    roles: tuple[StaffRole, ...] = ()
    hint: str | None = None  # for unmapped users: how to get access


class NoticeKind(StrEnum):
    NEW_CASE = "new_case"
    CRITICAL_RAISE_EXPECTED = "critical_raise_expected"  # CASE-4 / ESC-7
    SLA_WARNING = "sla_warning"  # SLA-5
    SLA_BREACH = "sla_breach"  # SLA-5
    CUSTOMER_BREACH = "customer_breach"  # SLA-5b
    ESCALATION_REQUESTED = "escalation_requested"  # ESC-10
    ESCALATION_DECIDED = "escalation_decided"
    FOLLOW_UP = "follow_up"  # FUP-1
    AUTO_CLOSED = "auto_closed"  # FUP-1 final notice
    SURVEY = "survey"  # CASE-8
    CASE_UPDATED = "case_updated"
    INCIDENT_REPORTED = "incident_reported"  # INC-1
    INCIDENT_DECLARED = "incident_declared"  # INC-2
    INCIDENT_STATUS = "incident_status"  # INC-3
    INCIDENT_REMINDER = "incident_reminder"  # INC-3, private to the commander
    RESTORATION = "restoration"  # INC-4
    ALL_CLEAR = "all_clear"  # INC-4
    RCA = "rca"  # INC-5
    RCA_REMINDER = "rca_reminder"  # INC-5
    MAINTENANCE = "maintenance"  # NOT-1
    EMERGENCY_MAINTENANCE = "emergency_maintenance"  # NOT-1
    ADVISORY = "advisory"  # NOT-1
    MONTHLY_REPORT = "monthly_report"  # NOT-2


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled value on a notice (Slack section field; Adaptive Card FactSet)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification or announcement: queue alerts, SLA notices, incident cards, notices."""

    kind: NoticeKind
    title: str
    body: str = ""
    facts: tuple[Fact, ...] = ()
    case_number: int | None = None
    incident_id: int | None = None
    actions: tuple[CaseAction, ...] = ()  # e.g. TAKE on SLA notices for analysts
    times: tuple[tuple[str, datetime], ...] = ()  # labelled instants, shown in the viewer's zone


@dataclass(frozen=True, slots=True)
class Overview:
    """The asker's own overview, asked for without typing (Slack draws it as the App Home)."""

    cases: CaseList  # their open cases on the accounts they may read today
    can_open: bool = False  # designated on some account today (ACC-2): offer "Open a case"


Body = Message | Refusal | CaseView | CaseList | Form | Help | Identity | Notice | Overview


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers: one body part, where it goes, and how to show times."""

    body: Body
    audience: Audience = Audience.PRIVATE
    outcome: Outcome = Outcome.OK
    time_zone: str = "UTC"  # the viewer's account time zone (IANA name)
    show_utc: bool = False  # staff also see UTC
    follow_ups: tuple[Body, ...] = ()  # further messages to the asker in the same place

    @classmethod
    def refused(cls, rule: str, reason: str, instead: str | None = None) -> Reply:
        return cls(Refusal(rule, reason, instead), Audience.PRIVATE, Outcome.REFUSED)

    @classmethod
    def invalid(cls, text: str) -> Reply:
        return cls(Message(text), Audience.PRIVATE, Outcome.INVALID)

    @classmethod
    def private(cls, text: str, title: str | None = None) -> Reply:
        return cls(Message(text, title), Audience.PRIVATE)


def case_not_found(ref: str) -> Reply:
    """ACC-9: one answer for "absent" and "not yours", word for word."""
    return Reply(
        Message(
            f"No case {ref} was found that you can see. Check the number, or `list` your cases."
        ),
        Audience.PRIVATE,
        Outcome.NOT_FOUND,
    )
