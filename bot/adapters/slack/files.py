"""Files shared on Slack (CONV-5): their metadata as `SharedFile`s, their content on demand.

Slack serves a file's content at `url_private_download` to the bot token only (scope
`files:read`). The token is sent to Slack's file host and nowhere else: a URL on any other host
is refused before a request is made, whatever the (signed) event says. Content is read in
chunks and abandoned as soon as it exceeds the attachment size limit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.adapters.downloads import read_bounded
from bot.conversation import FileFetch, SharedFile

log = logging.getLogger(__name__)

SLACK_FILE_HOSTS = ("files.slack.com",)


class SlackFiles:
    """Converts the `files` of message events and downloads them with the bot token."""

    def __init__(self, token: str, hosts: Iterable[str] = SLACK_FILE_HOSTS) -> None:
        self._token = token
        self._hosts = frozenset(h.lower() for h in hosts)

    def shared(self, files: object) -> tuple[SharedFile, ...]:
        """The files of a message event (entries without an id or a download URL are skipped)."""
        if not isinstance(files, list):
            return ()
        found: list[SharedFile] = []
        for file in files:
            if not isinstance(file, dict):
                continue
            file_id, url = file.get("id"), file.get("url_private_download")
            if not isinstance(file_id, str) or not isinstance(url, str):
                continue  # e.g. a file from another workspace Slack did not share with us
            found.append(
                SharedFile(
                    file_id=file_id,
                    name=str(file.get("name") or file.get("title") or file_id),
                    size=_int(file.get("size")),
                    content_type=str(file.get("mimetype") or "application/octet-stream"),
                    fetch=self._fetcher(url),
                )
            )
        return tuple(found)

    def allows(self, url: str) -> bool:
        """Only Slack's file host (https), or the loopback stand-in of tests and the demo."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host not in self._hosts or parts.username or parts.password:
            return False
        return parts.scheme == "https" or (parts.scheme == "http" and host == "127.0.0.1")

    def _fetcher(self, url: str) -> FileFetch:
        async def fetch(limit: int) -> bytes:
            return await self.download(url, limit)

        return fetch

    async def download(self, url: str, limit: int) -> bytes:
        """The file's bytes; ValueError when larger than `limit` or not on Slack's file host."""
        if not self.allows(url):
            log.warning("refused to download a Slack file from host %s", urlsplit(url).hostname)
            raise ValueError("the file is not on Slack's file host")
        headers = {"Authorization": f"Bearer {self._token}"}
        return await read_bounded(url, limit, "Slack", headers)


def file_hosts(api_url: str) -> tuple[str, ...]:
    """Slack's file host, plus the Web API stand-in's own host when it runs on loopback."""
    host = (urlsplit(api_url).hostname or "").lower()
    return (*SLACK_FILE_HOSTS, host) if host == "127.0.0.1" else SLACK_FILE_HOSTS


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
