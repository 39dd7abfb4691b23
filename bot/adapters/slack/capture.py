"""Capture offers on Slack (CONV-4): the private offer, its "Open a case" button, its form.

The offer is an ephemeral message with one button; the click's `trigger_id` opens the prefilled
form as a modal (within Slack's 3 seconds, so before the acknowledgement); the capture id rides
in the modal's `private_metadata` to its submission. Nothing is opened before that submission.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.delivery import Destination, SlackPoster
from bot.adapters.slack.identity import SlackUsers
from bot.cards.slack import form_errors, render_modal
from bot.conversation import (
    CaptureSubmitted,
    CaseOffer,
    ConversationEvent,
    Conversed,
    OfferOpened,
    Origin,
)
from bot.messages import Form, Outcome
from bot.model import Platform

Converse = Callable[[ConversationEvent], Awaitable[Conversed]]
Ack = Callable[..., Awaitable[None]]

OFFER_ACTION = "capture:open"
CAPTURE_CALLBACK = "modal:capture"


class SlackCapture:
    """The offer's button and the submission of its form."""

    def __init__(
        self,
        converse: Converse,
        users: SlackUsers,
        client: AsyncWebClient,
        poster: SlackPoster,
        clock: Callable[[], datetime],
    ) -> None:
        self.converse = converse
        self.users = users
        self.client = client
        self.poster = poster
        self.clock = clock

    async def offer_clicked(self, body: Mapping[str, Any], action: Mapping[str, Any]) -> None:
        """The "Open a case" button of a capture offer: its prefilled form as a modal."""
        capture_id = _str(action.get("value"))
        user = body.get("user") or {}
        user_id = _str(user.get("id"))
        channel = _str((body.get("channel") or {}).get("id"))
        if capture_id is None or user_id is None:
            return
        team = _str(user.get("team_id")) or _str((body.get("team") or {}).get("id")) or ""
        origin = Origin(Platform.SLACK, team, channel or "", False)
        actor = await self.users.actor(team, user_id)
        conversed = await self.converse(OfferOpened(origin, actor, self.clock(), capture_id))
        reply = conversed.reply
        to = Destination(user_id, channel, None)
        trigger = _str(body.get("trigger_id"))
        if reply is not None and isinstance(reply.body, Form) and trigger is not None:
            metadata = json.dumps({"capture": capture_id, "c": channel})
            view = render_modal(reply.body, CAPTURE_CALLBACK, metadata)
            await self.client.views_open(trigger_id=trigger, view=view)
            return
        await post_conversed(self.poster, self.client, conversed, to)

    async def capture_submitted(
        self,
        body: Mapping[str, Any],
        view: Mapping[str, Any],
        values: dict[str, str | bool],
        ack: Ack,
    ) -> Callable[[], Coroutine[Any, Any, None]] | None:
        """The offer's form submitted: open the case (or answer the form's errors inline)."""
        try:
            metadata = json.loads(str(view.get("private_metadata") or "{}"))
        except ValueError:
            metadata = {}
        capture_id = _str(metadata.get("capture")) if isinstance(metadata, dict) else None
        user = body.get("user") or {}
        user_id = _str(user.get("id"))
        if capture_id is None or user_id is None:
            await ack()
            return None
        channel = _str(metadata.get("c"))
        team = _str(user.get("team_id")) or _str((body.get("team") or {}).get("id")) or ""
        origin = Origin(Platform.SLACK, team, channel or "", False)
        actor = await self.users.actor(team, user_id)
        trigger = _str(body.get("trigger_id"))
        key = f"slack:{trigger}" if trigger else None
        submitted = CaptureSubmitted(origin, actor, self.clock(), capture_id, values, key)
        conversed = await self.converse(submitted)
        reply = conversed.reply
        if reply is not None and isinstance(reply.body, Form) and reply.body.errors:
            await ack(response_action="errors", errors=form_errors(reply.body))
            return None
        await ack()
        to = Destination(user_id, channel, None)
        return lambda: post_conversed(self.poster, self.client, conversed, to)


async def post_conversed(
    poster: SlackPoster, client: AsyncWebClient, conversed: Conversed, to: Destination
) -> None:
    """Post what the router answered: nothing, a reply in the thread, or a private offer."""
    reply = conversed.reply
    if reply is not None and reply.outcome is not Outcome.DUPLICATE:
        await poster.post(reply, to)
    if conversed.offer is not None and to.channel_id is not None:
        await client.chat_postEphemeral(
            channel=to.channel_id, user=to.user_id, **offer_message(conversed.offer)
        )


def offer_message(offer: CaseOffer) -> dict[str, Any]:
    """The private capture offer: its text and one "Open a case" button (plain text: R6)."""
    return {
        "text": offer.text,
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": offer.text[:3000]}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": OFFER_ACTION,
                        "text": {"type": "plain_text", "text": "Open a case"},
                        "value": offer.capture_id,
                        "style": "primary",
                    }
                ],
            },
        ],
    }


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
