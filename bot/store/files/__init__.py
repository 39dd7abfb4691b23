"""Attachment content storage (CONV-5), behind the `AttachmentStorage` protocol of
`bot.store.interface.conversations`.
"""

from __future__ import annotations

from bot.store.files.folder import FolderStorage

__all__ = ["FolderStorage"]
