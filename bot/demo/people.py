"""The people of the demo and how their clients talk to the bot: signed Slack requests, Teams activities.

What a Slack client or Teams sends is rebuilt here from the platforms' documented payloads (the
same shapes the adapter tests use), and sent over HTTP to the real application on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.demo.world import SIGNING_SECRET, TEAMS_APP_ID, World

BOT_ACCOUNT = {"id": f"28:{TEAMS_APP_ID}", "name": "Support"}


@dataclass(frozen=True, slots=True)
class SlackPerson:
    """A Slack user as the directory knows them."""

    name: str
    team: str
    user: str


@dataclass(frozen=True, slots=True)
class TeamsPerson:
    """A Teams user: tenant and AAD object id are the directory keys (ACC-7)."""

    name: str
    tenant: str
    aad_object_id: str


@dataclass(frozen=True, slots=True)
class Sent:
    """One request the demo sent: the HTTP status and the trigger id that names its answers."""

    status: int
    trigger: str


@dataclass
class Clients:
    """Sends what Slack and Teams would send on behalf of the demo's people."""

    world: World
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    async def slash(self, person: SlackPerson, channel: str, text: str) -> Sent:
        """`/case TEXT` typed in a Slack channel."""
        trigger = self._next("demo-trigger-")
        body = urlencode(
            {
                "team_id": person.team,
                "channel_id": channel,
                "user_id": person.user,
                "user_name": person.name.lower(),
                "command": "/case",
                "text": text,
                "api_app_id": "ADEMO",
                "response_url": self.world.slack_api.response_url(trigger),
                "trigger_id": trigger,
            }
        )
        return Sent(await self._slack(body, trigger), trigger)

    async def click(
        self, person: SlackPerson, channel: str, action_id: str, value: str | None
    ) -> Sent:
        """A click on a button of a message the bot posted in `channel` (block_actions)."""
        trigger = self._next("demo-trigger-")
        action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b1"}
        if value is not None:
            action["value"] = value
        payload = {
            "type": "block_actions",
            "team": {"id": person.team},
            "user": {"id": person.user, "team_id": person.team},
            "api_app_id": "ADEMO",
            "trigger_id": trigger,
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel},
            "response_url": self.world.slack_api.response_url(trigger),
            "actions": [action],
        }
        return Sent(await self._slack(urlencode({"payload": json.dumps(payload)})), trigger)

    async def event(self, person: SlackPerson, event: dict[str, Any]) -> int:
        """An Events API callback about something `person` did (a message, a reaction)."""
        body = {
            "team_id": person.team,
            "api_app_id": "ADEMO",
            "event": {"user": person.user, **event},
            "type": "event_callback",
            "event_id": self._next("EvDemo"),
            "event_time": int(time.time()),
        }
        return await self._slack(json.dumps(body), content_type="application/json")

    async def interaction(self, person: SlackPerson, payload: dict[str, Any]) -> Sent:
        """A shortcut, button click or modal submission by `person` (interactivity payload)."""
        trigger = self._next("demo-trigger-")
        sent = {
            "team": {"id": person.team},
            "user": {"id": person.user, "team_id": person.team},
            "api_app_id": "ADEMO",
            "trigger_id": trigger,
            **payload,
        }
        return Sent(await self._slack(urlencode({"payload": json.dumps(sent)})), trigger)

    async def _slack(
        self,
        body: str,
        trigger: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> int:
        # Slack signs "v0:{timestamp}:{body}" with the signing secret (R1); bolt checks the
        # timestamp against the wall clock, so it is the real time, not the simulated one.
        stamp = str(int(time.time()))
        digest = hmac.new(
            SIGNING_SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256
        ).hexdigest()
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}",
        }
        async with self.world.http.post(
            f"{self.world.base_url}/slack/events", data=body.encode(), headers=headers
        ) as response:
            answer = await response.read()
            status = response.status
        if trigger is not None and status == 200:
            # A quick answer rides on the acknowledgement; Slack shows it like a response_url post.
            self.world.slack_api.acknowledged(trigger, answer)
        await self.world.slack.drain()  # the work after Slack's 3-second acknowledgement
        return status

    async def teams_channel(self, person: TeamsPerson, channel: str, text: str) -> int:
        """`@Support TEXT` in a Teams channel, as Teams sends it (HTML with a mention entity)."""
        activity_id = self._next("demo-activity-")
        mention = f"<at>{BOT_ACCOUNT['name']}</at>"
        activity = {
            "type": "message",
            "id": activity_id,
            "channelId": "msteams",
            "serviceUrl": self.world.connector.url,
            "from": {
                "id": f"29:{person.aad_object_id}",
                "name": person.name,
                "aadObjectId": person.aad_object_id,
            },
            "recipient": BOT_ACCOUNT,
            "conversation": {
                "id": f"{channel};messageid={activity_id}",
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": person.tenant,
            },
            "channelData": {
                "tenant": {"id": person.tenant},
                "team": {"id": "19:demo-team@thread.tacv2"},
                "channel": {"id": channel},
            },
            "entities": [{"type": "mention", "text": mention, "mentioned": BOT_ACCOUNT}],
            "text": f"<p>{mention} {text}</p>",
        }
        # Bot Framework signs a token for the activity's serviceUrl (R1): the real check runs.
        token = self.world.keys.token(self.world.connector.url)
        async with self.world.http.post(
            f"{self.world.base_url}/api/messages",
            json=activity,
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            await response.read()
            return response.status
