"""CONV-4: opening a case from a message in a bound account channel, only through a form.

A designated contact's top-level message gets a private offer (at most once per person per
`offer_every`, decided in the database so every replica agrees); a reaction with the configured
emoji offers the prefilled form to a designated contact as themselves, or to staff on behalf of
the message's author. Nothing is opened until the form is submitted, and then by `open` itself
with every check (the opener's, not the clicker's), in the router's unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.casework.tracking import record
from bot.commands import open_case
from bot.commands.context import Context
from bot.commands.forms import FORM_FLAG, open_form
from bot.conversation import (
    CaptureSubmitted,
    CaseOffer,
    ChannelMessage,
    Conversed,
    OfferOpened,
    Origin,
    Reaction,
)
from bot.messages import Actor, CaseView, ChatRequest, Command, Form, Outcome, Reply
from bot.model import Account, CaseEvent, ChannelPurpose, EventKind, Visibility
from bot.policy import conversation as rules
from bot.policy.config import PolicyConfig
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.conversations import Capture
from bot.store.interface.json_values import JsonValue

if TYPE_CHECKING:
    from bot.commands.conversation import ConversationSettings

Handler = Callable[[ChatRequest, Context], Awaitable[Reply]]
Run = Callable[[ChatRequest, Handler], Awaitable[Reply]]

SUMMARY_CHARS = 150  # the prefilled summary: the message's first line, cut here
_EXPIRED = Reply.refused(
    "CONV-4",
    "That offer to open a case is no longer available, or was made to someone else.",
    "Use `open` to open a case.",
)


class Captures:
    """Offers, their forms and their submissions."""

    def __init__(
        self, store: Store, config: PolicyConfig, run: Run, settings: ConversationSettings
    ) -> None:
        self.store = store
        self.config = config
        self.run = run
        self.settings = settings

    async def message(self, event: ChannelMessage) -> Conversed:
        """A top-level message: a private offer for a designated contact, now and then."""
        text = event.text.strip()
        if event.from_bot or event.origin.is_direct or not text or text.startswith("/"):
            return Conversed()
        # Most messages are no one's to capture: decide without taking a writer's turn.
        async with self.store.unit_of_work(read_only=True) as uow:
            found = await self._decide(uow, event.origin, event.actor, None, event.now)
        if isinstance(found, Reply):
            return Conversed()  # an ordinary message of someone else: not the bot's business
        account, opener, _ = found
        capture = _capture(event.origin, event.message_id, account, opener, opener, text, event.now)
        async with self.store.unit_of_work() as uow:
            platform, every = event.origin.platform, self.settings.offer_every
            if not await uow.captures.claim_prompt(platform, event.actor.user_id, event.now, every):
                return Conversed()  # CONV-4: offered within the last 10 minutes
            await uow.captures.add(capture)
            await uow.commit()
        return Conversed(offer=self._offer(capture, account, "Open a case from your message?"))

    async def reaction(self, event: Reaction) -> Conversed:
        """A reaction with the configured emoji: the prefilled form, if the reactor may."""
        if event.emoji.strip(":").casefold() != self.settings.capture_emoji.casefold():
            return Conversed()
        async with self.store.unit_of_work() as uow:
            found = await self._decide(
                uow, event.origin, event.actor, event.message_author, event.now
            )
            if isinstance(found, Reply):
                return Conversed(found)  # nothing is written (R5)
            account, opener, on_behalf = found
            offered_to = event.actor.email or event.actor.user_id
            capture = _capture(
                event.origin,
                event.message_id,
                account,
                opener,
                offered_to,
                event.message_text.strip(),
                event.now,
            )
            await uow.captures.add(capture)
            await uow.commit()
        whose = f" on behalf of {opener}" if on_behalf else ""
        return Conversed(
            offer=self._offer(capture, account, f"Open a case from this message{whose}?")
        )

    async def opened(self, event: OfferOpened) -> Conversed:
        """The offer's button: the prefilled form, to the person it was offered to only."""
        async with self.store.unit_of_work(read_only=True) as uow:
            capture = await uow.captures.get(event.capture_id)
            account = None if capture is None else await uow.directory.account(capture.account_id)
        if capture is None or account is None or not _offered_to(capture, event.actor):
            return Conversed(_EXPIRED)
        return Conversed(Reply(_form(capture, account)))

    async def submitted(self, event: CaptureSubmitted) -> Conversed:
        """The submitted form: `open` for the opener, checked again as of now."""
        async with self.store.unit_of_work(read_only=True) as uow:
            capture = await uow.captures.get(event.capture_id)
            found: tuple[Account, str, bool] | Reply = _EXPIRED
            contact = None
            if capture is not None and _offered_to(capture, event.actor):
                author = await _author(uow, event.origin, capture)
                found = await self._decide(uow, event.origin, event.actor, author, event.now)
                opener = None if isinstance(found, Reply) else found[1]
                contact = None if opener is None else await uow.directory.contact_by_email(opener)
        if capture is None or isinstance(found, Reply) or contact is None:
            return Conversed(found if isinstance(found, Reply) else _EXPIRED)
        account, _, on_behalf = found
        values: dict[str, str | bool] = {**event.values, FORM_FLAG: True, "account": account.id}
        opener_actor = (
            Actor(event.origin.platform, event.actor.user_id, contact=contact)
            if on_behalf
            else event.actor
        )
        req = ChatRequest(
            platform=event.origin.platform,
            workspace=event.origin.workspace,
            channel_id=capture.channel_id,
            actor=opener_actor,
            command=Command("open", options=values, raw="open"),
            now=event.now,
            request_id=event.request_id,
        )
        staff = event.actor.email or event.actor.user_id
        return Conversed(await self.run(req, _captured(capture, staff if on_behalf else None)))

    async def _decide(
        self,
        uow: UnitOfWork,
        origin: Origin,
        actor: Actor,
        author: Actor | None,
        now: datetime,
    ) -> tuple[Account, str, bool] | Reply:
        """The account, the opener's e-mail and whether staff act for them; else the refusal."""
        channel = await uow.directory.channel(origin.platform, origin.channel_id)
        account = None
        if channel is not None and channel.purpose is ChannelPurpose.ACCOUNT and channel.account_id:
            account = await uow.directory.account(channel.account_id)
        zone = self.config.account_time_zone(account) if account is not None else "UTC"
        today = now.astimezone(ZoneInfo(zone)).date()
        decided = rules.capture(actor, author, account, channel, today)
        if not decided.decision.allowed or decided.opener is None or account is None:
            d = decided.decision
            return Reply.refused(d.rule, d.reason, d.instead)
        return account, decided.opener.email, decided.on_behalf

    def _offer(self, capture: Capture, account: Account, text: str) -> CaseOffer:
        return CaseOffer(capture.id, text, _form(capture, account))


def _capture(
    origin: Origin,
    message_id: str,
    account: Account,
    author: str,
    offered_to: str,
    text: str,
    now: datetime,
) -> Capture:
    return Capture(
        id=uuid.uuid4().hex,
        platform=origin.platform,
        channel_id=origin.channel_id,
        message_id=message_id,
        account_id=account.id,
        author=author,
        offered_to=offered_to,
        text=text,
        created_at=now,
    )


def _offered_to(capture: Capture, actor: Actor) -> bool:
    return capture.offered_to in (actor.email, actor.user_id)


async def _author(uow: UnitOfWork, origin: Origin, capture: Capture) -> Actor | None:
    """The message's author as recorded when the offer was made (staff act on their behalf)."""
    contact = await uow.directory.contact_by_email(capture.author)
    return None if contact is None else Actor(origin.platform, capture.author, contact=contact)


def _form(capture: Capture, account: Account) -> Form:
    """CASE-2's open form, prefilled from the message (its first line as the summary)."""
    first_line = capture.text.splitlines()[0] if capture.text else ""
    values: dict[str, str | bool] = {
        "summary": first_line[:SUMMARY_CHARS],
        "description": capture.text,
    }
    return replace(
        open_form([account], values),
        guidance=f"For account {account.id}. Nothing is opened until you submit this form. "
        "One issue per case (CASE-9).",
    )


def _captured(capture: Capture, on_behalf_by: str | None) -> Handler:
    """`open` from a captured message; staff acting for the author are recorded by name too."""

    async def handle(req: ChatRequest, ctx: Context) -> Reply:
        reply = await open_case.handle(req, ctx)
        body = reply.body
        if reply.outcome is not Outcome.OK or not isinstance(body, CaseView):
            return reply
        detail: dict[str, JsonValue] = {"capture": capture.id, "message": capture.message_id}
        if on_behalf_by is not None:
            case = await ctx.uow.cases.get_for_change(body.case.number)
            if case is not None:
                note = CaseEvent(
                    EventKind.WORK_NOTE,
                    req.now,
                    on_behalf_by,
                    req.platform,
                    Visibility.INTERNAL,
                    f"Opened by {on_behalf_by} on behalf of {capture.author} from their "
                    "message in the account channel (CONV-4).",
                )
                account = body.account
                await record(ctx, case, account, note)
            detail["on_behalf_by"] = on_behalf_by
        await ctx.audit(req, "case.captured", body.case.number, **detail)
        return reply

    return handle
