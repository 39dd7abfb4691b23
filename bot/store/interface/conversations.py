"""Where the conversations about a case happen on the chat platforms (CONV-1..CONV-5).

Thread roots (CONV-1), offers to open a case from a message (CONV-4), attachments and the
storage of their content (CONV-5), and the Teams conversation references that proactive posts
need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.conversation import ThreadRoot
from bot.model import Platform
from bot.store.interface.json_values import JsonObject, JsonValue


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


class AttachmentRepository(Protocol):
    """CONV-5: attachment metadata; the content is kept by an `AttachmentStorage`."""

    async def add(self, attachment: Attachment) -> Attachment | None:
        """Record an attachment with its id; None if this file (platform, file id) is already on
        the case. A file whose copy was purged is held no longer: the new copy takes its row."""
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
    async def add(self, key: str, reference: Mapping[str, JsonValue], at: datetime) -> bool:
        """Store `reference` under `key` unless the key is taken; True when it was stored (one
        writer wins however many race for the same key)."""
        ...

    async def get(self, key: str) -> JsonObject | None: ...
