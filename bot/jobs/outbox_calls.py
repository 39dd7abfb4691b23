"""One platform call for one outbox post, and what its result means for the post (R3)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.casework.payload import PayloadError, decode
from bot.jobs.delivery import Deliverer, DeliveryFailed, RateLimited, RetryLater
from bot.jobs.delivery_settings import DeliverySettings
from bot.jobs.outbox_outcomes import Kind, Outcome
from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage

log = logging.getLogger(__name__)


async def call_platform(
    deliverers: Mapping[Platform, Deliverer],
    settings: DeliverySettings,
    message: OutboxMessage,
    now: Callable[[], datetime],
    started: Callable[[], None] = lambda: None,
) -> Outcome:
    """Deliver `message` once; the outcome to store, stamped with `now()` after the call.

    `started` is called at the very moment the platform call begins (the pacing counts from it).
    """
    try:
        reply = decode(message.payload)
    except PayloadError as err:
        return Outcome(message, Kind.DEAD, now(), error=f"unreadable payload: {err}")
    deliverer = deliverers.get(message.platform)
    if deliverer is None:
        # Configuration can be fixed without losing the post: wait, not a dead letter.
        error = f"{message.platform.value.capitalize()} not configured"
        return Outcome(message, Kind.WAIT, now(), error=error)
    try:
        async with asyncio.timeout(settings.timeout_seconds):
            started()
            delivered = await deliverer.deliver(message, reply)
    except RateLimited as err:
        reason = str(err) or "rate limited"
        return Outcome(
            message, Kind.THROTTLED, now(), error=reason, after_seconds=err.after_seconds
        )
    except RetryLater as err:
        reason = str(err) or "retry later"
        return Outcome(message, Kind.RETRY, now(), error=reason, after_seconds=err.after_seconds)
    except DeliveryFailed as err:
        return Outcome(message, Kind.DEAD, now(), error=str(err) or "delivery failed")
    except TimeoutError:
        error = f"timed out after {settings.timeout_seconds:g} s"
        return Outcome(message, Kind.RETRY, now(), error=error)
    except Exception as err:  # an adapter bug must not lose the post (R3)
        log.exception("delivery of outbox row %s failed unexpectedly", message.id)
        return Outcome(message, Kind.RETRY, now(), error=f"{type(err).__name__}: {err}")
    return Outcome(message, Kind.SENT, now(), platform_message_id=delivered.platform_message_id)
