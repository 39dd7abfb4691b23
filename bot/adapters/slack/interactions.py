"""Card buttons, modals and the message shortcut: Slack interactivity to neutral requests.

Buttons open modals with the click's `trigger_id` (valid for 3 seconds, so at once); a modal's
submission runs the handler before the acknowledgement, because inline errors can only be
answered in the acknowledgement itself (`response_action: errors`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.delivery import Destination, SlackPoster
from bot.adapters.slack.payload import (
    UPDATE_CALLBACK,
    UPDATE_FIELD,
    ModalOrigin,
    decoded,
    form_callback,
    form_command,
    form_kind,
    form_values,
    update_command,
)
from bot.cards.actions import CASE_OPEN, parse_action_id
from bot.cards.slack import form_errors, render_modal
from bot.commands import forms
from bot.commands.parser import parse_case_ref
from bot.messages import CaseAction, Command, Form, FormKind, Message, Outcome, Reply
from bot.model import format_case_number

log = logging.getLogger(__name__)

# Buttons that need input: the handler answers the bare verb with its form only after the
# visibility and permission checks, so a read-only user is refused before filling anything in.
_CASE_FORMS: Mapping[CaseAction | FormKind, str] = {
    CaseAction.UPDATE: "update",
    CaseAction.CLOSE: "close",
    CaseAction.ESCALATE: "escalate",
    CaseAction.REOPEN: "reopen",
    FormKind.UPDATE: "update",
    FormKind.CLOSE: "close",
    FormKind.ESCALATE: "escalate",
    FormKind.REOPEN: "reopen",
}
_SURVEY_FORMS: Mapping[CaseAction | FormKind, Callable[[int], Form]] = {
    CaseAction.SURVEY: forms.survey_form,  # the survey notice's Rate button (CASE-8)
    FormKind.SURVEY: forms.survey_form,
}
# Forms whose content depends on who asks (the accounts to choose from): the handler builds them.
_ASKED_FORMS = {FormKind.OPEN: "open", FormKind.REPORT_INCIDENT: "report-incident"}


@dataclass(frozen=True, slots=True)
class Asker:
    """Who acted and where, as far as the adapter knows it."""

    team: str
    user: str
    channel_id: str | None = None
    is_direct: bool = False


Ask = Callable[[Asker, Command, str | None], Awaitable[Reply]]
Ack = Callable[..., Awaitable[None]]


class SlackInteractions:
    """Answers block actions, view submissions and the message shortcut."""

    def __init__(self, ask: Ask, client: AsyncWebClient, poster: SlackPoster) -> None:
        self.ask = ask
        self.client = client
        self.poster = poster

    async def action(
        self, asker: Asker, body: Mapping[str, Any], action: Mapping[str, Any]
    ) -> None:
        """A card button: open its modal, or run `take`."""
        action_id = str(action.get("action_id", ""))
        value = action.get("value")
        number = parse_case_ref(value) if isinstance(value, str) else None
        meaning = FormKind.OPEN if action_id == CASE_OPEN else parse_action_id(action_id)
        trigger = str(body.get("trigger_id", ""))
        origin = ModalOrigin(
            asker.channel_id, _str(body.get("response_url")), number, asker.is_direct
        )
        to = _destination(asker, origin)
        request_id = f"slack:{trigger}" if trigger else None
        if meaning is None:
            log.info("ignored an unknown Slack action id")
            return
        verb = _ASKED_FORMS.get(meaning) if isinstance(meaning, FormKind) else None
        if verb is not None:
            reply = await self.ask(asker, Command.unparsed(verb), request_id)
            await self.answer(reply, trigger, origin, to)
            return
        if number is None:
            await self.poster.post(Reply.invalid("That button has no case number."), to)
            return
        if meaning in (CaseAction.TAKE, CaseAction.SHOW):
            command = Command.unparsed(f"{meaning.value} {format_case_number(number)}")
            await self.poster.post(await self.ask(asker, command, request_id), to)
        elif meaning in _CASE_FORMS:
            command = Command.unparsed(f"{_CASE_FORMS[meaning]} {format_case_number(number)}")
            reply = await self.ask(asker, command, request_id)
            await self.answer(reply, trigger, origin, to)
        elif meaning in _SURVEY_FORMS:
            form = _SURVEY_FORMS[meaning](number)
            await self._open(
                trigger, render_modal(form, form_callback(form.kind), origin.encode()), to
            )

    async def shortcut(self, asker: Asker, body: Mapping[str, Any]) -> None:
        """ "Open a case from this message": the open form, the message text as description."""
        trigger = str(body.get("trigger_id", ""))
        message = body.get("message") or {}
        text = message.get("text") if isinstance(message, Mapping) else None
        origin = ModalOrigin(asker.channel_id, _str(body.get("response_url")), None, False)
        reply = await self.ask(asker, Command.unparsed("open"), f"slack:{trigger}")
        if isinstance(reply.body, Form) and isinstance(text, str) and text.strip():
            fields = tuple(
                replace(f, value=decoded(text)[: f.max_length or None])
                if f.name == "description"
                else f
                for f in reply.body.fields
            )
            reply = replace(reply, body=replace(reply.body, fields=fields))
        await self.answer(reply, trigger, origin, _destination(asker, origin))

    async def submission(
        self, asker: Asker, body: Mapping[str, Any], view: Mapping[str, Any], ack: Ack
    ) -> Callable[[], Coroutine[Any, Any, None]] | None:
        """Run a submitted modal and acknowledge it; what to post afterwards, if anything."""
        callback = str(view.get("callback_id", ""))
        origin = ModalOrigin.decode(_str(view.get("private_metadata")))
        values = form_values(view.get("state") or {})
        request_id = f"slack:{body['trigger_id']}" if body.get("trigger_id") else None
        kind = form_kind(callback)
        if callback == UPDATE_CALLBACK and origin.case_number is not None:
            text = values.get(UPDATE_FIELD)
            command = update_command(origin.case_number, text if isinstance(text, str) else "")
        elif kind is not None:
            number = origin.case_number if kind not in _ASKED_FORMS else None
            command = form_command(kind, number, values)
        else:
            await ack()
            return None
        asked = replace(asker, channel_id=origin.channel_id, is_direct=origin.is_direct)
        reply = await self.ask(asked, command, request_id)
        errors = _inline_errors(reply, callback)
        if errors:
            await ack(response_action="errors", errors=errors)
            return None
        await ack()
        to = _destination(asked, origin)
        return lambda: self.poster.post(reply, to)

    async def answer(
        self, reply: Reply, trigger: str, origin: ModalOrigin, to: Destination
    ) -> None:
        """Open a form reply as a modal (while the trigger is fresh); post anything else."""
        if isinstance(reply.body, Form) and reply.outcome is not Outcome.DUPLICATE and trigger:
            form = reply.body
            origin = replace(origin, case_number=form.case_number)
            view = render_modal(form, form_callback(form.kind), origin.encode())
            await self._open(trigger, view, to, fallback=reply)
            return
        await self.poster.post(reply, to)

    async def _open(
        self, trigger: str, view: dict[str, Any], to: Destination, fallback: Reply | None = None
    ) -> None:
        try:
            await self.client.views_open(trigger_id=trigger, view=view)
        except SlackApiError as err:
            # Usually an expired trigger (3 seconds): say so rather than fail silently.
            log.warning("views.open failed: %s", err.response.get("error"))
            note = Reply.private("The form could not be opened in time. Please try again.")
            await self.poster.post(fallback or note, to)


def _inline_errors(reply: Reply, callback: str) -> dict[str, str]:
    if isinstance(reply.body, Form) and reply.body.errors:
        return form_errors(reply.body)
    invalid = callback == UPDATE_CALLBACK and reply.outcome is Outcome.INVALID
    if invalid and isinstance(reply.body, Message):
        return {UPDATE_FIELD: reply.body.text[:2000]}
    return {}


def _destination(asker: Asker, origin: ModalOrigin) -> Destination:
    return Destination(
        user_id=asker.user,
        channel_id=origin.channel_id,
        response_url=origin.response_url,
        is_direct=origin.is_direct,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
