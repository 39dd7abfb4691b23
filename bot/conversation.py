"""Platform-neutral conversation events (POLICY section 7) and what the bot answers to them.

Commands are one way in; conversations are the other: a reply in a case thread (CONV-2), a
reaction (CONV-4), a file (CONV-5), a top-level message in a bound account channel (CONV-4), a
"Reply to customer" shortcut on a support-thread message (CONV-3). Adapters turn platform events
into these values and hand them to `Router.converse`; it answers with a `Conversed`.

Threads are identified by the platform's message ids (Slack `ts`, Teams activity id): opaque
strings here. A case has at most one customer thread and one support thread per platform and
place (`ThreadRoot`); outbox posts about a case carry a `ThreadRoute` so the deliverer posts them
in the case's thread once its root is known (CONV-1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.messages import Actor, Form, Reply
from bot.model import Platform

# Adapter-provided: fetches the file's bytes with the adapter's own credentials, at most
# `limit` bytes (raising ValueError when the file turns out larger than that).
FileFetch = Callable[[int], Awaitable[bytes]]


class ThreadKind(StrEnum):
    """CONV-1: the two threads of a case."""

    CUSTOMER = "customer"  # under the case card where the case was opened (channel or DM)
    SUPPORT = "support"  # under the new-case alert in an analyst queue channel


@dataclass(frozen=True, slots=True)
class ThreadRoute:
    """On an outbox post about a case: post it in the case's `kind` thread at the target.

    `root` is filled in by the store when the thread's root is known (at queueing, or later
    while the post waits); a post still without a root is posted top-level and, once sent,
    becomes the root itself (cases opened before threads get one at their next post).
    """

    case_number: int
    kind: ThreadKind
    root: str | None = None  # the root's platform message id
    also_in_channel: bool = False  # CONV-1: breach notices and incident cards are also top-level
    # Whether this post, sent without a root, starts the thread. Notices to a whole account
    # channel join a customer thread there but never start one: the customer thread is where
    # the case card (or the first private notice) is.
    starts: bool = True


@dataclass(frozen=True, slots=True)
class ThreadRoot:
    """Where a case's thread starts on one platform: the first post about it at `route`."""

    case_number: int
    platform: Platform
    kind: ThreadKind
    route: str  # the outbox target the root was posted to: a channel id, or a user id for DMs
    message_id: str  # the root's platform message id (Slack ts, Teams activity id)
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a conversation event happened (as `ChatRequest`'s first fields)."""

    platform: Platform
    workspace: str  # Slack team id, Teams tenant id
    channel_id: str  # the channel or DM/1:1 conversation (Teams: without `;messageid=`)
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file someone shared; the adapter fetches its content only when it is attached."""

    file_id: str  # the platform's id (Slack file id; Teams uniqueId), de-duplicates re-deliveries
    name: str
    size: int  # bytes, as the platform reports it
    content_type: str
    fetch: FileFetch


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """CONV-2/CONV-3: a reply in a thread (Slack `thread_ts`, Teams `replyToId`)."""

    origin: Origin
    actor: Actor
    now: datetime
    message_id: str  # the reply's own id: one update per id, whatever the re-deliveries
    thread_root: str  # the root message id of the thread it replies in
    text: str
    edited: bool = False  # Slack `message_changed`, Teams `messageUpdate`: never a second update
    from_bot: bool = False  # the bot's own post: never an update


@dataclass(frozen=True, slots=True)
class Reaction:
    """CONV-4: an emoji reaction added to a message."""

    origin: Origin
    actor: Actor  # who reacted
    now: datetime
    emoji: str  # the name without colons, e.g. "ticket"
    message_id: str  # the message reacted to
    message_author: Actor  # its author, resolved by the adapter like any actor
    message_text: str
    thread_root: str | None = None  # set when the message is itself a thread reply


@dataclass(frozen=True, slots=True)
class FileShare:
    """CONV-5: files shared in a case thread (`thread_root`) or with an update (`case_number`)."""

    origin: Origin
    actor: Actor
    now: datetime
    message_id: str
    files: tuple[SharedFile, ...]
    thread_root: str | None = None
    case_number: int | None = None  # the update form's file input names the case itself


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """CONV-4: a top-level message (not a command, not in a thread) in a channel the bot is in."""

    origin: Origin
    actor: Actor
    now: datetime
    message_id: str
    text: str
    from_bot: bool = False


@dataclass(frozen=True, slots=True)
class ReplyToCustomer:
    """CONV-3: the explicit "Reply to customer" action on a message in a support thread."""

    origin: Origin
    actor: Actor
    now: datetime
    message_id: str  # the staff message the action was used on (one public reply per message)
    thread_root: str
    text: str


@dataclass(frozen=True, slots=True)
class OfferOpened:
    """CONV-4: the "Open a case" button of a `CaseOffer` was clicked: show its form."""

    origin: Origin
    actor: Actor
    now: datetime
    capture_id: str


@dataclass(frozen=True, slots=True)
class CaptureSubmitted:
    """CONV-4: the prefilled open form of a `CaseOffer` was submitted (nothing opens before)."""

    origin: Origin
    actor: Actor
    now: datetime
    capture_id: str
    values: Mapping[str, str | bool]  # the form's field values, as an `open` form submission
    request_id: str | None = None  # the platform's id of the submission (R2)


ConversationEvent = (
    ThreadReply
    | Reaction
    | FileShare
    | ChannelMessage
    | ReplyToCustomer
    | OfferOpened
    | CaptureSubmitted
)


@dataclass(frozen=True, slots=True)
class CaseOffer:
    """CONV-4: shown privately to one person: `text` and an "Open a case" button.

    The button comes back as `OfferOpened(capture_id)`; `form` is the same prefilled form for
    platforms that can show it inline (Teams), whose submission is `CaptureSubmitted`.
    """

    capture_id: str
    text: str
    form: Form


@dataclass(frozen=True, slots=True)
class Conversed:
    """What `Router.converse` answers.

    `reply`: None posts nothing (a duplicate, an edit, a message that is no one's business);
    otherwise a private reply (Slack ephemeral in the thread, Teams 1:1) or, with
    `Audience.CHANNEL`, a post in the thread the event came from. `offer`: see `CaseOffer`.
    """

    reply: Reply | None = None
    offer: CaseOffer | None = None
