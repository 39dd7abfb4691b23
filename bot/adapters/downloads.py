"""Reading a shared file's content from a platform's file host, within the attachment limit.

One home for both platforms (CONV-5): each adapter decides which URLs it may fetch and with what
credentials; this reads the answer in chunks and gives up as soon as it exceeds the limit, so a
file larger than it said never sits whole in memory. Redirects are never followed (the host
check was made for this URL only).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

_CHUNK = 64 * 1024
_TIMEOUT = aiohttp.ClientTimeout(total=60)


async def read_bounded(
    url: str, limit: int, source: str, headers: Mapping[str, str] | None = None
) -> bytes:
    """The bytes at `url`; ValueError naming `source` on any answer but 200, or over `limit`."""
    async with (
        aiohttp.ClientSession(timeout=_TIMEOUT) as session,
        session.get(url, headers=headers, allow_redirects=False) as response,
    ):
        if response.status != 200:
            raise ValueError(f"{source} answered {response.status} for the file")
        content = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK):
            content += chunk
            if len(content) > limit:
                raise ValueError(f"the file is larger than {limit} bytes")
        return bytes(content)
