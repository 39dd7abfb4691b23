"""The Bot Framework signing keys (JWKS), fetched on the event loop with a timeout and cached.

The Agents SDK's key manager runs PyJWKClient in `asyncio.to_thread` behind one lock per
address: a signing-key endpoint that hangs holds a default-executor thread per waiting request
(30 s each, one after another), which also starves aiohttp's DNS lookups. Here the fetch is an
aiohttp request with a timeout; concurrent token checks share one fetch; keys are cached for
hours, and a token naming an unknown key id triggers at most one refetch per `refetch_after`
(so forged tokens with random key ids cannot make the bot hammer Microsoft). Even the name
lookup of the key endpoint runs on a two-thread executor of its own, so a hanging resolver
cannot take the loop's default executor either.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKError, PyJWKSetError
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import _JwkClientManager

log = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 10.0
KEYS_TTL_SECONDS = 6 * 3600.0
REFETCH_AFTER_SECONDS = 300.0
MAX_JWKS_BYTES = 256 * 1024


class KeysUnavailable(Exception):
    """The signing keys could not be fetched: the request cannot be verified right now."""


@dataclass(frozen=True, slots=True)
class _Keys:
    by_id: dict[str, PyJWK]
    fetched_at: float


class SigningKeys(_JwkClientManager):
    """An async, cached replacement of the SDK's key manager (same `get_signing_key`)."""

    def __init__(
        self,
        jwks_url: str | None = None,
        *,
        timeout: float = FETCH_TIMEOUT_SECONDS,
        ttl: float = KEYS_TTL_SECONDS,
        refetch_after: float = REFETCH_AFTER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._override = jwks_url  # tests and the demo: a JWKS stand-in on 127.0.0.1
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ttl = ttl
        self._refetch_after = refetch_after
        self._monotonic = monotonic
        self._keys: dict[str, _Keys] = {}
        self._fetches: dict[str, asyncio.Task[_Keys]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._lookups: ThreadPoolExecutor | None = None
        self.fetch_count = 0

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        """The key named by the token header's `kid`; ValueError when there is none."""
        uri = self._override or jwks_uri
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ValueError("the token names no signing key")
        known = self._keys.get(uri)
        now = self._monotonic()
        if known is not None and now - known.fetched_at < self._ttl and kid in known.by_id:
            return known.by_id[kid]
        if known is None or now - known.fetched_at >= min(self._refetch_after, self._ttl):
            known = await self._refresh(uri, known)
        found = known.by_id.get(kid)
        if found is None:
            raise ValueError("the token's signing key is not one of the published keys")
        return found

    async def close(self) -> None:
        for task in self._fetches.values():
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._lookups is not None:
            self._lookups.shutdown(wait=False, cancel_futures=True)
            self._lookups = None

    async def _refresh(self, uri: str, known: _Keys | None) -> _Keys:
        task = self._fetches.get(uri)
        if task is None:
            task = asyncio.create_task(self._fetch(uri, known))
            self._fetches[uri] = task
            task.add_done_callback(lambda _t: self._fetches.pop(uri, None))
        # Shielded: a client that hangs up does not cancel the fetch the others wait for.
        return await asyncio.shield(task)

    async def _fetch(self, uri: str, known: _Keys | None) -> _Keys:
        self.fetch_count += 1
        try:
            keys = await self._download(uri)
        except (aiohttp.ClientError, TimeoutError, ValueError, PyJWKError, PyJWKSetError) as error:
            log.warning("could not fetch the Teams signing keys: %s", type(error).__name__)
            if known is None:
                raise KeysUnavailable(type(error).__name__) from error
            # Keep the keys we have, and wait `refetch_after` before trying again.
            keys = _Keys(known.by_id, self._monotonic())
        self._keys[uri] = keys
        return keys

    async def _download(self, uri: str) -> _Keys:
        if self._session is None or self._session.closed:
            if self._lookups is None:
                self._lookups = ThreadPoolExecutor(2, thread_name_prefix="supportbot-jwks-dns")
            resolver = OwnExecutorResolver(self._lookups)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=resolver), timeout=self._timeout
            )
        async with self._session.get(uri, allow_redirects=False) as response:
            if response.status != 200:
                raise ValueError(f"the signing-key endpoint answered {response.status}")
            raw = await response.content.read(MAX_JWKS_BYTES + 1)
        if len(raw) > MAX_JWKS_BYTES:
            raise ValueError("the signing-key document is too large")
        published = PyJWKSet.from_json(raw.decode("utf-8"))
        by_id = {key.key_id: key for key in published.keys if key.key_id}
        return _Keys(by_id, self._monotonic())


class OwnExecutorResolver(AbstractResolver):
    """aiohttp's threaded name lookup, on a given executor instead of the loop's default one."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._executor = executor

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        lookup = partial(
            socket.getaddrinfo, host, port, family, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG
        )
        infos = await asyncio.get_running_loop().run_in_executor(self._executor, lookup)
        found: list[ResolveResult] = []
        for kind, _type, proto, _name, address in infos:
            found.append(
                ResolveResult(
                    hostname=host,
                    host=str(address[0]),
                    port=int(address[1]),
                    family=kind,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        return found

    async def close(self) -> None:
        return None
