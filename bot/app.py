"""Composition root: settings -> policy -> store -> router (-> adapters -> aiohttp app).

The only module that knows every concrete part; everything else receives what it needs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.commands.conversation import ConversationSettings
from bot.commands.router import Observer, Router
from bot.policy.config import PolicyConfig
from bot.policy_file import load_policy
from bot.settings import Settings
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.interface.conversations import AttachmentStorage
from bot.store.sql import open_store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """The parts every entry point shares."""

    settings: Settings
    config: PolicyConfig
    store: Store
    router: Router
    attachments: AttachmentStorage | None = None  # CONV-5: where attachment content is kept


def policy_config(settings: Settings) -> PolicyConfig:
    """The defaults of docs/policy.md, overridden by the file named in SUPPORTBOT_POLICY."""
    if settings.policy_file is None:
        return PolicyConfig()
    return load_policy(settings.policy_file)


@asynccontextmanager
async def services(
    settings: Settings, auto_upgrade: bool | None = None, observe: Observer | None = None
) -> AsyncIterator[Services]:
    """Open the store (SQLite is migrated on first use) and build the router; close on exit."""
    config = policy_config(settings)
    store = await open_store(settings.database_url, auto_upgrade=auto_upgrade)
    files = FolderStorage(settings.attachments_dir)
    conversation = ConversationSettings(settings.capture_emoji, settings.attachment_max_bytes)
    router = Router(store, config, observe, conversation=conversation, attachments=files)
    try:
        yield Services(settings, config, store, router, files)
    finally:
        await store.close()
