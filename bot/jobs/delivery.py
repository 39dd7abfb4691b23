"""What the outbox worker needs from a platform: deliver one post, or say when to try again.

Adapters implement `Deliverer`; the worker in `bot.jobs` claims outbox rows, paces them per
channel, and calls the deliverer of the row's platform (R3, P6). A deliverer says how a post
failed: `RateLimited` (back-pressure, retried however long it lasts), `RetryLater` (5xx,
timeouts: retried within the retry time budget) or `DeliveryFailed` (a dead letter at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Reply
from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage


class RetryLater(Exception):
    """A temporary failure (429, 5xx, timeout): try again, not before `after_seconds` if given."""

    def __init__(self, reason: str, after_seconds: float | None = None) -> None:
        super().__init__(reason)
        self.after_seconds = after_seconds


class RateLimited(RetryLater):
    """The platform throttles this channel (429): slow the channel down; never a dead letter."""


class DeliveryFailed(Exception):
    """A permanent failure (unknown channel, bot removed, bad payload): dead-letter the post."""


@dataclass(frozen=True, slots=True)
class Delivered:
    """The platform's id for the posted message (Slack `ts`, Teams activity id), if any."""

    platform_message_id: str | None


class Deliverer(Protocol):
    """Posts rendered replies to one platform."""

    platform: Platform

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        """Post `reply` to `message.target`; raise RetryLater or DeliveryFailed on failure."""
        ...
