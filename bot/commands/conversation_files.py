"""CONV-5: files shared in a case thread or with an update become the case's attachments.

Only someone allowed to update the case attaches (the checks of `update`, run before anything is
downloaded and again when the attachment is written). The content goes to the deployment's
`AttachmentStorage`, the metadata into the case's unit of work; content stored for a write that
did not happen (a refusal, a re-delivery) is deleted again.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands.context import Context, check_action, visible_case
from bot.conversation import Conversed, FileShare, Origin, SharedFile, ThreadRoot
from bot.messages import Actor, ChatRequest, Command, Message, Outcome, Reply
from bot.model import Platform, Status, format_case_number
from bot.policy.access import Action
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.conversations import Attachment, AttachmentStorage

if TYPE_CHECKING:
    from bot.commands.conversation import ConversationSettings

Handler = Callable[[ChatRequest, Context], Awaitable[Reply]]
Run = Callable[[ChatRequest, Handler], Awaitable[Reply]]
FindThread = Callable[[Origin, str], Awaitable[ThreadRoot | None]]

SANITISED_LOGS = (
    "Please send only sanitised logs: remove personal data, passwords, keys and other "
    "secrets before you share them (CONV-5)."
)
PURGED = (
    "The attachments of this case were deleted 30 days after it closed: please send the files "
    "again if support still needs them (CONV-5)."
)


async def attachments_purged(ctx: Context, case_number: int) -> bool:
    """CONV-5: were the case's attachments purged (a reopened case asks for them again)?"""
    found = await ctx.uow.attachments.for_case(case_number, include_purged=True)
    return any(a.purged_at is not None for a in found)


@dataclass(frozen=True, slots=True)
class Stored:
    """A file whose content is in the storage, waiting for its metadata row."""

    file: SharedFile
    key: str
    size: int


def storage_key(case_number: int, name: str) -> str:
    """A fresh key: the case, a random part, and the file name made safe for a path."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-100:].lstrip(".")
    return f"{case_number}/{uuid.uuid4().hex}-{safe or 'file'}"


class Files:
    """Attaching shared files, and fetching them for support."""

    def __init__(
        self,
        store: Store,
        config: PolicyConfig,
        run: Run,
        settings: ConversationSettings,
        storage: AttachmentStorage | None,
    ) -> None:
        self.store = store
        self.config = config
        self.run = run
        self.settings = settings
        self.storage = storage

    async def share(self, event: FileShare, thread: FindThread) -> Conversed:
        """Attach the shared files to the case of the thread (or the one the update names)."""
        number = event.case_number
        if number is None and event.thread_root is not None:
            root = await thread(event.origin, event.thread_root)
            number = None if root is None else root.case_number
        if number is None or not event.files:
            return Conversed()  # files elsewhere are not the bot's business
        req = _request(event, number, None)
        checked = await self.run(req, _may_attach(number))
        if checked.outcome is not Outcome.OK:
            return Conversed(checked)
        if self.storage is None:
            return Conversed(
                Reply.refused(
                    "CONV-5",
                    "This deployment does not keep attachments.",
                    "Describe what the file shows in a reply instead.",
                )
            )
        stored, skipped = await self._store(number, await self._not_attached(number, event))
        key = f"conv-file:{event.origin.platform.value}:{event.message_id}"
        reply = await self.run(_request(event, number, key), _attach(number, stored, skipped))
        if reply.outcome is not Outcome.OK:
            for item in stored:
                await self.storage.delete(item.key)  # nothing refers to it
            return Conversed(None if reply.outcome is Outcome.DUPLICATE else reply)
        return Conversed(reply)

    async def _not_attached(self, number: int, event: FileShare) -> tuple[SharedFile, ...]:
        """The shared files the case does not hold yet: a platform's re-delivery of the same
        message (or the same file shared again) is not downloaded a second time; a file whose
        stored copy was purged is (the case asked for it again)."""
        async with self.store.unit_of_work(read_only=True) as uow:
            held = await uow.attachments.for_case(number)
        platform = event.origin.platform
        known = {a.file_id for a in held if a.platform == platform}
        return tuple(f for f in event.files if f.file_id not in known)

    async def _store(
        self, number: int, files: tuple[SharedFile, ...]
    ) -> tuple[list[Stored], list[str]]:
        limit = self.settings.max_attachment_bytes
        stored: list[Stored] = []
        skipped: list[str] = []
        if self.storage is None:
            return stored, [f.name for f in files]
        for file in files:
            if file.size > limit:
                skipped.append(file.name)
                continue
            try:
                content = await file.fetch(limit)
            except ValueError:
                skipped.append(file.name)  # larger than it said
                continue
            key = storage_key(number, file.name)
            await self.storage.put(key, content)
            stored.append(Stored(file, key, len(content)))
        return stored, skipped

    async def fetch(self, actor: Actor, attachment_id: int) -> tuple[Attachment, bytes] | Reply:
        """CONV-5: support fetch an attachment's content; everyone else is refused (ACC-8)."""
        if not actor.is_staff:
            return Reply.refused(
                "ACC-8", "Only support staff can fetch attachments.", "Ask your support analyst."
            )
        async with self.store.unit_of_work(read_only=True) as uow:
            found = await uow.attachments.get(attachment_id)
        if found is None or found.purged_at is not None or self.storage is None:
            return Reply.invalid("That attachment is not (or no longer) stored.")
        try:
            return found, await self.storage.get(found.storage_key)
        except KeyError:
            return Reply.invalid("That attachment is not (or no longer) stored.")


def _request(event: FileShare, number: int, key: str | None) -> ChatRequest:
    o = event.origin
    return ChatRequest(
        platform=o.platform,
        workspace=o.workspace,
        channel_id=o.channel_id,
        actor=event.actor,
        command=Command("update", (str(number),), raw=f"update {number}"),
        now=event.now,
        is_direct=o.is_direct,
        request_id=key,
    )


def _closed(number: int) -> Reply:
    return Reply.refused(
        "REO-1",
        f"Case {format_case_number(number)} is closed, so it can't take attachments.",
        f"Reopen it with `reopen {number} <why it is not resolved>`, or open a new case.",
    )


def _may_attach(number: int) -> Handler:
    """The checks of `update`; writes nothing."""

    async def handle(req: ChatRequest, ctx: Context) -> Reply:
        case, account = await visible_case(req, ctx, str(number))
        await check_action(req, ctx, Action.UPDATE, account)
        if case.status is Status.CLOSED:
            return _closed(number)
        return Reply(Message("May attach."))

    return handle


def _attach(number: int, stored: list[Stored], skipped: list[str]) -> Handler:
    """Record the stored files on the case, checked again in the writing unit of work."""

    async def handle(req: ChatRequest, ctx: Context) -> Reply:
        case, account = await visible_case(req, ctx, str(number), for_change=True)
        await check_action(req, ctx, Action.UPDATE, account)
        if case.status is Status.CLOSED:
            return _closed(number)
        before = await ctx.uow.attachments.for_case(number, include_purged=True)
        author = req.actor.email or req.actor.user_id
        added: list[Attachment] = []
        for item in stored:
            row = await ctx.uow.attachments.add(_attachment(number, item, author, req))
            if row is not None:
                added.append(row)
        limit_note = ""
        if skipped:
            limit_note = f" Not attached (too large or unreadable): {', '.join(skipped)}."
        if not added:
            return Reply(Message(f"Nothing new to attach.{limit_note}"), outcome=Outcome.INVALID)
        names = [a.name for a in added]
        await ctx.audit(req, "case.attach", number, files=list(names))
        text = f"Attached to case {case.ref}: {', '.join(names)}.{limit_note}"
        if not before and not req.actor.is_staff:
            text += f" {SANITISED_LOGS}"
        return Reply(Message(text))

    return handle


def _attachment(number: int, item: Stored, author: str, req: ChatRequest) -> Attachment:
    return Attachment(
        case_number=number,
        name=item.file.name[:500],
        content_type=item.file.content_type[:200] or "application/octet-stream",
        size=item.size,
        uploaded_by=author,
        platform=Platform(req.platform),
        file_id=item.file.file_id,
        storage_key=item.key,
        uploaded_at=req.now,
    )
