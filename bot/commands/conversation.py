"""POLICY section 7: conversation events through the same handlers and checks as the verbs.

A reply in a case's customer thread is `update` (CONV-2) and a staff reply in its support thread
is `update` by staff, an internal work note (CONV-3): the same handler, checks and effects, in the
router's unit of work, de-duplicated by the platform's message id (R2), so a re-delivered reply
never makes a second update and an edit makes none. "Reply to customer" is `respond`.
Captures (CONV-4) are in `conversation_capture`, files (CONV-5) in `conversation_files`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.commands import respond, update
from bot.commands.conversation_capture import Captures
from bot.commands.conversation_files import Files
from bot.commands.known_roots import KnownRoots
from bot.commands.registry import Handler
from bot.conversation import (
    CaptureSubmitted,
    ChannelMessage,
    ConversationEvent,
    Conversed,
    FileShare,
    OfferOpened,
    Origin,
    Reaction,
    ReplyToCustomer,
    ThreadKind,
    ThreadReply,
    ThreadRoot,
)
from bot.messages import Actor, ChatRequest, Command, Message, Outcome, Refusal, Reply
from bot.model import format_case_number
from bot.policy import conversation as rules
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.conversations import AttachmentStorage

Run = Callable[[ChatRequest, Handler], Awaitable[Reply]]
DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ConversationSettings:
    """The deployment's choices for section 7 (`bot.settings` reads them from the env)."""

    capture_emoji: str = rules.DEFAULT_CAPTURE_EMOJI
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    offer_every: timedelta = rules.OFFER_EVERY


def request(
    origin: Origin,
    actor: Actor,
    now: datetime,
    command: Command,
    request_id: str | None = None,
) -> ChatRequest:
    """The chat request a conversation event amounts to."""
    return ChatRequest(
        platform=origin.platform,
        workspace=origin.workspace,
        channel_id=origin.channel_id,
        actor=actor,
        command=command,
        now=now,
        is_direct=origin.is_direct,
        request_id=request_id,
    )


def case_command(verb: str, number: int, text: str) -> Command:
    """`verb CASE TEXT` as parsed, the text kept exactly as written (line breaks too)."""
    return Command(verb, (str(number), text), raw=f"{verb} {number} {text}", tails=("", text))


class Conversations:
    """`Router.converse`: dispatches each event to its rule."""

    def __init__(
        self,
        store: Store,
        config: PolicyConfig,
        run: Run,
        settings: ConversationSettings | None = None,
        storage: AttachmentStorage | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.run = run
        self.settings = settings or ConversationSettings()
        self.captures = Captures(store, config, run, self.settings)
        self.files = Files(store, config, run, self.settings, storage)
        self.known_roots = KnownRoots()

    async def handle(self, event: ConversationEvent) -> Conversed:
        """Answer one conversation event; never raises for anything a user can do."""
        match event:
            case ThreadReply():
                return await self.thread_reply(event)
            case ReplyToCustomer():
                return await self.reply_to_customer(event)
            case FileShare():
                return await self.files.share(event, self.thread)
            case ChannelMessage():
                return await self.captures.message(event)
            case Reaction():
                return await self.captures.reaction(event)
            case OfferOpened():
                return await self.captures.opened(event)
            case CaptureSubmitted():
                return await self.captures.submitted(event)

    async def thread(self, origin: Origin, root: str) -> ThreadRoot | None:
        """The case thread `root` starts where the event happened, if it is one."""
        async with self.store.unit_of_work(read_only=True) as uow:
            return await uow.threads.find(origin.platform, root, origin.channel_id)

    async def record_root(self, root: ThreadRoot) -> bool:
        """CONV-1: remember a thread root the adapter learned by posting; False if one was."""
        if root in self.known_roots:
            return False  # the store has this thread's root: the insert would be ignored
        async with self.store.unit_of_work() as uow:
            new = await uow.threads.record(root)
            await uow.commit()
        self.known_roots.add(root)
        return new

    async def thread_reply(self, event: ThreadReply) -> Conversed:
        """CONV-2 in the customer thread, CONV-3 in the support thread."""
        text = event.text.strip()
        if event.from_bot or event.edited or not text:
            return Conversed()  # never an update: the bot's own posts, edits (CONV-2)
        root = await self.thread(event.origin, event.thread_root)
        if root is None:
            return Conversed()  # a thread about something else: not the bot's business
        number = root.case_number
        decision = rules.thread_reply(event.actor, root.kind)
        if not decision.allowed:
            return Conversed(
                _hint(number, Reply.refused(decision.rule, decision.reason, decision.instead))
            )
        key = f"conv:{event.origin.platform.value}:{event.origin.channel_id}:{event.message_id}"
        req = request(
            event.origin, event.actor, event.now, case_command("update", number, text), key
        )
        reply = await self.run(req, update.handle)
        if reply.outcome is Outcome.DUPLICATE:
            return Conversed()
        if reply.outcome is not Outcome.OK:
            return Conversed(_hint(number, reply))
        ref = format_case_number(number)
        if root.kind is ThreadKind.SUPPORT:
            done = (
                f"Recorded on case {ref} as an internal note: the customer does not see it. "
                'To answer them, use "Reply to customer" on your message, or `respond`.'
            )
        else:
            done = f"Added to case {ref} as an update."
            if _resumed(reply):
                done += " The case is back with support (CASE-7)."
        return Conversed(Reply.private(done))

    async def reply_to_customer(self, event: ReplyToCustomer) -> Conversed:
        """CONV-3: the explicit action that sends a support-thread message to the customer."""
        root = await self.thread(event.origin, event.thread_root)
        if root is None or root.kind is not ThreadKind.SUPPORT:
            return Conversed(
                Reply.refused(
                    "CONV-3",
                    '"Reply to customer" works on messages in a case\'s support thread.',
                    "Use `respond CASE TEXT`.",
                )
            )
        key = f"conv-reply:{event.origin.platform.value}:{event.message_id}"
        command = case_command("respond", root.case_number, event.text.strip())
        reply = await self.run(
            request(event.origin, event.actor, event.now, command, key), respond.handle
        )
        if reply.outcome is Outcome.DUPLICATE:
            return Conversed(Reply.private("That message was already sent to the customer."))
        if reply.outcome is not Outcome.OK:
            return Conversed(reply)
        ref = format_case_number(root.case_number)
        return Conversed(Reply.private(f"Sent to the customer on case {ref}."))


def _resumed(reply: Reply) -> bool:
    note = getattr(reply.body, "note", None)
    return isinstance(note, str) and "CASE-7" in note


def _hint(number: int, reply: Reply) -> Reply:
    """CONV-2: the private answer to a reply that changed nothing, saying why."""
    ref = format_case_number(number)
    lead = f"Nothing changed: your reply was not added to case {ref}."
    body = reply.body
    if isinstance(body, Refusal):
        return Reply.refused(body.rule, f"{lead} {body.reason}", body.instead)
    if reply.outcome is Outcome.NOT_FOUND:
        return Reply.refused(
            "CONV-2",
            f"{lead} Only designated contacts of the case's account can update it by replying.",
            "Ask a designated contact of that account to add it.",
        )
    text = body.text if isinstance(body, Message) else ""
    return Reply.refused("CONV-2", f"{lead} {text}".strip(), None)
