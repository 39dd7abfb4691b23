"""The world of the section 7 tests: the command-test directory on each database, the real
router, and people who type commands or talk in threads, channels and reactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.commands import identity
from bot.commands.conversation import ConversationSettings
from bot.commands.router import Router
from bot.conversation import (
    ChannelMessage,
    Conversed,
    FileShare,
    Origin,
    Reaction,
    ReplyToCustomer,
    SharedFile,
    ThreadKind,
    ThreadReply,
    ThreadRoot,
)
from bot.messages import Actor, CaseView, ChatRequest, Command, Reply
from bot.model import Case, Platform
from bot.policy.config import PolicyConfig
from bot.store.files import FolderStorage
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage, OutboxState

DIRECTORY = Path(__file__).resolve().parents[1] / "unit" / "commands" / "directory.yaml"
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, inside NA business hours
ALICE, DAVE, RITA, BOB = (f"{n}@acme.example" for n in ("alice", "dave", "rita", "bob"))
GINA, ANA, ADAM = "gina@globex.example", "ana@vendor.example", "adam@vendor.example"
UNMAPPED = "mallory@unknown.example"
CARD_TS = "1700000000.000100"  # the case card in #acme: the customer thread's root
ALERT_TS = "1700000000.000200"  # the new-case alert in the queue: the support thread's root
DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"


@dataclass
class World:
    store: Store
    router: Router
    folder: Path
    now: datetime = T0
    fetched: list[str] = field(default_factory=list)
    _ids: int = 0

    def later(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def next_id(self) -> str:
        self._ids += 1
        return f"1700000100.{self._ids:06d}"

    async def actor(self, email: str) -> Actor:
        async with self.store.unit_of_work(read_only=True) as uow:
            return await identity.by_email(uow.directory, Platform.SLACK, f"U:{email}", email)

    async def say(self, email: str, text: str, channel: str | None = None) -> Reply:
        req = ChatRequest(
            platform=Platform.SLACK,
            workspace="T1",
            channel_id=channel or "D-DIRECT",
            actor=await self.actor(email),
            command=Command.unparsed(text),
            now=self.now,
            is_direct=channel is None,
        )
        return await self.router.handle(req)

    async def open_in_channel(self, email: str = ALICE) -> int:
        """A case opened in #acme, its card posted there and recorded as the thread root."""
        reply = await self.say(
            email, f'open medium "Reports export fails" --description "{DESCRIPTION}"', "CACME"
        )
        assert isinstance(reply.body, CaseView), reply
        number = reply.body.case.number
        root = ThreadRoot(number, Platform.SLACK, ThreadKind.CUSTOMER, "CACME", CARD_TS, self.now)
        assert await self.router.record_thread_root(root)
        return number

    async def deliver(self, target: str, ts: str) -> OutboxMessage:
        """The deliverer posted the oldest pending post to `target` as message `ts`."""
        mine = [m for m in await self.pending() if m.target == target]
        async with self.store.unit_of_work() as uow:
            await uow.outbox.mark_sent(mine[0].id, ts, self.now)
            await uow.commit()
        return mine[0]

    async def pending(self) -> list[OutboxMessage]:
        async with self.store.unit_of_work(read_only=True) as uow:
            return await uow.outbox.listing(OutboxState.PENDING, 1000)

    async def case(self, number: int) -> Case:
        async with self.store.unit_of_work(read_only=True) as uow:
            found = await uow.cases.get(number)
        assert found is not None
        return found

    async def reply(
        self,
        email: str,
        text: str,
        root: str = CARD_TS,
        channel: str = "CACME",
        message_id: str | None = None,
        edited: bool = False,
    ) -> Conversed:
        return await self.router.converse(
            ThreadReply(
                self.origin(channel),
                await self.actor(email),
                self.now,
                message_id or self.next_id(),
                root,
                text,
                edited=edited,
            )
        )

    async def reply_to_customer(self, email: str, message_id: str, text: str) -> Conversed:
        return await self.router.converse(
            ReplyToCustomer(
                self.origin("CQUEUE"), await self.actor(email), self.now, message_id, ALERT_TS, text
            )
        )

    async def message(self, email: str, text: str, channel: str = "CACME") -> Conversed:
        return await self.router.converse(
            ChannelMessage(
                self.origin(channel), await self.actor(email), self.now, self.next_id(), text
            )
        )

    async def react(
        self, email: str, author: str, text: str, emoji: str = "ticket", channel: str = "CACME"
    ) -> Conversed:
        return await self.router.converse(
            Reaction(
                self.origin(channel),
                await self.actor(email),
                self.now,
                emoji,
                self.next_id(),
                await self.actor(author),
                text,
            )
        )

    async def share(
        self,
        email: str,
        files: Sequence[tuple[str, bytes]],
        root: str | None = CARD_TS,
        case_number: int | None = None,
        message_id: str | None = None,
    ) -> Conversed:
        shared = tuple(_file(name, content, self.fetched) for name, content in files)
        return await self.router.converse(
            FileShare(
                self.origin("CACME"),
                await self.actor(email),
                self.now,
                message_id or self.next_id(),
                shared,
                thread_root=root,
                case_number=case_number,
            )
        )

    @staticmethod
    def origin(channel: str) -> Origin:
        return Origin(Platform.SLACK, "T1", channel)

    def stored_files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file())


def _file(name: str, content: bytes, fetched: list[str]) -> SharedFile:
    async def fetch(limit: int) -> bytes:
        fetched.append(name)  # files are fetched only once the sharer may attach them
        if len(content) > limit:
            raise ValueError("larger than the limit")
        return content

    return SharedFile(f"F-{name}", name, len(content), "text/plain", fetch)


def build(store: Store, folder: Path, max_bytes: int = 1000) -> World:
    settings = ConversationSettings(max_attachment_bytes=max_bytes)
    router = Router(store, PolicyConfig(), conversation=settings, attachments=FolderStorage(folder))
    return World(store, router, folder)
