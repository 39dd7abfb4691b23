"""The request pipeline shared by Slack, Teams and the console.

1. Refuse over-long input, split the verb off and parse options (usage line on errors).
2. Open one unit of work; claim the request's de-duplication key (R2). Read verbs
   (`Verb.read_only`) get a read-only unit of work and claim their key in memory instead (#18).
3. Resolve the channel binding (ACC-9) and run the verb's handler.
4. Commit when the action happened; a refusal or invalid input writes nothing but the
   de-duplication key (R5). Any unexpected error is logged and answered politely (R6).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.commands import overview, registry, suggest
from bot.commands.context import Context, Refused
from bot.commands.conversation import Conversations, ConversationSettings
from bot.commands.limits import control_character
from bot.commands.parser import (
    MAX_COMMAND_CHARS,
    ParseError,
    build_command,
    parse_case_ref,
    split_verb,
)
from bot.commands.registry import VERBS, Handler
from bot.commands.retries import RetryWindow
from bot.commands.verb import Verb
from bot.conversation import ConversationEvent, Conversed, ThreadRoot
from bot.messages import ChatRequest, Command, Message, Outcome, Reply
from bot.policy import access
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.conversations import AttachmentStorage
from bot.store.interface.errors import ConnectionLost

Observer = Callable[[ChatRequest, Reply, float], None]  # request, reply, seconds (metrics)
# Verbs that only read: a read-only unit of work, R2 in memory (`retries`), no writer turn.
READ_VERBS = frozenset(verb.name for verb in VERBS.values() if verb.read_only)
log = logging.getLogger(__name__)


class Router:
    """Runs chat requests through the handlers, one transaction each."""

    def __init__(
        self,
        store: Store,
        config: PolicyConfig,
        observe: Observer | None = None,
        conversation: ConversationSettings | None = None,
        attachments: AttachmentStorage | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.handlers: dict[str, Handler] = dict(registry.HANDLERS)
        self.observe = observe
        self.retries = RetryWindow()
        self.conversations = Conversations(store, config, self.run, conversation, attachments)

    async def converse(self, event: ConversationEvent) -> Conversed:
        """POLICY section 7: a thread reply, reaction, file or channel message (I17_INTERFACE)."""
        try:
            return await self.conversations.handle(event)
        except Exception:
            return Conversed(went_wrong(f"conversation event {type(event).__name__}"))

    async def record_thread_root(self, root: ThreadRoot) -> bool:
        """CONV-1: the adapter posted a case's first card at `root`; False if a root was known."""
        return await self.conversations.record_root(root)

    async def run(self, req: ChatRequest, handler: Handler) -> Reply:
        """Run `handler` for a request already parsed, as `handle` runs a verb's (R2, R5)."""
        started = time.perf_counter()
        try:
            try:
                reply = await self._run(req, handler)
            except ConnectionLost:
                log.warning("database connection lost; running %s once more", req.command.verb)
                reply = await self._run(req, handler)  # nothing was written (see ConnectionLost)
        except Exception:
            reply = went_wrong(f"handler {req.command.verb}")
        if self.observe is not None:
            self.observe(req, reply, time.perf_counter() - started)
        return reply

    def parse(self, req: ChatRequest) -> ChatRequest | Reply:
        """The request with its command parsed, or the usage reply."""
        found = control_character(_texts(req.command))
        if found is not None:
            return Reply.invalid(
                f"Your message contains an invisible control character ({found}) that can't be "
                "stored. Remove it (retype the text rather than pasting it) and send it again."
            )
        if req.command.is_parsed:
            return req
        raw = req.command.raw
        if len(raw) > MAX_COMMAND_CHARS:
            return Reply.invalid(
                f"That message is too long ({len(raw):,} characters; the limit is "
                f"{MAX_COMMAND_CHARS:,}). Attach long logs to the case instead."
            )
        name, rest = split_verb(raw)
        verb = VERBS.get(name)
        if not name:
            name, rest, verb = "help", "", VERBS["help"]
        if verb is not None and verb.name == "take" and not self._may_know(req, verb):
            # A Take button can reach a customer on a shared card: say who takes cases.
            return _take_refused()
        if verb is None or not self._may_know(req, verb):
            known = [v.name for v in VERBS.values() if self._may_know(req, v)]
            return _unknown(name, rest, known)
        try:
            return replace(req, command=build_command(verb.name, rest, verb.kinds, raw))
        except ParseError as err:
            return Reply.invalid(f"{err}. Usage: `{verb.usage}`")

    async def handle(self, req: ChatRequest) -> Reply:
        """Answer one request; never raises for anything a user can type."""
        started = time.perf_counter()
        parsed = self.parse(req)
        reply = await self._handle(req, parsed)
        if self.observe is not None:
            self.observe(
                parsed if isinstance(parsed, ChatRequest) else req,
                reply,
                time.perf_counter() - started,
            )
        return reply

    async def overview(self, req: ChatRequest) -> Reply:
        """The asker's overview (`bot.commands.overview`), asked for without typing: read only."""
        try:
            return await self._read(req, overview.handle)
        except Exception:
            return went_wrong("overview")

    async def _handle(self, req: ChatRequest, parsed: ChatRequest | Reply) -> Reply:
        if isinstance(parsed, Reply):
            return await self._answer_without_change(req, parsed)
        handler = self.handlers.get(parsed.command.verb)
        if handler is None:
            return _unknown(parsed.command.verb)
        try:
            try:
                return await self._run(parsed, handler)
            except ConnectionLost:
                log.warning("database connection lost; running %s once more", parsed.command.verb)
                return await self._run(parsed, handler)  # nothing was written (see ConnectionLost)
        except Exception:
            return went_wrong(f"handler {parsed.command.verb}")

    async def _run(self, req: ChatRequest, handler: Handler) -> Reply:
        if req.command.verb in READ_VERBS:
            return await self._read(req, handler)
        async with self.store.unit_of_work() as uow:
            if req.request_id is not None and not await uow.inbound.claim(req.request_id, req.now):
                return Reply(Message("Already handled."), outcome=Outcome.DUPLICATE)
            if req.channel is None:
                req = replace(
                    req, channel=await uow.directory.channel(req.platform, req.channel_id)
                )
            ctx = Context(uow, self.config)
            try:
                reply = await handler(req, ctx)
            except Refused as refused:
                reply = refused.reply
            if reply.outcome is Outcome.OK or ctx.keep_writes:
                await uow.commit()
                return reply
            await uow.rollback()
        return await self._answer_without_change(req, reply)

    async def _read(self, req: ChatRequest, handler: Handler) -> Reply:
        """A read verb: a read-only unit of work (no writer turn, no lock) and R2 in memory."""
        key = req.request_id
        if key is not None and not self.retries.claim(key, req.now):
            return Reply(Message("Already handled."), outcome=Outcome.DUPLICATE)
        try:
            async with self.store.unit_of_work(read_only=True) as uow:
                if req.channel is None:
                    channel = await uow.directory.channel(req.platform, req.channel_id)
                    req = replace(req, channel=channel)
                try:
                    return await handler(req, Context(uow, self.config))
                except Refused as refused:
                    return refused.reply
        except BaseException:
            if key is not None:
                self.retries.release(key)  # nothing was answered: a retry should run it
            raise

    async def _answer_without_change(self, req: ChatRequest, reply: Reply) -> Reply:
        """Remember a refused or invalid request as handled, so a retry does not answer twice."""
        if req.request_id is None:
            return reply
        async with self.store.unit_of_work() as uow:
            if not await uow.inbound.claim(req.request_id, req.now):
                return Reply(Message("Already handled."), outcome=Outcome.DUPLICATE)
            await uow.commit()
        return reply

    @staticmethod
    def _may_know(req: ChatRequest, verb: Verb[Any]) -> bool:
        # PRODUCT.md: staff verbs are refused for customers exactly like an unknown verb.
        return not access.is_staff_verb(verb.action) or req.actor.is_staff


def _texts(command: Command) -> list[str]:
    """Every piece of text a command carries, as typed or as a form filled it in."""
    values = [v for v in command.options.values() if isinstance(v, str)]
    return [command.raw, command.verb, *command.args, *command.tails, *values]


def went_wrong(what: str) -> Reply:
    """Log the exception being handled with a reference, and answer the user politely (R6)."""
    reference = uuid.uuid4().hex[:8]
    log.exception("%s failed (reference %s)", what, reference)
    return Reply(
        Message(
            "Something went wrong on our side and nothing was changed "
            f"(reference {reference}). Please try again in a moment."
        ),
        outcome=Outcome.ERROR,
    )


def _unknown(name: str, rest: str = "", known: list[str] | None = None) -> Reply:
    shown = name[:30]
    meant = suggest.verb(name, known or [])
    hint = ""
    if meant is not None:
        # The case number comes along (cleaned of stuck-on punctuation); other words do not.
        words = rest.split()
        first = words[0] if words else ""
        number = suggest.case_ref(first) or (first if parse_case_ref(first) else None)
        attempt = meant if number is None else f"{meant} {number}"
        if number is not None and len(words) > 1:
            attempt += " ..."
        hint = f" Did you mean `{attempt}`?"
    return Reply.invalid(f"Unknown command `{shown}`.{hint} Type `help` to see what you can do.")


def _take_refused() -> Reply:
    return Reply.refused(
        "ACC-8",
        "Only the vendor's support analysts can take a case: taking makes them its owner.",
        "The support team assigns every case. To add something to yours, use `update CASE TEXT`.",
    )


def unparsed(req: ChatRequest, text: str) -> ChatRequest:
    """`req` carrying `text` as typed, for `Router.handle` to parse."""
    return replace(req, command=Command.unparsed(text))
