"""Attachment content storage (CONV-5): behind `bot.store.interface.AttachmentStorage`."""

from __future__ import annotations

from bot.store.files.folder import FolderStorage

__all__ = ["FolderStorage"]
