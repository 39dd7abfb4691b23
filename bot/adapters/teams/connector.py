"""The Bot Framework connector REST API as the Teams adapter uses it, with retries.

Only the calls the bot needs: post an activity (a reply or a new channel post), create a
conversation (a 1:1 chat or a channel thread) and look up one conversation member (ACC-7).
429, 412, 502 and 504 are retried with capped exponential backoff and jitter, honouring
Retry-After (R3), except that the outbox's posts (`without_throttle_retries`) hand a 429 back at
once, so the shared per-conversation budget hears of it (R4); every request goes to the `serviceUrl` it is given, and only after the host
check (R1: `teams_hosts.ServiceHosts`, an explicit allow-list) has passed: the bot's token is
never attached to a request for any other host, and redirects are never followed.

Why not the Agents SDK's `ConnectorClient` (microsoft-agents-hosting-core 1.9, read at the
source; docs/teams.md "The connector client"):

- no retries: any answer but 2xx raises `aiohttp.ClientResponseError` at once (after logging it
  at ERROR); 429 and 412/502/504 are not retried, Retry-After is not honoured, and there is no
  backoff or time budget, so every call would still need the loop below;
- no host allow-list: one client per service URL, built for whatever `serviceUrl` it is given
  (the SDK's factory passes the activity's); the R1 check would have to wrap each construction;
- the bearer token is fixed at construction and written into the `ClientSession`'s default
  headers: a client outlives no token refresh, and one session cannot be shared between service
  URLs without sending that header everywhere the session goes; it follows redirects (aiohttp's
  default), which we refuse;
- it knows only its own `Activity` models, where the adapter posts the renderer's plain dicts.

What remained of the SDK client would be three URL templates; this module is those templates
plus the retry, host and token rules the bot needs.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp

log = logging.getLogger(__name__)

TokenSource = Callable[[], Awaitable[str | None]]
HostCheck = Callable[[str], bool]
Sleep = Callable[[float], Awaitable[None]]

# Teams answers 412 when a conversation is being changed concurrently; 502/504 are gateway
# hiccups; 429 is throttling. All are worth a retry; other errors are not.
RETRY_STATUSES = frozenset({429, 412, 502, 504})


class ConnectorError(Exception):
    """A connector call that failed; `status` 0 means no HTTP answer at all (network, timeout)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"connector answered {status}: {message}" if status else message)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth retrying at once (throttling, gateway errors, no answer)."""
        return self.status == 0 or self.status in RETRY_STATUSES

    @property
    def temporary(self) -> bool:
        """Worth trying again later (R3: 429, 5xx, timeouts); otherwise permanent."""
        return self.retryable or self.status >= 500


class Connector:
    """A small client of `{serviceUrl}/v3/conversations/...` with retry and backoff."""

    def __init__(
        self,
        tokens: TokenSource | None,
        host_check: HostCheck,
        *,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        timeout: float = 15.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        retry_statuses: frozenset[int] = RETRY_STATUSES,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self._retry_statuses = retry_statuses
        self._tokens = tokens
        self._host_check = host_check
        self._attempts = attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._jitter = jitter
        self._trace_configs = list(trace_configs)  # tests record every request at the wire
        self._session: aiohttp.ClientSession | None = None

    def without_throttle_retries(self) -> Connector:
        """The same client for the outbox's posts: a 429 is not retried here but raised at once.

        The outbox worker then holds the conversation back for Retry-After in the budget every
        replica shares (R4); a retry inside the call would hold this worker's slot and send again
        before the other replicas know the conversation is throttled. Gateway errors (412, 502,
        504) are still retried here: they say nothing about the rate.
        """
        return Connector(
            self._tokens,
            self._host_check,
            attempts=self._attempts,
            base_delay=self._base_delay,
            max_delay=self._max_delay,
            timeout=self._timeout.total or 15.0,
            sleep=self._sleep,
            jitter=self._jitter,
            trace_configs=self._trace_configs,
            retry_statuses=self._retry_statuses - {429},
        )

    async def post_activity(
        self,
        service_url: str,
        conversation_id: str,
        activity: Mapping[str, Any],
        reply_to: str | None = None,
    ) -> str | None:
        """Post to a conversation (as a reply to `reply_to` when given); the new activity id."""
        path = f"v3/conversations/{_segment(conversation_id)}/activities"
        if reply_to:
            path += f"/{_segment(reply_to)}"
        answer = await self._call("POST", service_url, path, activity)
        found = answer.get("id") if isinstance(answer, dict) else None
        return found if isinstance(found, str) else None

    async def create_conversation(
        self, service_url: str, parameters: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST /v3/conversations: a 1:1 chat, or a new thread in a channel."""
        answer = await self._call("POST", service_url, "v3/conversations", parameters)
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise ConnectorError(200, "create conversation answered without an id")
        return answer

    async def member(
        self, service_url: str, conversation_id: str, member_id: str
    ) -> dict[str, Any]:
        """GET one member of a conversation (its e-mail and userPrincipalName, ACC-7)."""
        path = f"v3/conversations/{_segment(conversation_id)}/members/{_segment(member_id)}"
        answer = await self._call("GET", service_url, path, None)
        if not isinstance(answer, dict):
            raise ConnectorError(200, "member lookup answered without an object")
        return answer

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self, method: str, service_url: str, path: str, body: Mapping[str, Any] | None
    ) -> Any:
        url = _join(service_url, path)
        if not self._host_check(service_url):
            # R1: never follow a serviceUrl outside the allowed hosts (SSRF, token leak).
            raise ConnectorError(403, "service URL host is not in SUPPORTBOT_TEAMS_SERVICE_HOSTS")
        failure: ConnectorError | None = None
        for attempt in range(self._attempts):
            if failure is not None:
                await self._sleep(self._delay(attempt, failure.retry_after))
            try:
                return await self._once(method, url, body)
            except ConnectorError as error:
                failure = error
                if not self._retries(error) or attempt + 1 == self._attempts:
                    raise
                if error.retry_after is not None and error.retry_after > self._max_delay:
                    raise  # too long to wait in-process: the outbox tries again later
                log.info("connector %s %s failed (%s); retrying", method, path, error.status)
        raise ConnectorError(0, "no attempt was made")  # unreachable: attempts >= 1

    async def _once(self, method: str, url: str, body: Mapping[str, Any] | None) -> Any:
        headers = {"Content-Type": "application/json"}
        token = await self._tokens() if self._tokens is not None else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        session = self._open()
        try:
            async with session.request(
                method, url, json=body, headers=headers, allow_redirects=False
            ) as response:
                if response.status >= 300:
                    text = (await response.text())[:200]
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    raise ConnectorError(response.status, text, retry_after)
                if response.status == 204 or response.content_length == 0:
                    return {}
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ConnectorError(0, f"{type(error).__name__} calling the connector") from error

    def _retries(self, error: ConnectorError) -> bool:
        return error.status == 0 or error.status in self._retry_statuses

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self._max_delay, self._base_delay * 2.0 ** (attempt - 1))
        jittered = backoff * (0.5 + self._jitter() / 2)  # "equal jitter": never zero, never more
        return max(jittered, retry_after or 0.0)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, trace_configs=self._trace_configs or None
            )
        return self._session


def _join(service_url: str, path: str) -> str:
    return service_url.rstrip("/") + "/" + path


def _segment(value: str) -> str:
    # Teams ids carry ':' '@' ';' (e.g. "19:abc@thread.tacv2;messageid=1"); only '/' and
    # friends must be escaped so an id cannot climb out of its path segment.
    return quote(value, safe=":@;=,.-_")


def _retry_after(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None  # an HTTP date: rare from the connector; the backoff covers it
    return max(0.0, seconds)
