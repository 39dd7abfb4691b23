"""The Teams adapter: `POST /api/messages` activities in, replies and card updates out.

Pipeline of one request: R1 (a Bot Framework token, or a loopback client in the explicit
emulator mode) -> parse the activity (Agents SDK model) -> service URL checks (the token's
`serviceurl` claim equals the activity's serviceUrl, whose host is on the allow-list) ->
references stored for proactive posts (the tenant's service URL, the user's 1:1 chat) -> by
type: typed messages and Action.Submit values, `adaptiveCard/action` invokes (answered with the
updated card), conversation and installation updates. Everything else about a request is the
router's job; this module only converts and delivers. A failing turn is logged and answered
politely, never with the exception (the SDK's default turn-error handler would post it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.adapters.teams import activity as convert
from bot.adapters.teams import installs
from bot.adapters.teams.auth import Caller, TeamsAuth
from bot.adapters.teams.chats import EMULATOR, PRODUCTION, Place, TeamsChats
from bot.adapters.teams.connector import Connector
from bot.adapters.teams.conversation import TeamsConversations, update_case
from bot.adapters.teams.delivery import TeamsDeliverer
from bot.adapters.teams.files import TeamsFiles
from bot.adapters.teams.hosts import FileHosts, ServiceHosts
from bot.adapters.teams.identity import Asker, TeamsIdentities
from bot.cards.teams import render_card, render_cards
from bot.commands.router import Router
from bot.commands.welcome import welcome
from bot.messages import Audience, ChatRequest, Command, Outcome, Reply
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.settings import Settings
from bot.store.interface import Store

log = logging.getLogger(__name__)

PRIVATE_NOTE = "I've sent you my answer in our 1:1 chat."
SORRY = "Something went wrong on our side and nothing was changed (reference {})."
UNKNOWN_BUTTON = "That button is no longer available. Type `help` to see what you can do."


@dataclass(frozen=True, slots=True)
class Turn:
    """One incoming activity with what the adapter needs to answer it."""

    activity: Activity
    service_url: str
    conversation_id: str
    personal: bool
    tenant: str

    @property
    def bot(self) -> dict[str, Any]:
        agent = self.activity.recipient
        return {"id": agent.id, "name": agent.name or "Support"} if agent else {"id": "bot"}

    def asker(self) -> Asker:
        sender = self.activity.from_property
        return Asker(
            tenant=self.tenant,
            user_id=convert.user_id_of(self.activity),
            account_id=sender.id if sender and sender.id else "",
            service_url=self.service_url,
            conversation_id=self.conversation_id,
        )


class TeamsAdapter:
    """Answers Bot Framework activities for Teams with the shared command router."""

    def __init__(
        self,
        router: Router,
        store: Store,
        settings: Settings,
        config: PolicyConfig,
        clock: Callable[[], datetime] | None = None,
        *,
        auth: TeamsAuth | None = None,
        connector: Connector | None = None,
        hosts: ServiceHosts | None = None,
    ) -> None:
        self.router = router
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.auth = auth or TeamsAuth(settings)
        emulator = self.auth.emulator
        if hosts is None:
            # R1: emulator replies stay on this machine; otherwise the explicit allow-list.
            hosts = (
                ServiceHosts.loopback() if emulator else ServiceHosts(settings.teams_service_hosts)
            )
        self.hosts = hosts
        self.connector = connector or Connector(self.auth.token_source(), hosts)
        self.identities = TeamsIdentities(
            self.connector, self.clock, staff_tenants=settings.teams_staff_tenants
        )
        self.chats = TeamsChats(
            store,
            self.connector,
            self.clock,
            namespace=EMULATOR if emulator else PRODUCTION,
            first_contact_url=None if emulator else hosts.proactive_url(),
        )
        self.store = store
        self.deliverer = TeamsDeliverer(
            store, self.connector, self.chats, settings.microsoft_app_id
        )
        # CONV-5: files are fetched from the listed hosts only (emulator: this machine only).
        files = FileHosts.loopback() if emulator else FileHosts(settings.teams_file_hosts)
        self.conversations = TeamsConversations(
            router.converse,
            self.identities,
            store,
            self.connector,
            self.chats,
            TeamsFiles(files),
            self.clock,
            router.record_thread_root,
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """POST /api/messages."""
        caller = await self.auth.caller(request)
        if isinstance(caller, web.Response):
            return caller
        try:
            activity = Activity.model_validate(await request.json())
        except (ValueError, ValidationError):
            return web.json_response(
                {"error": "The body is not a Bot Framework activity."}, status=400
            )
        turn = self._turn(activity, caller)
        if isinstance(turn, web.Response):
            return turn
        try:
            return await self._dispatch(turn)
        except Exception:
            return await self._turn_error(turn)

    async def drain(self) -> None:
        """Nothing runs after a Teams request's answer: every turn finishes within it."""

    async def close(self) -> None:
        await self.deliverer.close()
        await self.connector.close()
        await self.auth.close()

    def _turn(self, activity: Activity, caller: Caller) -> Turn | web.Response:
        if not activity.type or activity.conversation is None or not activity.service_url:
            return web.json_response(
                {"error": "An activity needs a type, a conversation and a serviceUrl."}, status=400
            )
        service_url = activity.service_url
        if not caller.service_url_matches(service_url):
            # R1: a token is only good for the serviceUrl it was issued for; without the claim
            # the activity could name any host, which would then receive the bot's token.
            log.warning("refused a Teams activity: its serviceUrl is not its token's serviceurl")
            return web.json_response({"error": "Service URL is not allowed."}, status=401)
        if not self.hosts.check(service_url):  # logged once per host
            return web.json_response({"error": "Service URL is not allowed."}, status=401)
        return Turn(
            activity,
            service_url,
            activity.conversation.id,
            convert.is_personal(activity),
            convert.tenant_of(activity),
        )

    async def _dispatch(self, turn: Turn) -> web.StreamResponse:
        activity = turn.activity
        if activity.recipient is not None and activity.recipient.id:
            self.chats.bot_account = {k: str(v) for k, v in turn.bot.items()}
        await self.chats.remember_tenant(turn.tenant, turn.service_url)
        if turn.personal and activity.type in ("message", "invoke"):
            # #13: the 1:1 chat is where private notices go; keep it whenever the user writes.
            await self.chats.remember_user(
                convert.user_id_of(activity), convert.reference(activity)
            )
        if activity.type == "invoke":
            return await self._invoke(turn)
        if activity.type == "message":
            await self._message(turn)
        elif activity.type == "messageReaction":
            await self.conversations.reaction(turn)  # CONV-4
        elif activity.type == "messageUpdate":
            await self.conversations.edited(turn)  # CONV-2: an edit is never a second update
        elif activity.type in ("conversationUpdate", "installationUpdate"):
            await self._remember(turn)
        return web.Response(status=200)

    async def _message(self, turn: Turn) -> None:
        payload = convert.action_payload(turn.activity)
        if payload is not None and payload[0].startswith("capture:"):  # Action.Submit (CONV-4)
            card = await self.conversations.capture_invoke(turn, *payload)
            await self._send(turn, Place(turn.service_url, turn.conversation_id), card)
            return
        if payload is not None:  # Action.Submit on clients without Universal Actions
            command = convert.action_command(*payload)
            if command is None:
                await self._post(turn, Reply.invalid(UNKNOWN_BUTTON))
                return
        elif not convert.addressed_to_bot(turn.activity):
            # Channel talk not for the bot: case threads and capture (CONV-2..5), nothing else.
            await self.conversations.message(turn)
            return
        else:
            command = Command.unparsed(convert.command_text(turn.activity))
        reply = await self._ask(turn, command)
        await self._post(turn, reply)
        case_number = update_case(command.raw) if turn.personal else None
        if case_number is not None and reply.outcome in (Outcome.OK, Outcome.DUPLICATE):
            await self.conversations.files_with_update(turn, case_number)  # CONV-5

    async def _invoke(self, turn: Turn) -> web.StreamResponse:
        if turn.activity.name == "composeExtension/submitAction":  # "Reply to customer"
            return web.json_response(await self.conversations.reply_action(turn))
        if turn.activity.name != "adaptiveCard/action":
            return web.json_response({}, status=501)  # no other invokes are offered
        payload = convert.action_payload(turn.activity)
        if payload is not None and payload[0].startswith("capture:"):  # CONV-4 offer and form
            card = await self.conversations.capture_invoke(turn, *payload)
            return web.json_response(convert.card_response(card))
        command = convert.action_command(*payload) if payload is not None else None
        if command is None:
            return web.json_response(convert.message_response(UNKNOWN_BUTTON))
        reply = await self._ask(turn, command)
        if reply.outcome is Outcome.DUPLICATE:
            return web.json_response(convert.message_response("Already handled."))
        if turn.personal or reply.audience is Audience.CHANNEL:
            # The card the button was on is replaced by this one (CONV-1: it may start a thread).
            await self.conversations.card_posted(turn, reply, turn.activity.reply_to_id)
            for follow_up in render_cards(reply)[1:]:
                await self._send(turn, Place(turn.service_url, turn.conversation_id), follow_up)
            return web.json_response(convert.card_response(render_card(reply)))
        # ACC-9: a card in a channel is seen by everyone; private answers go to the 1:1 chat.
        await self._post_privately(turn, reply)
        return web.json_response(convert.message_response(PRIVATE_NOTE))

    async def _remember(self, turn: Turn) -> None:
        activity = turn.activity
        if installs.bot_removed(activity):
            await installs.retire(self.chats, activity, turn.personal)
            return
        reference = convert.reference(activity)
        if turn.personal:
            await self.chats.remember_user(convert.user_id_of(activity), reference)
        else:
            await self.chats.remember_channel(convert.channel_of(activity), reference)
        if installs.bot_added(activity) and await self.chats.first_welcome(turn.conversation_id):
            await self._welcome(turn)

    async def _welcome(self, turn: Turn) -> None:
        """What the bot is and who the user who added it is to it (their access, `whoami`)."""
        identity = await self._ask(turn, Command.unparsed("whoami"))
        here = Place(turn.service_url, turn.conversation_id)
        if turn.personal:
            for card in render_cards(welcome(identity, "direct")):
                await self._send(turn, here, card)
            return
        for card in render_cards(welcome(identity, "channel", identity_here=False)):
            await self._send(turn, here, card)
        await self._post_privately(turn, welcome(identity, "direct"))

    async def _ask(self, turn: Turn, command: Command) -> Reply:
        actor = await self.identities.actor(self.store, turn.asker())
        request = ChatRequest(
            platform=Platform.TEAMS,
            workspace=turn.tenant,
            channel_id=turn.conversation_id if turn.personal else convert.channel_of(turn.activity),
            actor=actor,
            command=command,
            now=self.clock(),
            is_direct=turn.personal,
            request_id=convert.request_id(turn.activity),
        )
        return await self.router.handle(request)

    async def _post(self, turn: Turn, reply: Reply) -> None:
        """Deliver a reply to a typed message: in the conversation, or privately (ACC-9)."""
        if reply.outcome is Outcome.DUPLICATE:
            return  # R2: answered the first time
        here = Place(turn.service_url, turn.conversation_id)
        if turn.personal or reply.audience is Audience.CHANNEL:
            posted = [
                await self._send(turn, here, card, reply_to=turn.activity.id)
                for card in render_cards(reply)
            ]
            await self.conversations.card_posted(turn, reply, posted[0] if posted else None)
            return
        await self._post_privately(turn, reply)
        await self._send_text(turn, here, PRIVATE_NOTE)

    async def _post_privately(self, turn: Turn, reply: Reply) -> None:
        sender = turn.activity.from_property
        place = await self.chats.personal(
            convert.user_id_of(turn.activity),
            turn.tenant or None,
            turn.service_url,
            turn.bot,
            sender.id if sender else None,
        )
        for card in render_cards(reply):
            await self._send(turn, place, card)

    async def _send(
        self, turn: Turn, place: Place, card: dict[str, Any], reply_to: str | None = None
    ) -> str | None:
        return await self._deliver(turn, place, convert.message(card), reply_to)

    async def _send_text(self, turn: Turn, place: Place, text: str) -> None:
        await self._deliver(turn, place, convert.text_message(text), turn.activity.id)

    async def _deliver(
        self, turn: Turn, place: Place, body: dict[str, Any], reply_to: str | None
    ) -> str | None:
        body = body | {"from": turn.bot, "conversation": {"id": place.conversation_id}}
        if reply_to and place.conversation_id == turn.conversation_id:
            body["replyToId"] = reply_to
        else:
            reply_to = None
        return await self.connector.post_activity(
            place.service_url, place.conversation_id, body, reply_to
        )

    async def _turn_error(self, turn: Turn) -> web.StreamResponse:
        """The turn-error handler: log with a reference, tell the user only that it failed."""
        reference = uuid.uuid4().hex[:8]
        log.exception("Teams turn failed (reference %s)", reference)
        sorry = SORRY.format(reference)
        if turn.activity.type == "invoke":
            return web.json_response(convert.message_response(sorry))
        if turn.activity.type == "message":
            try:
                await self._send_text(turn, Place(turn.service_url, turn.conversation_id), sorry)
            except Exception:
                log.exception("could not tell the user about failure %s", reference)
        return web.Response(status=200)
