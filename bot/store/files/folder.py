"""`FolderStorage`: attachment content as files under one folder, the default storage (CONV-5).

Keys are made by the bot (`{case}/{random}-{name}`), never taken from users as paths; a key that
would leave the folder is refused all the same. Writes go to a temporary file first and are then
renamed, so a crash never leaves half a file under a key.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


class FolderStorage:
    """Attachment content in `root` (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()) or path == self.root.resolve():
            raise KeyError(key)
        return path

    async def put(self, key: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), content)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(content)
        os.replace(partial, path)
