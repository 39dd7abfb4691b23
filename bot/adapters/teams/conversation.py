"""Teams conversations (POLICY section 7): channel thread replies, edits, reactions, files,
capture offers and the "Reply to customer" message action, as neutral `bot.conversation` events.

A channel thread on Teams is the conversation `{channel};messageid={root}`: a reply names its
thread there (or in `replyToId`), and the bot posts into a thread by posting to that
conversation. Teams has no ephemeral messages in channels, so private answers (CONV-2 hints,
capture offers) go to the person's 1:1 chat with the bot. The activity id is the key the router
de-duplicates on: a re-delivery or an edit (`messageUpdate`) is never a second update.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity

from bot.adapters.teams import activity as convert
from bot.adapters.teams.capture import OFFER_VERB, capture_card, offer_card
from bot.adapters.teams.chats import Place, TeamsChats
from bot.adapters.teams.connector import Connector
from bot.adapters.teams.files import TeamsFiles
from bot.adapters.teams.identity import TeamsIdentities
from bot.cards.teams import render_card, render_cards
from bot.commands.parser import parse_case_ref, split_verb
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
from bot.messages import Actor, Audience, CaseView, Form, Outcome, Reply
from bot.model import Platform
from bot.store.interface import Store

if TYPE_CHECKING:
    from bot.adapters.teams.adapter import Turn

Converse = Callable[[ConversationEvent], Awaitable[Conversed]]
RecordRoot = Callable[[ThreadRoot], Awaitable[bool]]

# Teams names emoji reactions by code point and name ("1f440_eyes"); the name is what counts.
_EMOJI_ID = re.compile(r"^[0-9a-f]{4,6}(?:-[0-9a-f]{4,6})*_")
REPLY_COMMAND = "replyToCustomer"  # the message action's command id (manifest composeExtensions)


@dataclass(frozen=True, slots=True)
class Thread:
    """A channel conversation and the root message of the thread an activity is in."""

    channel: str  # the conversation id without `;messageid=`
    root: str | None


def thread_of(activity: Activity) -> Thread:
    """Where an activity is: `{channel};messageid={root}` or `replyToId` name the thread."""
    conversation = activity.conversation.id if activity.conversation else ""
    channel, _, root = conversation.partition(";messageid=")
    return Thread(channel, root or activity.reply_to_id or None)


class TeamsConversations:
    """Teams activities about conversations in, `Router.converse` answers out."""

    def __init__(
        self,
        converse: Converse,
        identities: TeamsIdentities,
        store: Store,
        connector: Connector,
        chats: TeamsChats,
        files: TeamsFiles,
        clock: Callable[[], datetime],
        record_root: RecordRoot,
    ) -> None:
        self.converse = converse
        self.record_root = record_root
        self.identities = identities
        self.store = store
        self.connector = connector
        self.chats = chats
        self.files = files
        self.clock = clock

    async def message(self, turn: Turn) -> None:
        """Channel talk not addressed to the bot: a thread reply, files, or capture (CONV-4)."""
        activity = turn.activity
        if _from_bot(activity) or not activity.id:
            return
        thread = thread_of(activity)
        actor, origin = await self._who(turn, thread)
        text = convert.command_text(activity)
        if thread.root is None or thread.root == activity.id:
            if text:
                event = ChannelMessage(origin, actor, self.clock(), activity.id, text)
                await self.answer(turn, await self.converse(event), thread)
            return
        if text:
            reply = ThreadReply(origin, actor, self.clock(), activity.id, thread.root, text)
            await self.answer(turn, await self.converse(reply), thread)
        shared = self.files.shared(activity.attachments)
        if shared:
            share = FileShare(origin, actor, self.clock(), activity.id, shared, thread.root)
            await self.answer(turn, await self.converse(share), thread)

    async def edited(self, turn: Turn) -> None:
        """`messageUpdate` (an edit): the same reply again, marked edited (never an update)."""
        activity = turn.activity
        thread = thread_of(activity)
        if _from_bot(activity) or not activity.id or thread.root in (None, activity.id):
            return
        actor, origin = await self._who(turn, thread)
        text = convert.command_text(activity)
        root = thread.root or ""
        event = ThreadReply(origin, actor, self.clock(), activity.id, root, text, edited=True)
        await self.answer(turn, await self.converse(event), thread)

    async def reaction(self, turn: Turn) -> None:
        """`messageReaction`: each added reaction, by its Teams type name (`like`, `heart`...)."""
        activity = turn.activity
        message_id = activity.reply_to_id
        if not message_id:
            return
        thread = thread_of(activity)
        actor, origin = await self._who(turn, thread)
        # Teams names neither the message's author nor its text (it reports reactions to the
        # bot's own posts only): a contact may open as themselves, staff for nobody (CONV-4).
        author = Actor(Platform.TEAMS, "")
        for added in activity.reactions_added or []:
            emoji = reaction_name(str(added.type or ""))
            root = thread.root if thread.root != message_id else None
            event = Reaction(origin, actor, self.clock(), emoji, message_id, author, "", root)
            await self.answer(turn, await self.converse(event), thread)

    async def files_with_update(self, turn: Turn, case_number: int) -> None:
        """CONV-5: files sent in the 1:1 chat with `update CASE ...` are attached to CASE."""
        activity = turn.activity
        shared = self.files.shared(activity.attachments)
        if not shared or not activity.id:
            return
        thread = thread_of(activity)
        actor, origin = await self._who(turn, thread)
        share = FileShare(origin, actor, self.clock(), activity.id, shared, case_number=case_number)
        await self.answer(turn, await self.converse(share), thread)

    async def reply_action(self, turn: Turn) -> dict[str, Any]:
        """CONV-3: the "Reply to customer" message action (`composeExtension/submitAction`)."""
        value = _mapping(turn.activity.value)
        payload = _mapping(value.get("messagePayload"))
        message_id = payload.get("id")
        if value.get("commandId") != REPLY_COMMAND or not isinstance(message_id, str):
            return {}
        typed = _mapping(value.get("data")).get("text")
        body = _mapping(payload.get("body")).get("content")
        text = typed if isinstance(typed, str) and typed.strip() else body
        thread = thread_of(turn.activity)
        root = thread.root or _str(payload.get("replyToId")) or message_id
        actor, origin = await self._who(turn, thread)
        event = ReplyToCustomer(
            origin, actor, self.clock(), message_id, root, convert.plain(str(text or ""))
        )
        conversed = await self.converse(event)
        reply = conversed.reply
        if reply is None or reply.outcome is Outcome.DUPLICATE:
            return _task_message("Already sent.")
        return _task_message(reply_text(reply))

    async def capture_invoke(
        self, turn: Turn, verb: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The offer's "Open a case" button, or its form submitted: the card to show next."""
        capture_id = _str(data.get("capture"))
        if capture_id is None:
            return render_card(Reply.invalid("That offer is no longer available."))
        thread = thread_of(turn.activity)
        actor, origin = await self._who(turn, thread)
        channel = _str(data.get("channel")) or origin.channel_id
        origin = replace(origin, channel_id=channel, is_direct=channel == turn.conversation_id)
        if verb == OFFER_VERB:
            conversed = await self.converse(OfferOpened(origin, actor, self.clock(), capture_id))
        else:
            values = convert.form_values(data)
            key = convert.request_id(turn.activity)
            event = CaptureSubmitted(origin, actor, self.clock(), capture_id, values, key)
            conversed = await self.converse(event)
        reply = conversed.reply or Reply.private("Nothing to do here any more.")
        if isinstance(reply.body, Form):  # the prefilled form, or it again with its errors
            return capture_card(render_card(reply), capture_id, channel)
        return render_card(reply)

    async def answer(self, turn: Turn, conversed: Conversed, thread: Thread) -> None:
        """Post the router's answer: in the thread (channel audience) or in the 1:1 chat."""
        reply = conversed.reply
        if reply is not None and reply.outcome is not Outcome.DUPLICATE:
            if reply.audience is Audience.CHANNEL and not turn.personal:
                root = f";messageid={thread.root}" if thread.root else ""
                await self._post(turn, Place(turn.service_url, thread.channel + root), reply)
            else:
                await self._post(turn, await self._personal(turn), reply)
        if conversed.offer is not None:
            place = await self._personal(turn)
            card = offer_card(conversed.offer, thread.channel)
            await self._send(turn, place, card)

    async def card_posted(self, turn: Turn, reply: Reply, posted: str | None) -> None:
        """CONV-1: a case card answering someone in its channel or 1:1 chat starts its thread.

        In a channel the card is a reply in the asker's thread, so that thread's root is the
        case's; a 1:1 chat has no threads, its root is the card itself. Routes are what outbox
        posts target: the channel id, or the user id for private posts.
        """
        if not isinstance(reply.body, CaseView) or reply.outcome is not Outcome.OK:
            return
        if turn.personal:
            route, root = convert.user_id_of(turn.activity), posted
        elif reply.audience is Audience.CHANNEL:
            thread = thread_of(turn.activity)
            route, root = convert.channel_of(turn.activity), thread.root or turn.activity.id
        else:
            return
        if route and root:
            number = reply.body.case.number
            await self.record_root(
                ThreadRoot(number, Platform.TEAMS, ThreadKind.CUSTOMER, route, root, self.clock())
            )

    async def _post(self, turn: Turn, place: Place, reply: Reply) -> None:
        for card in render_cards(reply):
            await self._send(turn, place, card)

    async def _send(self, turn: Turn, place: Place, card: dict[str, Any]) -> None:
        body = convert.message(card) | {
            "from": turn.bot,
            "conversation": {"id": place.conversation_id},
        }
        await self.connector.post_activity(place.service_url, place.conversation_id, body)

    async def _personal(self, turn: Turn) -> Place:
        if turn.personal:
            return Place(turn.service_url, turn.conversation_id)
        sender = turn.activity.from_property
        return await self.chats.personal(
            convert.user_id_of(turn.activity),
            turn.tenant or None,
            turn.service_url,
            turn.bot,
            sender.id if sender else None,
        )

    async def _who(self, turn: Turn, thread: Thread) -> tuple[Actor, Origin]:
        actor = await self.identities.actor(self.store, turn.asker())
        channel = turn.conversation_id if turn.personal else convert.channel_of(turn.activity)
        return actor, Origin(Platform.TEAMS, turn.tenant, channel or thread.channel, turn.personal)


def reaction_name(kind: str) -> str:
    """A Teams reaction id as the emoji's name: `1f3ab_ticket` -> `ticket`, `like` stays."""
    return _EMOJI_ID.sub("", kind)


def reply_text(reply: Reply) -> str:
    """A short text for a reply shown where only text fits (a message action's answer)."""
    cards = render_cards(reply)
    summary = cards[0].get("fallbackText") if cards else None
    return summary if isinstance(summary, str) and summary else "Done."


def _task_message(text: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": text}}


def _from_bot(activity: Activity) -> bool:
    sender, agent = activity.from_property, activity.recipient
    return bool(sender and agent and sender.id and sender.id == agent.id)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def update_case(text: str) -> int | None:
    """The case of typed `update CASE ...`: files sent with it are attached to CASE (CONV-5)."""
    verb, rest = split_verb(text)
    words = rest.split()
    return parse_case_ref(words[0]) if verb == "update" and words else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
