"""Files shared with the bot on Teams (CONV-5): `file.download.info` attachments.

Teams hands files to bots only in the 1:1 chat (`supportsFiles: true` in the manifest), as
attachments of type `application/vnd.microsoft.teams.file.download.info` whose `downloadUrl` is
pre-authorised: it is fetched without any token, and only from a host on the explicit list
(`FileHosts`, SUPPORTBOT_TEAMS_FILE_HOSTS); in channels a file is a SharePoint link the bot
cannot read without Microsoft Graph permissions (docs/teams.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters.downloads import read_bounded
from bot.adapters.teams.hosts import FileHosts
from bot.conversation import FileFetch, SharedFile

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
# Teams gives a file type ("txt", "png"), not a media type; these are the common ones.
_TYPES = {
    "txt": "text/plain",
    "log": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "zip": "application/zip",
}


class TeamsFiles:
    """Converts file attachments and fetches their content from allowed hosts only."""

    def __init__(self, hosts: FileHosts) -> None:
        self.hosts = hosts

    def shared(self, attachments: object) -> tuple[SharedFile, ...]:
        """The `file.download.info` attachments of an activity (anything else is skipped)."""
        if not isinstance(attachments, list):
            return ()
        found: list[SharedFile] = []
        for attachment in attachments:
            data = _dump(attachment)
            content = data.get("content")
            if data.get("contentType") != FILE_DOWNLOAD_INFO or not isinstance(content, Mapping):
                continue
            url, unique = content.get("downloadUrl"), content.get("uniqueId")
            if not isinstance(url, str):
                continue
            name = str(data.get("name") or "file")
            kind = str(content.get("fileType") or name.rsplit(".", 1)[-1]).lower()
            found.append(
                SharedFile(
                    file_id=str(unique or url),
                    name=name,
                    size=0,  # Teams does not say; the limit is enforced while fetching
                    content_type=_TYPES.get(kind, "application/octet-stream"),
                    fetch=self._fetcher(url),
                )
            )
        return tuple(found)

    def _fetcher(self, url: str) -> FileFetch:
        async def fetch(limit: int) -> bytes:
            return await self.download(url, limit)

        return fetch

    async def download(self, url: str, limit: int) -> bytes:
        """The bytes at `url`; ValueError when its host is not listed or it exceeds `limit`."""
        if not self.hosts.check(url):
            raise ValueError("the file's host is not in SUPPORTBOT_TEAMS_FILE_HOSTS")
        # No token: Teams' download URL is pre-authorised.
        return await read_bounded(url, limit, "the file host")


def _dump(attachment: object) -> Mapping[str, Any]:
    if isinstance(attachment, Mapping):
        return attachment
    dump = getattr(attachment, "model_dump", None)
    if callable(dump):
        dumped = dump(by_alias=True, exclude_none=True)
        return dumped if isinstance(dumped, Mapping) else {}
    return {}
