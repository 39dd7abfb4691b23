"""Slack conversations (POLICY section 7): thread replies, edits, reactions, files, capture offers
and the "Reply to customer" shortcut, converted to the neutral events of `bot.conversation`.

Only conversion and delivery live here; whether a reply becomes an update, a hint or nothing is
`Router.converse`'s decision. Threads are Slack's `thread_ts`: a message whose `thread_ts`
differs from its own `ts` is a reply in that thread. Slack re-delivers an event it thinks was
not acknowledged (`X-Slack-Retry-Num`); the message's `ts` is the key the router de-duplicates
on, so a retry or an edit (`message_changed`) never becomes a second update (CONV-2).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.capture import CAPTURE_CALLBACK, OFFER_ACTION, SlackCapture, post_conversed
from bot.adapters.slack.delivery import Destination, SlackPoster
from bot.adapters.slack.files import SlackFiles
from bot.adapters.slack.identity import SlackUsers
from bot.adapters.slack.manifest import SHORTCUT_REPLY
from bot.adapters.slack.payload import decoded, form_values
from bot.adapters.slack.requests import user_team
from bot.commands.parser import parse_case_ref, split_verb
from bot.conversation import (
    ChannelMessage,
    ConversationEvent,
    Conversed,
    FileShare,
    Origin,
    Reaction,
    ReplyToCustomer,
    ThreadReply,
)
from bot.model import Platform

log = logging.getLogger(__name__)

Converse = Callable[[ConversationEvent], Awaitable[Conversed]]
Ack = Callable[..., Awaitable[None]]
Spawn = Callable[[Coroutine[Any, Any, None]], None]

# Subtypes that are a person's own message; joins, topic changes, deletions and bots are not.
_PEOPLES_SUBTYPES = (None, "file_share", "thread_broadcast")


class SlackConversations:
    """Slack events about conversations in, `Router.converse` answers out."""

    def __init__(
        self,
        converse: Converse,
        users: SlackUsers,
        client: AsyncWebClient,
        poster: SlackPoster,
        files: SlackFiles,
        clock: Callable[[], datetime],
        capture_emoji: str,
    ) -> None:
        self.converse = converse
        self.users = users
        self.client = client
        self.poster = poster
        self.files = files
        self.clock = clock
        self.capture_emoji = capture_emoji.strip(":")
        self.capture = SlackCapture(converse, users, client, poster, clock)

    def register(self, app: AsyncApp, spawn: Spawn) -> None:
        """Bolt listeners for reactions, capture offers and the "Reply to customer" shortcut."""

        async def on_reaction(event: dict[str, Any], body: dict[str, Any]) -> None:
            spawn(self.reaction(event, body))

        async def on_reply(ack: Ack, body: dict[str, Any]) -> None:
            spawn(self.reply_shortcut(body))
            await ack()

        async def on_offer(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
            # The modal must open within the click's 3 seconds: before the acknowledgement.
            await self.capture.offer_clicked(body, action)
            await ack()

        async def on_capture(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            values = form_values(view.get("state") or {})
            after = await self.capture.capture_submitted(body, view, values, ack)
            if after is not None:
                spawn(after())

        app.event("reaction_added")(on_reaction)
        app.shortcut(SHORTCUT_REPLY)(on_reply)
        app.action(OFFER_ACTION)(on_offer)
        app.view(CAPTURE_CALLBACK)(on_capture)

    @staticmethod
    def is_conversation(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
        """Whether a `message` event is a conversation (else the DM command path answers it)."""
        if event.get("subtype") == "message_changed":
            return True
        if event.get("channel_type") == "im" and not _in_thread(event):
            return False  # a DM to the bot is a command, as before
        return not _mentions(event, bot_user_id)  # a mention is a command (app_mention)

    async def message(
        self, event: Mapping[str, Any], body: Mapping[str, Any], bot_user_id: str | None
    ) -> None:
        """A message in a channel or thread the bot is in: a reply, an edit, files or capture."""
        if event.get("subtype") == "message_changed":
            await self._edited(event, body, bot_user_id)
            return
        user = _str(event.get("user"))
        channel = _str(event.get("channel"))
        ts = _str(event.get("ts"))
        if event.get("subtype") not in _PEOPLES_SUBTYPES or event.get("bot_id"):
            return
        if user is None or channel is None or ts is None or user == bot_user_id:
            return  # CONV-2: the bot's own posts never become updates
        origin = _origin(event, body)
        actor = await self.users.actor(origin.workspace, user)
        text = decoded(str(event.get("text", "")))
        root = _str(event.get("thread_ts"))
        to = Destination(user, channel, None, origin.is_direct, root)
        if root is None or root == ts:
            if text and not origin.is_direct:
                event_out = ChannelMessage(origin, actor, self.clock(), ts, text)
                await self._answer(await self.converse(event_out), to)
            return
        if text:
            reply = ThreadReply(origin, actor, self.clock(), ts, root, text)
            await self._answer(await self.converse(reply), to)
        shared = self.files.shared(event.get("files"))
        if shared:
            share = FileShare(origin, actor, self.clock(), ts, shared, thread_root=root)
            await self._answer(await self.converse(share), to)

    async def files_with_update(
        self, event: Mapping[str, Any], body: Mapping[str, Any], case_number: int
    ) -> None:
        """CONV-5: files sent with `update CASE ...` (a DM or a mention) are attached to CASE."""
        user, channel, ts = _str(event.get("user")), _str(event.get("channel")), event.get("ts")
        shared = self.files.shared(event.get("files"))
        if user is None or channel is None or not isinstance(ts, str) or not shared:
            return
        origin = _origin(event, body)
        actor = await self.users.actor(origin.workspace, user)
        share = FileShare(origin, actor, self.clock(), ts, shared, case_number=case_number)
        to = Destination(user, channel, None, origin.is_direct, _str(event.get("thread_ts")))
        await self._answer(await self.converse(share), to)

    async def _edited(
        self, event: Mapping[str, Any], body: Mapping[str, Any], bot_user_id: str | None
    ) -> None:
        edited = event.get("message")
        previous = event.get("previous_message")
        if not isinstance(edited, Mapping):
            return
        before = previous if isinstance(previous, Mapping) else {}
        user = _str(edited.get("user"))
        ts = _str(edited.get("ts")) or _str(before.get("ts"))
        root = _str(edited.get("thread_ts")) or _str(before.get("thread_ts"))
        channel = _str(event.get("channel"))
        if user is None or ts is None or channel is None or root is None or root == ts:
            return  # an edited top-level message is nobody's update
        if edited.get("bot_id") or user == bot_user_id:
            return
        origin = _origin(event, body, edited)
        actor = await self.users.actor(origin.workspace, user)
        text = decoded(str(edited.get("text", "")))
        reply = ThreadReply(origin, actor, self.clock(), ts, root, text, edited=True)
        to = Destination(user, channel, None, origin.is_direct, root)
        await self._answer(await self.converse(reply), to)

    async def reaction(self, event: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        """CONV-4: the capture emoji on a message; any other reaction is ignored unread."""
        item = event.get("item")
        user = _str(event.get("user"))
        emoji = str(event.get("reaction", "")).split("::", 1)[0]  # "ticket::skin-tone-2"
        if not isinstance(item, Mapping) or item.get("type") != "message" or user is None:
            return
        if emoji != self.capture_emoji:
            return  # no history is read for reactions that cannot open anything
        channel, ts = _str(item.get("channel")), _str(item.get("ts"))
        if channel is None or ts is None:
            return
        team = user_team(event, body)
        origin = Origin(Platform.SLACK, team, channel, channel.startswith("D"))
        message = await self._message_at(channel, ts)
        author_id = _str(event.get("item_user")) or _str(message.get("user")) or ""
        actor = await self.users.actor(team, user)
        author = await self.users.actor(team, author_id)
        root = _str(message.get("thread_ts"))
        reaction = Reaction(
            origin,
            actor,
            self.clock(),
            emoji,
            ts,
            author,
            decoded(str(message.get("text", ""))),
            thread_root=root if root != ts else None,
        )
        await self._answer(await self.converse(reaction), Destination(user, channel, None))

    async def reply_shortcut(self, body: Mapping[str, Any]) -> None:
        """CONV-3: "Reply to customer" on a message in the support thread."""
        message = body.get("message") or {}
        user = body.get("user") or {}
        channel = _str((body.get("channel") or {}).get("id"))
        ts = _str(message.get("ts")) if isinstance(message, Mapping) else None
        user_id = _str(user.get("id")) if isinstance(user, Mapping) else None
        if channel is None or ts is None or user_id is None or not isinstance(message, Mapping):
            return
        team = _str(user.get("team_id")) or _str((body.get("team") or {}).get("id")) or ""
        origin = Origin(Platform.SLACK, team, channel, channel.startswith("D"))
        actor = await self.users.actor(team, user_id)
        root = _str(message.get("thread_ts")) or ts
        text = decoded(str(message.get("text", "")))
        event = ReplyToCustomer(origin, actor, self.clock(), ts, root, text)
        await self._answer(await self.converse(event), Destination(user_id, channel, None))

    async def _answer(self, conversed: Conversed, to: Destination) -> None:
        await post_conversed(self.poster, self.client, conversed, to)

    async def _message_at(self, channel: str, ts: str) -> Mapping[str, Any]:
        """The message at `ts` (top-level or in a thread), for the capture form's prefill."""
        found = await self.client.conversations_replies(
            channel=channel, ts=ts, latest=ts, inclusive=True, limit=1
        )
        messages = found.get("messages")
        if isinstance(messages, list):
            for message in messages:
                if isinstance(message, Mapping) and message.get("ts") == ts:
                    return message
        return {}


def _origin(
    event: Mapping[str, Any], body: Mapping[str, Any], author: Mapping[str, Any] | None = None
) -> Origin:
    # An edit names its author's workspace on the edited message, not on the event.
    team = user_team(author, {}) if author is not None else ""
    team = team or user_team(event, body)
    channel = str(event.get("channel", ""))
    return Origin(Platform.SLACK, team, channel, event.get("channel_type") == "im")


def _in_thread(event: Mapping[str, Any]) -> bool:
    root = event.get("thread_ts")
    return isinstance(root, str) and bool(root) and root != event.get("ts")


def _mentions(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in str(event.get("text", ""))


def update_case(text: str) -> int | None:
    """The case of typed `update CASE ...`: files sent with it are attached to CASE (CONV-5)."""
    verb, rest = split_verb(text)
    words = rest.split()
    return parse_case_ref(words[0]) if verb == "update" and words else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
