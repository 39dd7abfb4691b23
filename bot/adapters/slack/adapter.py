"""The Slack adapter: slack-bolt's AsyncApp behind the project's own aiohttp route.

The route authenticates every request over its raw bytes first (`slack_verify`, R1: 401 for
anything unsigned, forged, stale or malformed, before anything parses it); bolt then routes
the authentic ones to the listeners: slash commands here, buttons, modals and the shortcut in
`interactions.py`, typed messages and App Home in `events.py`. They only convert payloads to
`ChatRequest`s, acknowledge within Slack's 3 seconds, and post the router's replies (ACC-9).
De-duplication (R2) is the router's database key, built from `event_id` or `trigger_id`;
Slack's retries are never dropped blindly, since the first attempt may not have been handled.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.conversation import SlackConversations
from bot.adapters.slack.delivery import (
    Destination,
    SlackDeliverer,
    SlackPoster,
    outbox_client,
    web_client,
)
from bot.adapters.slack.events import SlackEvents
from bot.adapters.slack.files import SlackFiles, file_hosts
from bot.adapters.slack.identity import SlackUsers
from bot.adapters.slack.installs import SlackInstalls
from bot.adapters.slack.interactions import Ack, Asker, SlackInteractions
from bot.adapters.slack.manifest import SHORTCUT_OPEN
from bot.adapters.slack.payload import ModalOrigin, channel_references, decoded, request_id
from bot.adapters.slack.requests import authentic_request, inline, interaction_asker, text_or_none
from bot.adapters.slack.sessions import SharedSession
from bot.adapters.slack.verify import Limits, SlackSignature, Unauthenticated
from bot.cards.slack import render_messages, render_overview
from bot.commands.router import Router, went_wrong
from bot.conversation import ThreadKind, ThreadRoot
from bot.messages import Audience, ChatRequest, Command, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.settings import Settings
from bot.store.interface import Store

log = logging.getLogger(__name__)

SLASH_COMMAND = "/case"
# Slack wants the acknowledgement within 3 seconds. A slash command answered within this budget
# rides on the acknowledgement itself (no second HTTP call); a slower one is acknowledged empty
# and answered through its response_url when ready.
INLINE_ANSWER_SECONDS = 2.0
# Work after the acknowledgement waits in memory for one of these slots rather than for a
# pooled database connection, which would time out under a burst and lose the answer.
WORK_SLOTS = 8
APP_HOME_CHANNEL = "app_home"  # App Home has no channel; answers go to the DM with the bot


class SlackAdapter:
    """Slack requests in, router replies out; `handle` is the aiohttp handler of /slack/events."""

    def __init__(
        self,
        router: Router,
        store: Store,
        settings: Settings,
        config: PolicyConfig,
        clock: Callable[[], datetime] | None = None,
        limits: Limits | None = None,
    ) -> None:
        if not (settings.slack_bot_token and settings.slack_signing_secret):
            raise ValueError("Slack needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
        self.router = router
        self.store = store
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        # Every Web API call and response_url post reuses one kept-open session (#18).
        self.sessions = SharedSession()
        self.client = web_client(settings.slack_bot_token, settings.slack_api_url, self.sessions)
        # Signatures are checked against the wall clock, never the business clock of tests.
        self.signature = SlackSignature(settings.slack_signing_secret, time.time, limits)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret,
            # `handle` has verified the request already, over the raw bytes and before any
            # parsing; bolt's own check would parse first and log a refused body in full.
            request_verification_enabled=False,
            # Our listeners acknowledge within INLINE_ANSWER_SECONDS and hand longer work to
            # `_spawn`, so bolt may wait for them: it then skips its ack-polling loop (#18).
            process_before_response=True,
            logger=logging.getLogger("slack_bolt"),
        )
        self.users = SlackUsers(store, self.client, self.clock, settings.slack_staff_workspaces)
        self.poster = SlackPoster(self.client, self._record_root)
        self.installs = SlackInstalls(store, self.clock)
        self.deliverer = SlackDeliverer(
            outbox_client(settings.slack_bot_token, settings.slack_api_url, self.sessions),
            self.installs,
        )
        self.interactions = SlackInteractions(self.ask, self.client, self.poster)
        self.files = SlackFiles(settings.slack_bot_token, file_hosts(settings.slack_api_url))
        self.conversations = SlackConversations(
            router.converse,
            self.users,
            self.client,
            self.poster,
            self.files,
            self.clock,
            router.conversations.settings.capture_emoji,
        )
        self.events = SlackEvents(
            self.ask,
            self._spawn,
            self.poster,
            self.installs,
            self.users,
            self.client,
            self._publish_home,
            self.conversations,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(WORK_SLOTS)
        self._register()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: slash commands, interactivity and events."""
        try:
            raw = await self.signature.verified_body(request)
        except Unauthenticated as refused:
            log.warning("refused a Slack request (401): %s", refused)
            return web.json_response({"ok": False, "error": "invalid_request"}, status=401)
        bolt_request = authentic_request(raw, request)
        if bolt_request is None:
            # Signed by the holder of the secret, yet not a payload Slack sends.
            log.warning("refused a signed Slack request (400): not a Slack payload")
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        bolt_response = await self.app.async_dispatch(bolt_request)
        # Bolt starts auto-acknowledged (event) listeners as futures of its own; one turn of the
        # loop lets them hand their work to `_spawn`, so `drain()` sees it.
        await asyncio.sleep(0)
        return await to_aiohttp_response(bolt_response)

    async def drain(self) -> None:
        """Wait for every piece of work started after an acknowledgement (tests, shutdown)."""
        while True:
            await asyncio.sleep(0)
            pending = [task for task in self._tasks if not task.done()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        """Close the kept-open HTTP session of the Slack clients (after `drain`)."""
        await self.sessions.close()

    async def ask(self, asker: Asker, command: Command, key: str | None) -> Reply:
        """Run one command through the router as the Slack user it came from."""
        async with self._slots:
            try:
                return await self._ask(asker, command, key)
            except Exception:
                # The identity lookup runs before the router's own error handling: a database
                # or Slack failure there still gets the user an answer (#13).
                return went_wrong("Slack request")

    async def _ask(self, asker: Asker, command: Command, key: str | None) -> Reply:
        actor = await self.users.actor(asker.team, asker.user)
        command, refs = channel_references(command)
        req = ChatRequest(
            platform=Platform.SLACK,
            workspace=asker.team,
            channel_id=asker.channel_id or APP_HOME_CHANNEL,
            actor=actor,
            command=command,
            now=self.clock(),
            is_direct=asker.is_direct or asker.channel_id is None,
            request_id=key,
            channel_refs=refs,
        )
        return await self.router.handle(req)

    async def _record_root(self, case_number: int, route: str, ts: str) -> None:
        """CONV-1: the case card the bot posted starts the case's customer thread there."""
        root = ThreadRoot(case_number, Platform.SLACK, ThreadKind.CUSTOMER, route, ts, self.clock())
        await self.router.record_thread_root(root)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._track(asyncio.create_task(self._guarded(work)))

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            # After the acknowledgement there is no one to answer an error to: log it (R6).
            log.exception("Slack work after the acknowledgement failed")

    def _register(self) -> None:
        app = self.app
        app.command(SLASH_COMMAND)(self._on_command)
        app.event("app_mention")(self.events.on_mention)
        app.event("message")(self.events.on_message)
        app.event("app_home_opened")(self.events.on_home)
        self.conversations.register(app, self._spawn)  # before the other modals and actions
        app.action(re.compile(r"^(case|form):"))(self._on_action)
        app.view(re.compile(r"^modal:"))(self._on_view)
        app.shortcut(SHORTCUT_OPEN)(self._on_shortcut)
        self.installs.register(app, self._spawn)
        # Anything else Slack sends (an event the app was not subscribed to before, a stale
        # button) is acknowledged and ignored: bolt would answer 404 and Slack would retry.
        app.event(re.compile(".*"))(self._ignore)
        app.action(re.compile(".*"))(self._ignore_ack)
        app.view(re.compile(".*"))(self._ignore_ack)
        app.shortcut(re.compile(".*"))(self._ignore_ack)
        app.command(re.compile(".*"))(self._ignore_ack)
        app.view_closed(re.compile(".*"))(self._ignore_ack)

    # -- listeners: bolt passes arguments by name -------------------------------------------

    async def _on_command(self, ack: Ack, body: dict[str, Any], request: Any) -> None:
        asker = Asker(
            str(body.get("team_id", "")), str(body.get("user_id", "")), body.get("channel_id")
        )
        key = request_id(body, request.raw_body)
        text = decoded(str(body.get("text", "")))
        asked = asyncio.create_task(self.ask(asker, Command.unparsed(text), key))
        self._track(asked)
        done, _ = await asyncio.wait({asked}, timeout=INLINE_ANSWER_SECONDS)
        if done and asked.exception() is None and inline(asked.result()):
            payloads = render_messages(asked.result())
            public = asked.result().audience is Audience.CHANNEL
            kind = "in_channel" if public else "ephemeral"
            await ack({**payloads[0], "response_type": kind})  # the whole message, as rendered
            if len(payloads) > 1:
                self._spawn(self._follow_ups(asked.result(), asker, body))
            return
        await ack()
        self._spawn(self._command(asked, asker, body))

    async def _follow_ups(self, reply: Reply, asker: Asker, body: Mapping[str, Any]) -> None:
        """The follow-up messages of a reply whose body rode on the acknowledgement."""
        to = Destination(asker.user, asker.channel_id, text_or_none(body.get("response_url")))
        for extra in reply.follow_ups:
            await self.poster.post(replace(reply, body=extra, follow_ups=()), to)

    async def _command(
        self, asked: asyncio.Task[Reply], asker: Asker, body: Mapping[str, Any]
    ) -> None:
        reply = await asked
        origin = ModalOrigin(asker.channel_id, text_or_none(body.get("response_url")))
        to = Destination(asker.user, asker.channel_id, origin.response_url)
        await self.interactions.answer(reply, str(body.get("trigger_id", "")), origin, to)

    async def _ignore(self) -> None:
        return None

    async def _ignore_ack(self, ack: Ack) -> None:
        await ack()

    async def _publish_home(self, team: str, user: str) -> None:
        actor = await self.users.actor(team, user)
        req = ChatRequest(
            platform=Platform.SLACK,
            workspace=team,
            channel_id=APP_HOME_CHANNEL,
            actor=actor,
            command=Command.unparsed(""),  # nothing typed: the router's overview
            now=self.clock(),
            is_direct=True,
        )
        view = render_overview(await self.router.overview(req))
        if view is not None:  # the router logged the failure; the tab keeps its last view
            await self.client.views_publish(user_id=user, view=view)

    async def _on_action(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        self._spawn(self.interactions.action(interaction_asker(body), body, action))
        await ack()

    async def _on_view(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        after = await self.interactions.submission(interaction_asker(body), body, view, ack)
        if after is not None:
            self._spawn(after())

    async def _on_shortcut(self, ack: Ack, body: dict[str, Any]) -> None:
        self._spawn(self.interactions.shortcut(interaction_asker(body), body))
        await ack()
