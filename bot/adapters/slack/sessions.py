"""One kept-open HTTP session for the Slack Web API clients (#18).

slack_sdk's async clients, given no session, open an aiohttp session per call: a new TCP
connection (and, against slack.com, a TLS handshake) for every post, closed right after. A
`show` or `open` answered with a case card posts once (CONV-1), so that was a connection per
request: about a tenth of `show`'s CPU in a profile of P8's server, against a stand-in without
TLS. Here the clients share one session per event loop and reuse its connections (keep-alive).
Nothing else changes: the same calls, retry handlers and timeout (`SDK_TIMEOUT_SECONDS`, what
slack_sdk gives a session of its own); a kept connection the server closed meanwhile fails
as a connection error, which the connection retry handler retries.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

# slack_sdk's default per-call timeout, which it sets on the sessions it opens itself.
SDK_TIMEOUT_SECONDS = 30


class SharedSession:
    """An aiohttp session for the running event loop, opened at first use, closed by `close`."""

    def __init__(self, timeout: float = SDK_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def current(self) -> aiohttp.ClientSession:
        """The session of the running loop (a session is bound to the loop it was opened on)."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or self._loop is not loop:
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
            self._session, self._loop = session, loop
        return session

    async def close(self) -> None:
        """Close the session and its kept connections; a later call opens a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()


class SharedSessionWebClient(AsyncWebClient):
    """AsyncWebClient whose calls go through a `SharedSession`, not a session per call."""

    def __init__(self, shared: SharedSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shared = shared

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        self.session = self.shared.current()
        return await super().api_call(api_method, **kwargs)
