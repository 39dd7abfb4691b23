"""The one protocol a chat platform implements to plug into the server.

A platform is a package `bot/adapters/<name>/` with its renderer in `bot/cards/<name>.py`; the
package exposes one `ChatPlatform` object (`PLATFORM`), and the composition root
(`bot/adapters/registry.py`, read by `bot/server.py`) registers every platform in one loop:
its route on the aiohttp app, its deliverer for the outbox worker, its rate limits for the
pacer. Nothing outside the package and its renderer names the platform.

Two halves, because a platform's description exists without credentials while its running part
needs them: `ChatPlatform` (name, route, renderer, identity of a payload, rate limits,
manifest) and the `Connection` it opens when configured (request handler, deliverer, drain,
close). A platform that is not configured keeps its route, which answers 503 with
`Route.disabled` (PRODUCT.md "Configuration").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from bot.commands.router import Router
from bot.jobs.delivery import Deliverer
from bot.jobs.pacing import RateLimit
from bot.messages import Reply
from bot.model import ChatIdentity, Platform
from bot.policy.config import PolicyConfig
from bot.settings import Settings
from bot.store.interface import Store

WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    """The HTTP endpoint a platform calls, and what it answers while not configured."""

    path: str
    disabled: str  # the 503 message: which settings enable the platform
    # True when the handler bounds and reads the body itself, after checking headers that
    # decide whether it may be read at all (Slack's signature, R1); else the app bounds it.
    reads_own_body: bool = False


@dataclass(frozen=True, slots=True)
class Parts:
    """What a platform's connection is built from (handed in by the composition root)."""

    router: Router
    store: Store
    settings: Settings
    config: PolicyConfig
    clock: Callable[[], datetime]


class Connection(Protocol):
    """A configured platform at work: requests in, outbox posts out."""

    @property
    def deliverer(self) -> Deliverer:
        """What the outbox worker calls for this platform's rows."""
        ...

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of the platform's route: authenticate first, then convert."""
        ...

    async def drain(self) -> None:
        """Wait for the work started after an acknowledgement (shutdown, tests)."""
        ...

    async def close(self) -> None:
        """Close the connection's HTTP sessions."""
        ...


@dataclass(frozen=True, slots=True)
class AppPackage:
    """What `manifest build` wrote for one platform, or why it wrote nothing."""

    title: str  # e.g. "Slack app manifest"
    path: Path | None  # None: skipped
    note: str  # where to take the file, or why it was skipped


class ChatPlatform(Protocol):
    """One chat platform: what the rest of the bot may know about it, and nothing more."""

    @property
    def platform(self) -> Platform:
        """The key of the platform's actors, outbox rows and pacing."""
        ...

    @property
    def route(self) -> Route: ...

    @property
    def rate_limits(self) -> Sequence[RateLimit]:
        """Per channel (P6): the pacer spaces each channel's posts to keep all of them."""
        ...

    def configured(self, settings: Settings) -> bool:
        """Do the settings carry what the platform needs to answer (R10: never half-open)?"""
        ...

    def connect(self, parts: Parts) -> Connection:
        """The running adapter; only called when `configured(parts.settings)`."""
        ...

    def render(self, reply: Reply) -> Sequence[Mapping[str, Any]]:
        """The neutral reply as the platform's payloads, one per message (its card renderer)."""
        ...

    def identity(self, payload: Mapping[str, Any]) -> ChatIdentity | None:
        """The sender of an authenticated payload; None when it names no user."""
        ...

    def manifest(self, base_url: str, settings: Settings) -> Mapping[str, Any]:
        """The platform's app manifest for a deployment at `base_url`; ValueError if it cannot."""
        ...

    def package(self, base_url: str, settings: Settings, out_dir: Path) -> AppPackage:
        """Write what an admin installs the app with into `out_dir` (`manifest build`);
        ValueError for a base URL or settings it cannot be built for."""
        ...
