"""Plain values the store takes and returns besides the bot.model types, and its errors.

Re-exported by `bot.store.interface`; import them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from bot.conversation import ThreadRoute
from bot.model import Account, ChannelBinding, Contact, Platform, Staff

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


class StoreError(Exception):
    """Base of the store's own errors."""


class CaseNotFound(StoreError):
    """An update named a case number that does not exist."""

    def __init__(self, number: int) -> None:
        super().__init__(f"no case {number}")
        self.number = number


class IncidentNotFound(StoreError):
    """An update named an incident id that does not exist."""

    def __init__(self, incident_id: int) -> None:
        super().__init__(f"no incident {incident_id}")
        self.incident_id = incident_id


class EscalationWaiting(StoreError):
    """ESC-9: the case already has an escalation waiting for a decision."""

    def __init__(self, case_number: int) -> None:
        super().__init__(f"case {case_number} already has an escalation waiting")
        self.case_number = case_number


class ConnectionLost(StoreError):
    """The database connection died before anything was committed: running again is safe."""


class SchemaOutdated(StoreError):
    """The database schema is behind this release; run `supportbot db upgrade`."""


# ---------------------------------------------------------------------------------------------
# Plain values the repositories take and return (besides the bot.model types).


@dataclass(frozen=True, slots=True)
class Directory:
    """A parsed, validated directory file: what `DirectoryRepository.upsert` writes."""

    accounts: tuple[Account, ...] = ()
    contacts: tuple[Contact, ...] = ()
    staff: tuple[Staff, ...] = ()
    channels: tuple[ChannelBinding, ...] = ()


@dataclass(frozen=True, slots=True)
class UpsertSummary:
    """How many entries of each kind a directory load wrote (inserted or updated)."""

    accounts: int
    contacts: int
    grants: int
    staff: int
    channels: int


class CaseState(StrEnum):
    """Which cases a list returns."""

    OPEN = "open"  # every status but Closed
    CLOSED = "closed"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """Report figures for one account over [start, end) (NOT-2)."""

    opened: int
    closed: int
    open_at_end: int


@dataclass(frozen=True, slots=True)
class Timer:
    """A due time the scheduler acts on, found by index (P3); unique per (kind, subject)."""

    kind: str  # e.g. "sla_warning", "follow_up", "incident_post", "rca_reminder"
    subject: str  # e.g. the case number or incident id as text
    due_at: datetime
    payload: JsonObject


class EscalationState(StrEnum):
    """ESC-9: a request is open while waiting, and once accepted until its case closes."""

    WAITING = "waiting"  # no decision yet; at most one per case (a unique index)
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CLOSED = "closed"  # the case closed while the request was still waiting


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation request (ESC-1..ESC-10) and, once decided, the staff decision."""

    id: int
    case_number: int
    requested_by: str
    reason: str
    impact: str | None
    rca: bool
    requested_at: datetime
    state: EscalationState = EscalationState.WAITING
    decided_by: str | None = None
    decision_text: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel on a platform, e.g. an incident bridge."""

    platform: Platform
    channel_id: str


@dataclass(frozen=True, slots=True)
class IncidentStatus:
    """One status an incident commander posted (INC-3)."""

    text: str
    next_steps: str | None
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Incident:
    """A declared incident (INC-2..INC-6) with its status history, oldest first."""

    id: int
    severity: str
    summary: str
    account_ids: tuple[str, ...]
    services: str | None
    bridges: tuple[ChannelRef, ...]
    case_number: int | None
    commander: str
    declared_at: datetime
    restored_at: datetime | None = None
    restoration_text: str | None = None
    agents_affected: int | None = None  # INC-6
    all_clear_at: datetime | None = None
    all_clear_text: str | None = None
    rca_at: datetime | None = None
    rca_text: str | None = None
    statuses: tuple[IncidentStatus, ...] = ()

    @property
    def is_open(self) -> bool:
        """INC-4: the 30-minute posts run until the all-clear."""
        return self.all_clear_at is None


@dataclass(frozen=True, slots=True)
class ServiceNotice:
    """A maintenance notice or advisory (NOT-1); `reference` is unique and never reused."""

    reference: int
    kind: str  # "maintenance" | "emergency" | "advisory"
    account_ids: tuple[str, ...]  # empty means all accounts
    text: str
    posted_by: str
    posted_at: datetime
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    impact: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """CASE-8: a satisfaction rating (1-5) and comment."""

    case_number: int
    rating: int
    comment: str
    by: str
    at: datetime


class TargetKind(StrEnum):
    CHANNEL = "channel"  # post in a channel
    PRIVATE = "private"  # to one user (Slack DM/ephemeral, Teams 1:1)


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A post to deliver later (R3); a second add with the same `dedup_key` is a no-op (R4)."""

    dedup_key: str
    platform: Platform
    target: str  # channel id or user id
    target_kind: TargetKind
    payload: JsonObject
    available_at: datetime
    # How the platform reaches `target` beyond its id: opaque to all but its deliverer.
    route: Mapping[str, str] = field(default_factory=dict)
    thread: ThreadRoute | None = None  # CONV-1: a post about a case goes in its thread


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An outbox row as the delivery job sees it."""

    id: int
    dedup_key: str
    platform: Platform
    target: str
    target_kind: TargetKind
    payload: JsonObject
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    route: Mapping[str, str] = field(default_factory=dict)
    leased_until: datetime | None = None
    lease_owner: str | None = None
    last_error: str | None = None
    platform_message_id: str | None = None
    sent_at: datetime | None = None
    failing_since: datetime | None = None  # the first error that was not rate limiting
    thread: ThreadRoute | None = None  # CONV-1: post in this thread (its root, when known)


@dataclass(frozen=True, slots=True)
class ClaimedPost:
    """A leased post and its send slot: not before `slot`, the channel's shared rate budget.

    `batch_end` is the last slot handed out with it for its channel: no post of the batch may
    start later than that (plus the plan's guard), as another replica's slots follow it.
    """

    message: OutboxMessage
    slot: datetime
    batch_end: datetime


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """Delivery health for metrics: pending rows and the age of the oldest one.

    `waiting` counts pending rows for platforms this process does not deliver (not configured):
    they are kept until the platform is, and are not a delivery problem of this process.
    """

    pending: int
    dead: int
    oldest_pending_at: datetime | None
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """R7: who did what, where, on which case."""

    id: int
    actor: str
    platform: Platform | None
    action: str
    case_number: int | None
    detail: JsonObject
    at: datetime


@dataclass(frozen=True, slots=True)
class Capture:
    """CONV-4: an offer to open a case from a message in a bound account channel."""

    id: str  # opaque, random: comes back with the offer's button and form
    platform: Platform
    channel_id: str
    message_id: str
    account_id: str
    author: str  # the e-mail of the message's author, a designated contact: the case's opener
    offered_to: str  # the e-mail of the person offered: the author, or staff on their behalf
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    """CONV-5: a file attached to a case; its content is kept under `storage_key`."""

    case_number: int
    name: str
    content_type: str
    size: int
    uploaded_by: str  # e-mail
    platform: Platform
    file_id: str  # the platform's file id: one attachment per file and case
    storage_key: str
    uploaded_at: datetime
    id: int | None = None
    purged_at: datetime | None = None  # CONV-5: content removed 30 days after the case closed
