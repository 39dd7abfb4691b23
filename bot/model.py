"""The support domain as plain, immutable values: shared by policy, commands, store and cards.

Nothing here does I/O or knows about a platform; the store maps its rows to these types and the
policy decides over them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

CASE_NUMBER_DIGITS = 10  # CASE-5


class Deployment(StrEnum):
    ON_PREMISES = "on_premises"
    CLOUD = "cloud"


class CareLevel(StrEnum):
    BUSINESS = "business"
    BUSINESS_PLUS = "business_plus"
    PREMIUM = "premium"


class AccessLevel(StrEnum):
    """ACC-2: ordered basic < read_only < designated."""

    BASIC = "basic"
    READ_ONLY = "read_only"
    DESIGNATED = "designated"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {AccessLevel.BASIC: 0, AccessLevel.READ_ONLY: 1, AccessLevel.DESIGNATED: 2}


class StaffRole(StrEnum):
    """ACC-8."""

    ANALYST = "analyst"
    INCIDENT_COMMANDER = "incident_commander"
    ADMIN = "admin"


class Platform(str):
    """A chat platform's key ("slack", "teams", ...), stored with actors, outbox rows and pacing.

    Open, not an enum: a platform plug-in (`bot/adapters/registry.py`) brings its own key
    without editing the model. The members below are the platforms this package ships.
    """

    __slots__ = ()
    SLACK: ClassVar[Platform]
    TEAMS: ClassVar[Platform]
    CONSOLE: ClassVar[Platform]

    def __new__(cls, key: str) -> Platform:
        # One object per key, as enum members were: `platform is Platform.TEAMS` stays true for
        # a key read back from the database.
        known = _PLATFORMS.get(key)
        if known is not None:
            return known
        if not _PLATFORM_KEY.fullmatch(key):
            raise ValueError(f"{key!r} is not a platform key (lower-case letters, digits, -)")
        made = _PLATFORMS[key] = super().__new__(cls, key)
        return made

    @property
    def value(self) -> str:
        """The key as stored (kept from the enum this replaced, so `platform.value` reads on)."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Platform({str.__repr__(self)})"


_PLATFORM_KEY = re.compile(r"[a-z][a-z0-9-]{0,31}")
_PLATFORMS: dict[str, Platform] = {}
Platform.SLACK = Platform("slack")
Platform.TEAMS = Platform("teams")
Platform.CONSOLE = Platform("console")


class Priority(StrEnum):
    """CASE-3. `INCIDENT` is the cloud-only severity of section 6."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INCIDENT = "incident"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Stage(StrEnum):
    PRODUCTION = "production"
    UAT = "uat"


class Status(StrEnum):
    """CASE-6 statuses; the values are the words users see."""

    OPEN = "Open"
    AWAITING_INFORMATION = "Awaiting Information"
    SOLUTION_PROPOSED = "Solution Proposed"
    CLOSED = "Closed"


class SubStatus(StrEnum):
    """CASE-6 sub-statuses; the values are the words users see."""

    NEW = "New"
    INVESTIGATION = "Investigation"
    CUSTOMER_RESPONDED = "Customer Responded"
    ENGINEERING_REQUEST = "Engineering Request"
    MAINTENANCE_REVIEW = "Maintenance Review"
    THIRD_PARTY_PENDING = "Third Party Pending"
    REOPEN_REQUESTED = "Reopen Requested"
    INFORMATION_REQUIRED = "Information Required From Customer"
    REPLIED = "Replied"
    FIXED_SOFTWARE_PROVIDED = "Fixed - Software Provided"
    RESOLVED = "Resolved"
    CANCELLED = "Cancelled"
    NO_RESPONSE = "No Response"
    DUPLICATE = "Duplicate"
    WORKING_AS_DESIGNED = "Working as Designed"
    PROBLEM_EXTERNAL = "Problem External"
    REFERRED = "Referred"
    FEATURE_REQUEST = "Feature Request"


class ChannelPurpose(StrEnum):
    ACCOUNT = "account"
    QUEUE = "queue"
    BRIDGE = "bridge"


class EventKind(StrEnum):
    """What happened to a case; the SLA clocks (SLA-4) are computed from this history."""

    OPENED = "opened"
    CUSTOMER_UPDATE = "customer_update"
    STAFF_RESPONSE = (
        "staff_response"  # a public reply by support; the first one stops the response clock
    )
    WORK_NOTE = "work_note"  # internal, never shown to customers
    STATUS_CHANGE = "status_change"
    PRIORITY_CHANGE = "priority_change"
    PRIORITY_REQUEST = "priority_request"  # PRI-1, recorded as a work note for staff
    ESCALATION_REQUEST = "escalation_request"
    ESCALATION_ACCEPTED = "escalation_accepted"
    ESCALATION_REJECTED = "escalation_rejected"
    OWNER_CHANGE = "owner_change"
    FOLLOW_UP = "follow_up"  # FUP-1 reminder sent
    REOPENED = "reopened"
    CLOSED = "closed"
    SURVEY = "survey"
    RESTORED = "restored"  # service restored: stops a restoration target (SLA-4)


class Visibility(StrEnum):
    PUBLIC = "public"  # the customer sees it
    INTERNAL = "internal"  # staff only


@dataclass(frozen=True, slots=True)
class Account:
    """ACC-1: one Sold To and one End User company on a service contract."""

    id: str
    sold_to: str
    end_user: str
    partner: bool
    deployment: Deployment
    care_level: CareLevel
    region: str
    contract_start: date
    contract_end: date
    # ACC-4: companies are told apart by directory id, never by their names as text.
    sold_to_id: str | None = None
    end_user_id: str | None = None  # None: the Sold To's (a direct customer)
    end_user_subsidiary: bool = False  # the End User is a division or subsidiary of the Sold To
    timezone: str | None = None  # IANA; NOT-1: the account's own zone, else its region's
    agents: int | None = None  # INC-6: licensed agents; None when the directory does not say
    # CONV-6: the customer's own chat spaces as (platform, space id) pairs (a Slack workspace or
    # enterprise, a Teams tenant). A user from one of them unknown to the directory may be
    # mapped to this account's contacts by e-mail.
    homes: frozenset[tuple[str, str]] = frozenset()

    def homes_on(self, platform: str) -> frozenset[str]:
        """CONV-6: the customer's own space ids on one platform."""
        return frozenset(space for on, space in self.homes if on == platform)

    @property
    def end_user_company_id(self) -> str | None:
        return self.end_user_id if self.end_user_id is not None else self.sold_to_id


@dataclass(frozen=True, slots=True)
class Grant:
    """ACC-2: a contact's level on one account; ACC-4 approval for partner end-user contacts."""

    account_id: str
    level: AccessLevel
    approved_by: str | None = None
    approved_at: date | None = None


@dataclass(frozen=True, slots=True, order=True)
class ChatIdentity:
    """ACC-7: one user on one chat platform, as that platform names them.

    `platform` is the platform's key ("slack", "teams", ...), opaque here; `space` is where the
    platform's user ids are unique (a Slack workspace, a Teams tenant); `user` is the id there.
    """

    platform: str
    space: str
    user: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A customer person (ACC-5: individual corporate e-mail)."""

    email: str
    name: str
    company: str
    grants: tuple[Grant, ...] = ()
    chats: tuple[ChatIdentity, ...] = ()  # sorted; each maps to this person only (ACC-7)
    company_id: str | None = None  # ACC-4: the directory id of `company`


@dataclass(frozen=True, slots=True)
class Staff:
    """Support staff (ACC-8): not contacts; roles come from the directory."""

    email: str
    name: str
    roles: frozenset[StaffRole]
    chats: tuple[ChatIdentity, ...] = ()  # sorted; each maps to this person only (ACC-7)


@dataclass(frozen=True, slots=True)
class ChannelBinding:
    """A chat channel the directory knows: an account's, a queue (with filters) or a bridge."""

    platform: Platform
    channel_id: str
    purpose: ChannelPurpose
    account_id: str | None = None
    regions: frozenset[str] = frozenset()  # queue filter; empty means all
    priorities: frozenset[Priority] = frozenset()  # queue filter; empty means all
    # How the platform reaches the channel beyond its id (e.g. a connector endpoint), as sorted
    # (name, value) pairs: opaque to everything but that platform's deliverer.
    route: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One entry of a case's history, in the order it happened."""

    kind: EventKind
    at: datetime
    author: str  # e-mail of the contact or staff member; "system" for the bot itself
    platform: Platform | None = None
    visibility: Visibility = Visibility.PUBLIC
    body: str = ""
    status: Status | None = None  # for STATUS_CHANGE, OPENED, REOPENED, CLOSED: the new status
    sub_status: SubStatus | None = None
    priority: Priority | None = None  # for PRIORITY_CHANGE and OPENED: the new priority
    production_down: bool | None = None
    # The store's id once written: never reused, so notices keyed by it cannot collide between
    # concurrent changes of one case (R9). Not part of what the event says, hence compare=False.
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Case:
    """A support case with every CASE-2 field."""

    number: int  # CASE-5; shown zero-padded to ten digits
    account_id: str
    summary: str
    description: str
    priority: Priority
    case_type: str
    case_subtype: str
    stage: Stage
    status: Status
    sub_status: SubStatus
    opened_by: str  # contact e-mail
    opened_at: datetime
    updated_at: datetime
    production_down: bool = False
    impact: str | None = None
    agents: int | None = None
    external_ref: str | None = None
    component: str | None = None
    security_threat: bool = False
    owner: str | None = None  # staff e-mail
    closed_at: datetime | None = None
    events: tuple[CaseEvent, ...] = field(default=())

    @property
    def ref(self) -> str:
        return format_case_number(self.number)

    @property
    def opened_on(self) -> Platform | None:
        """The platform the case was opened from: its opener most likely reads notices there."""
        return next((e.platform for e in self.events if e.kind is EventKind.OPENED), None)


def format_case_number(number: int) -> str:
    """CASE-5: ten digits, zero-padded."""
    return str(number).zfill(CASE_NUMBER_DIGITS)
