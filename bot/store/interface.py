"""The store as command handlers and jobs see it: a unit of work over role-named repositories.

Nothing here imports SQLAlchemy (import-linter keeps it so). `bot.store.sql` implements these
protocols; handlers, jobs and `bot.directory` depend only on this module, which also re-exports
the plain values of `bot.store.records`.

Usage: ``async with store.unit_of_work() as uow: ...; await uow.commit()``. Leaving the block
without `commit()` rolls back, so a change, its audit entry and its outbox rows are written
together or not at all (R3, R7).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol

from bot.conversation import ThreadKind, ThreadRoot
from bot.model import (
    Account,
    Case,
    CaseEvent,
    ChannelBinding,
    ChatIdentity,
    Contact,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.store.records import (
    Attachment,
    AuditEntry,
    Capture,
    CaseCounts,
    CaseNotFound,
    CaseState,
    ChannelRef,
    ClaimedPost,
    ConnectionLost,
    Directory,
    Escalation,
    EscalationState,
    EscalationWaiting,
    Incident,
    IncidentNotFound,
    IncidentStatus,
    JsonObject,
    JsonValue,
    OutboxBacklog,
    OutboxItem,
    OutboxMessage,
    OutboxState,
    SchemaOutdated,
    ServiceNotice,
    StoreError,
    SurveyAnswer,
    TargetKind,
    Timer,
    UpsertSummary,
)

__all__ = [
    "Attachment",
    "AttachmentRepository",
    "AttachmentStorage",
    "AuditEntry",
    "AuditRepository",
    "Capture",
    "CaptureRepository",
    "CaseCounts",
    "CaseNotFound",
    "CaseRepository",
    "CaseState",
    "ChannelRef",
    "ClaimedPost",
    "ConnectionLost",
    "ConversationRepository",
    "Directory",
    "DirectoryReader",
    "DirectoryRepository",
    "Escalation",
    "EscalationRepository",
    "EscalationState",
    "EscalationWaiting",
    "InboundRepository",
    "Incident",
    "IncidentNotFound",
    "IncidentRepository",
    "IncidentStatus",
    "JsonObject",
    "JsonValue",
    "NoticeRepository",
    "OutboxBacklog",
    "OutboxItem",
    "OutboxMessage",
    "OutboxRepository",
    "OutboxState",
    "PacingPlan",
    "SchemaOutdated",
    "SentNoticeRepository",
    "ServiceNotice",
    "Store",
    "StoreError",
    "SurveyAnswer",
    "SurveyRepository",
    "TargetKind",
    "ThreadKind",
    "ThreadRepository",
    "ThreadRoot",
    "Timer",
    "TimerRepository",
    "UnitOfWork",
    "UpsertSummary",
]


# ---------------------------------------------------------------------------------------------
# Repositories. Every method runs inside the unit of work that owns it.


class DirectoryReader(Protocol):
    """Accounts, contacts with their grants, staff and channel bindings (ACC-1..ACC-8), read."""

    async def account(self, account_id: str) -> Account | None: ...
    async def accounts(self) -> list[Account]: ...
    async def contact_by_email(self, email: str) -> Contact | None: ...
    async def contacts(self) -> list[Contact]: ...
    async def contacts_of(self, account_id: str) -> list[Contact]:
        """Contacts holding any grant on the account."""
        ...

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        """Contacts granted `designated` on the account (ACC-6; entitlement is policy's job)."""
        ...

    async def staff_by_email(self, email: str) -> Staff | None: ...
    async def person_by_chat(self, chat: ChatIdentity) -> Contact | Staff | None:
        """ACC-7: the one contact or staff member the directory lists with this chat identity."""
        ...

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]: ...
    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None: ...
    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        """Queue bindings whose region and priority filters match (an empty filter matches all)."""
        ...

    async def account_channels(self, account_id: str) -> list[ChannelBinding]: ...
    async def bridge_channels(self) -> list[ChannelBinding]: ...


class DirectoryRepository(DirectoryReader, Protocol):
    """The directory inside a unit of work: its reads see the unit's own uncommitted load."""

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Write a directory by natural keys; see `bot.store.sql.directory` for the semantics."""
        ...


class CaseRepository(Protocol):
    """Cases and their event history (CASE-1..CASE-8)."""

    async def next_number(self) -> int:
        """CASE-5: a fresh number, unique across the deployment and never reused (from 1001)."""
        ...

    async def add(self, case: Case) -> None:
        """Insert a case (its number from `next_number`) together with `case.events`."""
        ...

    async def get(self, number: int) -> Case | None:
        """The case with all its events, oldest first; to read, not to change (see R9 below)."""
        ...

    async def get_for_change(self, number: int) -> Case | None:
        """R9: the case as `get`, locked against other changes until the unit of work ends.

        A concurrent change of the same case waits for this one and then reads its result, so no
        update, alert or field is lost. `update` and `add_event` accept only cases read this way
        (or added) in the same unit of work.
        """
        ...

    async def get_many(self, numbers: Collection[int]) -> dict[int, Case]:
        """The cases among `numbers` that exist, by number, each with all its events (P3)."""
        ...

    async def get_many_for_change(self, numbers: Collection[int]) -> dict[int, Case]:
        """R9 for sweeps: as `get_many`, locked; cases being changed right now are left out."""
        ...

    async def update(self, case: Case) -> None:
        """Write the case's fields (not its events); raises CaseNotFound, StoreError if unlocked."""
        ...

    async def add_event(self, number: int, event: CaseEvent) -> int:
        """Append an event to a case read for change; its id, never reused (R9 notice keys)."""
        ...

    async def for_account(
        self, account_id: str, state: CaseState = CaseState.OPEN, limit: int | None = None
    ) -> list[Case]:
        """The account's cases, most recently updated first, without events."""
        ...

    async def opened_by(
        self,
        email: str,
        state: CaseState = CaseState.OPEN,
        limit: int | None = None,
        account_id: str | None = None,
    ) -> list[Case]:
        """Cases the contact opened (on one account if given), newest update first, no events."""
        ...

    async def count(
        self, account_id: str, state: CaseState = CaseState.OPEN, opened_by: str | None = None
    ) -> int:
        """How many of the account's cases (opened by `opened_by` if given) are in `state`."""
        ...

    async def page(
        self,
        account_id: str,
        state: CaseState = CaseState.OPEN,
        opened_by: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> tuple[list[Case], int]:
        """A page of the account's cases (opened by `opened_by` if given), newest update first,
        with their events, and the total: two statements whatever the number of cases."""
        ...

    async def with_due_timer(self, kind: str, until: datetime, limit: int) -> list[Case]:
        """Open cases whose `kind` timer (subject: the case number) is due by `until`, the
        earliest `limit` timers, with their events; reads without locking the timers."""
        ...

    async def open_for_accounts(self, account_ids: Sequence[str]) -> list[Case]:
        """Open cases of several accounts, most recently updated first, without events."""
        ...

    async def closed_between(self, account_id: str, start: datetime, end: datetime) -> list[Case]:
        """Cases closed in [start, end), with events (SLA-6 attainment)."""
        ...

    async def counts(self, account_id: str, start: datetime, end: datetime) -> CaseCounts: ...


class SentNoticeRepository(Protocol):
    """SLA-5: which notices of a case were sent (or made moot), kept as long as the case.

    Outbox rows are pruned by housekeeping; this memory is not, so a threshold passed long ago
    is never announced twice.
    """

    async def for_cases(self, numbers: Collection[int]) -> dict[int, set[str]]:
        """The remembered notice keys of each case among `numbers` that has any."""
        ...

    async def remember(self, keys: Mapping[str, int], at: datetime) -> set[str]:
        """Remember each key (of the case it maps to); the keys that were not remembered yet."""
        ...


class TimerRepository(Protocol):
    """Indexed due times: the scheduler finds work by `due_at`, never by scanning cases (P3)."""

    async def set(
        self,
        kind: str,
        subject: str,
        due_at: datetime | None,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """Create or move the (kind, subject) timer; `due_at=None` removes it."""
        ...

    async def set_many(self, due: Sequence[Timer]) -> None:
        """Create or move many timers at once (P3); for a repeated (kind, subject) the last wins."""
        ...

    async def remove_many(self, kind: str, subjects: Sequence[str]) -> None:
        """Remove the `kind` timers of `subjects`; absent ones are no error."""
        ...

    async def get(self, kind: str, subject: str) -> Timer | None: ...
    async def for_subject(self, subject: str) -> list[Timer]: ...
    async def due(self, until: datetime, kind: str | None = None, limit: int = 100) -> list[Timer]:
        """Timers due at or before `until`, earliest first; on PostgreSQL locked (SKIP LOCKED)."""
        ...


class EscalationRepository(Protocol):
    """Escalation requests (ESC-9: at most one waiting per case)."""

    async def open_for(self, case_number: int) -> Escalation | None: ...
    async def add(
        self,
        case_number: int,
        requested_by: str,
        reason: str,
        impact: str | None,
        rca: bool,
        at: datetime,
    ) -> Escalation: ...
    async def decide(
        self, escalation_id: int, state: EscalationState, by: str, text: str, at: datetime
    ) -> Escalation: ...
    async def waiting(self) -> list[Escalation]:
        """Escalations waiting for a staff decision, oldest first (the queue)."""
        ...

    async def for_case(self, case_number: int) -> list[Escalation]: ...


class IncidentRepository(Protocol):
    """Incidents, their statuses and the INC-3 slot posts."""

    async def declare(
        self,
        severity: str,
        summary: str,
        account_ids: Sequence[str],
        services: str | None,
        bridges: Sequence[ChannelRef],
        case_number: int | None,
        commander: str,
        at: datetime,
    ) -> Incident: ...
    async def get(self, incident_id: int) -> Incident | None: ...
    async def add_status(
        self, incident_id: int, text: str, next_steps: str | None, by: str, at: datetime
    ) -> None: ...
    async def restore(
        self, incident_id: int, text: str | None, agents_affected: int | None, at: datetime
    ) -> Incident: ...
    async def all_clear(self, incident_id: int, instructions: str, at: datetime) -> Incident: ...
    async def rca(self, incident_id: int, text: str, at: datetime) -> Incident: ...
    async def open_incidents(self) -> list[Incident]: ...
    async def for_account(self, account_id: str, start: datetime, end: datetime) -> list[Incident]:
        """Incidents affecting the account declared before `end` and not restored before `start`."""
        ...

    async def claim_slot(self, incident_id: int, slot: int, at: datetime) -> bool:
        """INC-3: record that 30-minute post `slot` was made; False if it already was."""
        ...


class NoticeRepository(Protocol):
    """NOT-1 maintenance notices and advisories."""

    async def add(
        self,
        kind: str,
        account_ids: Sequence[str],
        text: str,
        posted_by: str,
        posted_at: datetime,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        impact: str | None = None,
    ) -> ServiceNotice: ...
    async def get(self, reference: int) -> ServiceNotice | None: ...
    async def for_account(self, account_id: str, since: datetime) -> list[ServiceNotice]:
        """Notices to the account (or to all) posted at or after `since`, newest first."""
        ...


class SurveyRepository(Protocol):
    """CASE-8 survey answers."""

    async def record(
        self, case_number: int, rating: int, comment: str, by: str, at: datetime
    ) -> None: ...
    async def for_case(self, case_number: int) -> list[SurveyAnswer]: ...


@dataclass(frozen=True, slots=True)
class PacingPlan:
    """How `claim_paced` hands out posts and send slots."""

    intervals: Mapping[Platform, float]  # seconds between two posts to one channel
    channels: int = 100  # channels per claim
    per_channel: int = 10  # posts per channel per claim, at most
    horizon: timedelta = timedelta(seconds=10)  # slots handed out at most this far ahead
    lease: timedelta = timedelta(seconds=30)  # beyond the horizon; renewed while working
    # Seconds kept free after a batch's last slot: the batch may start this much late (the claim
    # itself takes time), and the next batch, whichever replica sends it, still keeps the rate.
    guard: float = 0.5
    lead: float = 0.0  # a paced batch's first slot is at least this far ahead of the claim


class OutboxRepository(Protocol):
    """Posts written with their cause and delivered at least once (R3)."""

    async def add(self, item: OutboxItem) -> bool:
        """Queue a post; False (and no error) when its dedup key is already queued (R4)."""
        ...

    async def add_many(self, items: Sequence[OutboxItem]) -> int:
        """Queue posts in order, as `add` each (P3); how many were new."""
        ...

    async def claim(
        self, batch: int, lease_owner: str, lease_seconds: int, now: datetime
    ) -> list[OutboxMessage]:
        """Lease up to `batch` due pending posts, oldest first; disjoint across replicas on PG."""
        ...

    async def claim_paced(
        self,
        lease_owner: str,
        now: datetime,
        due_by: datetime,
        pacing: PacingPlan,
    ) -> list[ClaimedPost]:
        """Lease small batches of due posts per channel with a send slot each (R3, R4, P6).

        A channel's posts are claimed with its `channel_pacing` row locked (`SKIP LOCKED` on
        PostgreSQL) and its next send instant moved past the slots handed out, in one
        transaction: any number of replicas together keep the channel's rate.
        """
        ...

    async def throttle(self, platform: Platform, channel: str, until: datetime) -> None:
        """Back-pressure (429): no slot on the channel before `until`, for every replica."""
        ...

    async def extend_pacing(
        self, platform: Platform, channel: str, expected: datetime, until: datetime
    ) -> bool:
        """Move the channel's next send instant from `expected` to `until` if no one has taken
        slots since (a late batch keeps its posts); False if someone has."""
        ...

    async def release(self, ids: Sequence[int], lease_owner: str, *, attempted: bool) -> int:
        """Give leased posts back at once (shutdown, a missed slot); not counted as a try unless
        `attempted`. Only rows still leased by `lease_owner` change; how many did."""
        ...

    async def renew(self, ids: Sequence[int], lease_owner: str, until: datetime) -> int:
        """Extend this owner's leases on posts still pending; how many were extended."""
        ...

    async def listing(self, state: OutboxState, limit: int) -> list[OutboxMessage]:
        """Posts in `state`, oldest first (`supportbot outbox list`)."""
        ...

    async def requeue(self, ids: Sequence[int] | None, now: datetime) -> list[int]:
        """Dead (or waiting) posts due again at `now` with a fresh retry budget; `None`: every
        dead letter. The ids that were re-queued (sent posts never are)."""
        ...

    async def get(self, message_id: int) -> OutboxMessage | None: ...
    async def mark_sent(
        self, message_id: int, platform_message_id: str | None, at: datetime
    ) -> None: ...
    async def mark_retry(
        self,
        message_id: int,
        error: str,
        next_attempt_at: datetime,
        failing_since: datetime | None = None,
    ) -> None: ...
    async def mark_dead(self, message_id: int, error: str) -> None: ...
    async def backlog(self, delivering: Collection[Platform] | None = None) -> OutboxBacklog:
        """Pending and dead rows; with `delivering`, other platforms' pending rows are `waiting`."""
        ...

    async def prune_sent(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` posts sent before `before` (dead letters are kept); how many."""
        ...


class InboundRepository(Protocol):
    """R2: de-duplication of retried Slack requests and repeated Teams activities."""

    async def claim(self, key: str, now: datetime) -> bool:
        """True the first time `key` is claimed in a committed unit of work, else False."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` keys claimed before `before`; how many."""
        ...


class AuditRepository(Protocol):
    """R7: the audit trail."""

    async def add(
        self,
        actor: str,
        platform: Platform | None,
        action: str,
        case_number: int | None,
        detail: Mapping[str, JsonValue],
        at: datetime,
    ) -> None: ...
    async def entries(
        self, case_number: int | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Entries oldest first; only the case's when given; `limit` keeps the newest."""
        ...


class ThreadRepository(Protocol):
    """CONV-1: where each case's customer and support threads start, per platform and place."""

    async def record(self, root: ThreadRoot) -> bool:
        """Remember a thread root unless one is known for its case, platform, kind and route
        (the first wins); posts still waiting there get it too. False if one was known."""
        ...

    async def roots(self, case_number: int) -> list[ThreadRoot]:
        """The case's known thread roots, oldest first."""
        ...

    async def find(
        self, platform: Platform, message_id: str, route: str | None = None
    ) -> ThreadRoot | None:
        """The thread a root message id starts (`route` tells apart equal ids of two places)."""
        ...


class CaptureRepository(Protocol):
    """CONV-4: offers to open a case from a message, and when each person was last offered."""

    async def claim_prompt(
        self, platform: Platform, user_id: str, now: datetime, every: timedelta
    ) -> bool:
        """True (and remembered) when the person was not offered within `every` before `now`;
        one database row per person, so every replica agrees."""
        ...

    async def add(self, capture: Capture) -> None:
        """Remember an offer so its button and its form can come back to it."""
        ...

    async def get(self, capture_id: str) -> Capture | None: ...


class AttachmentRepository(Protocol):
    """CONV-5: attachment metadata; the content is kept by an `AttachmentStorage`."""

    async def add(self, attachment: Attachment) -> Attachment | None:
        """Record an attachment with its id; None if this file is already on the case."""
        ...

    async def for_case(self, case_number: int, include_purged: bool = False) -> list[Attachment]:
        """The case's attachments, oldest first."""
        ...

    async def get(self, attachment_id: int) -> Attachment | None: ...
    async def purgeable(self, closed_before: datetime, limit: int) -> list[Attachment]:
        """Attachments not purged yet of cases closed before `closed_before`, oldest first."""
        ...

    async def mark_purged(self, ids: Sequence[int], at: datetime) -> None: ...


class AttachmentStorage(Protocol):
    """Where attachment content is kept (a local folder by default): bytes by opaque key."""

    async def put(self, key: str, content: bytes) -> None: ...
    async def get(self, key: str) -> bytes:
        """The content; raises KeyError when it is not (or no longer) stored."""
        ...

    async def delete(self, key: str) -> None:
        """Forget the content; absent content is no error."""
        ...


class ConversationRepository(Protocol):
    """Teams conversation references for proactive posts, by key (e.g. a user or channel id)."""

    async def save(self, key: str, reference: Mapping[str, JsonValue], at: datetime) -> None: ...
    async def get(self, key: str) -> JsonObject | None: ...


# ---------------------------------------------------------------------------------------------
# The unit of work and the store.


class UnitOfWork(Protocol):
    """One transaction over every repository; leaving it without `commit()` rolls back."""

    @property
    def directory(self) -> DirectoryRepository: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def timers(self) -> TimerRepository: ...
    @property
    def sent_notices(self) -> SentNoticeRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def incidents(self) -> IncidentRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def surveys(self) -> SurveyRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def inbound(self) -> InboundRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def threads(self) -> ThreadRepository: ...
    @property
    def captures(self) -> CaptureRepository: ...
    @property
    def attachments(self) -> AttachmentRepository: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """Hands out units of work; `close()` releases connections."""

    def unit_of_work(self, read_only: bool = False) -> UnitOfWork:
        """A new transaction; `read_only=True` promises no writes (SQLite then never waits)."""
        ...

    async def directory(self) -> DirectoryReader:
        """The committed directory from memory, without a database connection (identity)."""
        ...

    async def warm(self) -> None:
        """Open pooled connections before the first request (`serve` does, at start)."""
        ...

    async def close(self) -> None: ...
