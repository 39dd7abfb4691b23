"""R1 for Slack: a request is authenticated over its raw bytes before anything interprets it.

Slack signs `v0:{timestamp}:{raw body}` with the app's signing secret (HMAC-SHA256) and sends
the hex digest as `X-Slack-Signature: v0=...`. The headers are checked first (shape, exactly
one of each, a timestamp within 5 minutes), so a forged or stale request is refused without
reading its body; then the body is read within a size and time bound and its signature
compared in constant time. Only a request that passes is handed to slack-bolt, whose own
parsing and logging therefore never see a forgery. Every refusal is one short log line
naming the reason: never the body, the headers or a traceback (R8).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60  # Slack's own recommendation, and PRODUCT.md R1
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # plain digits: no sign, spaces, exponent or fraction
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Unauthenticated(Exception):
    """A request that is not provably from Slack; the message is the log line's reason."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a request body is read, and for how long, before it is refused."""

    max_bytes: int = 1024**2  # Slack's payloads (a modal of 100 blocks included) are far smaller
    read_seconds: float = 10.0


class SlackSignature:
    """Checks `X-Slack-Signature` and `X-Slack-Request-Timestamp` against the raw body."""

    def __init__(
        self, signing_secret: str, clock: Callable[[], float], limits: Limits | None = None
    ) -> None:
        if not signing_secret:
            raise ValueError("Slack request verification needs the signing secret")
        self._secret = signing_secret.encode()
        self._clock = clock
        self.limits = limits or Limits()

    async def verified_body(self, request: web.Request) -> bytes:
        """The raw body of an authentic request; raises `Unauthenticated` for anything else."""
        timestamp, signature = self.checked_headers(request)
        body = await self.read(request)
        expected = self.sign(timestamp, body)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise Unauthenticated("signature does not match")
        return body

    def checked_headers(self, request: web.Request) -> tuple[str, str]:
        timestamp = _single(request, "X-Slack-Request-Timestamp")
        signature = _single(request, "X-Slack-Signature")
        if not TIMESTAMP.fullmatch(timestamp):
            raise Unauthenticated("timestamp is not a number of seconds")
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            raise Unauthenticated("timestamp is more than 5 minutes away")
        if not SIGNATURE.fullmatch(signature):
            raise Unauthenticated("signature is not v0= and 64 hex digits")
        length = request.content_length
        if length is not None and length > self.limits.max_bytes:
            raise Unauthenticated(f"body over {self.limits.max_bytes} bytes")
        return timestamp, signature

    async def read(self, request: web.Request) -> bytes:
        """The body, at most `max_bytes` of it, read within `read_seconds`."""
        limit = self.limits.max_bytes
        body = bytearray()
        try:
            async with asyncio.timeout(self.limits.read_seconds):
                # One byte over the limit is enough to know the body is too large.
                while len(body) <= limit:
                    chunk = await request.content.read(limit + 1 - len(body))
                    if not chunk:
                        break
                    body += chunk
        except TimeoutError:
            raise Unauthenticated(
                f"body not received within {self.limits.read_seconds:g} s"
            ) from None
        except Exception as err:  # a reset or a short body: whatever aiohttp raises for it
            raise Unauthenticated(f"body could not be read ({type(err).__name__})") from None
        if len(body) > limit:
            raise Unauthenticated(f"body over {limit} bytes")
        return bytes(body)

    def sign(self, timestamp: str, body: bytes) -> str:
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()


def _single(request: web.Request, name: str) -> str:
    values = request.headers.getall(name, [])
    if not values:
        raise Unauthenticated(f"{name} missing")
    if len(values) > 1:
        raise Unauthenticated(f"{name} sent {len(values)} times")
    return values[0]
