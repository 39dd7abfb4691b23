"""Slack events: typed messages (the DM with the bot, mentions) and the App Home tab.

Events are acknowledged by bolt at once; the answer is worked out afterwards (`spawn`) and
posted through the poster. A mention in a channel is answered in its thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.conversation import SlackConversations, update_case
from bot.adapters.slack.delivery import Destination, SlackPoster
from bot.adapters.slack.identity import SlackUsers
from bot.adapters.slack.installs import APP, SlackInstalls
from bot.adapters.slack.interactions import Ask, Asker
from bot.adapters.slack.payload import decoded, request_id, without_mention
from bot.adapters.slack.requests import text_or_none, user_team
from bot.commands.welcome import welcome
from bot.messages import Command, Outcome, Reply

Spawn = Callable[[Coroutine[Any, Any, None]], None]
WELCOME_HOW = "Type /case help, or write help to me here."  # how to start, on Slack
_CASE_PREFIX = re.compile(r"^\s*/?case\b", re.IGNORECASE)
# Attachments are not read yet (later work): the text is answered and the user told so.
# CONV-5: files are attached in a case's thread or with `update CASE`; elsewhere only the text
# is answered, and the user told where files go.
FILES_NOTE = (
    "I've only looked at your text: to attach a log or a screenshot to a case, send it in the "
    "case's thread or with `update CASE`."
)


class SlackEvents:
    """The listeners of `app_mention`, `message` and `app_home_opened`."""

    def __init__(
        self,
        ask: Ask,
        spawn: Spawn,
        poster: SlackPoster,
        installs: SlackInstalls,
        users: SlackUsers,
        client: AsyncWebClient,
        publish_home: Callable[[str, str], Coroutine[Any, Any, None]],
        conversations: SlackConversations,
    ) -> None:
        self.ask = ask
        self.spawn = spawn
        self.poster = poster
        self.installs = installs
        self.users = users
        self.client = client
        self.publish_home = publish_home  # the router's overview, drawn as the Home tab
        self.conversations = conversations

    async def on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: Any, request: Any
    ) -> None:
        self._typed(event, body, context, request, is_direct=False)

    async def on_message(
        self, event: dict[str, Any], body: dict[str, Any], context: Any, request: Any
    ) -> None:
        if SlackConversations.is_conversation(event, context.bot_user_id):
            # Case threads, edits and capture (CONV-1..5): `bot.adapters.slack.conversation`.
            self.spawn(self.conversations.message(event, body, context.bot_user_id))
            return
        # Otherwise only people's own messages in the DM with the bot: joins and bots are not
        # asks; a message with files ("file_share") is one.
        subtype = event.get("subtype")
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if subtype not in (None, "file_share"):
            return
        self._typed(event, body, context, request, is_direct=True)

    def _typed(
        self,
        event: Mapping[str, Any],
        body: Mapping[str, Any],
        context: Any,
        request: Any,
        is_direct: bool,
    ) -> None:
        user = text_or_none(event.get("user"))
        channel = text_or_none(event.get("channel"))
        if user is None or channel is None:
            return
        team = user_team(event, body)
        text = decoded(without_mention(str(event.get("text", "")), context.bot_user_id))
        # `case list` works in a DM and after a mention as it does after /case.
        text = _CASE_PREFIX.sub("", text, count=1).strip()
        asker = Asker(team, user, channel, is_direct)
        # A mention in a channel is answered in its thread (a new one under the mention).
        thread = text_or_none(event.get("thread_ts")) or (
            None if is_direct else text_or_none(event.get("ts"))
        )
        to = Destination(user, channel, None, is_direct, thread)
        key = request_id(body, request.raw_body)
        files = bool(event.get("files")) or event.get("subtype") == "file_share"
        self.spawn(self._typed_work(asker, text, key, to, files, (event, body)))

    async def _typed_work(
        self,
        asker: Asker,
        text: str,
        key: str,
        to: Destination,
        files: bool = False,
        source: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
    ) -> None:
        reply = await self.ask(asker, Command.unparsed(text), key) if text or not files else None
        case_number = update_case(text) if files else None
        if (
            files
            and case_number is None
            and (reply is None or reply.outcome is not Outcome.DUPLICATE)
        ):
            await self.poster.post(Reply.private(FILES_NOTE), to)  # once, not on Slack's retry
        if reply is not None:
            await self.poster.post(reply, to)
        accepted = reply is not None and reply.outcome in (Outcome.OK, Outcome.DUPLICATE)
        if case_number is not None and source is not None and accepted:
            # CONV-5: the files of an accepted update are attached to its case.
            await self.conversations.files_with_update(*source, case_number)

    async def on_home(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user = text_or_none(event.get("user"))
        if user is None:
            return
        team = str(body.get("team_id", ""))
        self.spawn(self._welcome(team, user, text_or_none(event.get("channel"))))
        if event.get("tab") == "home":
            self.spawn(self.publish_home(team, user))

    async def _welcome(self, team: str, user: str, channel: str | None) -> None:
        """The first time a user opens the app: what the bot is and who they are to it."""
        await self.installs.resume(APP)  # a user can open it: the app is installed again
        if not await self.installs.first_visit(team, user):
            return
        identity = await self.ask(
            Asker(team, user, channel, True), Command.unparsed("whoami"), None
        )
        greeting = welcome(identity, "direct", how=WELCOME_HOW)
        await self.poster.post(greeting, Destination(user, channel, None, True))
