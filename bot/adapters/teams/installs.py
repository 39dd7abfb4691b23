"""Teams installs and removals: which updates add or remove the bot, and retiring references.

Teams announces an installation twice (an `installationUpdate` with action "add" and a
`conversationUpdate` whose membersAdded holds the bot), so the welcome is sent once per
installation (`TeamsChats.first_welcome`). A removal ("remove" action, or the bot in
membersRemoved) replaces the stored references by a retired marker: the outbox then stops
posting there instead of failing against Teams on every notice; adding the bot again stores a
fresh reference and the posts resume.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity

from bot.adapters.teams import activity as convert
from bot.adapters.teams.chats import TeamsChats

log = logging.getLogger(__name__)


def _bot_among(activity: Activity, members: list[Any] | None) -> bool:
    agent = activity.recipient.id if activity.recipient else None
    return bool(agent) and any(getattr(m, "id", None) == agent for m in members or [])


def bot_added(activity: Activity) -> bool:
    """An installation of the bot in this conversation (not an upgrade, not a user joining)."""
    if activity.type == "installationUpdate":
        return (activity.action or "") == "add"
    return activity.type == "conversationUpdate" and _bot_among(activity, activity.members_added)


def bot_removed(activity: Activity) -> bool:
    """The bot uninstalled from, or removed from, this conversation."""
    if activity.type == "installationUpdate":
        return (activity.action or "").startswith("remove")
    return activity.type == "conversationUpdate" and _bot_among(activity, activity.members_removed)


def _team_of(activity: Activity) -> str | None:
    data = activity.channel_data
    team = data.get("team") if isinstance(data, Mapping) else None
    found = team.get("id") if isinstance(team, Mapping) else None
    return found if isinstance(found, str) and found else None


async def retire(chats: TeamsChats, activity: Activity, personal: bool) -> None:
    """Retire what the removal covers (logged once: a second announcement changes nothing)."""
    conversation_id = activity.conversation.id if activity.conversation else ""
    await chats.forget_welcome(conversation_id)
    if personal:
        user = convert.user_id_of(activity)
        if user and await chats.retire(chats.user_key(user)):
            log.info("Teams: user %s removed the bot; no more posts to their 1:1 chat", user)
        return
    # A team's General channel has the team's id; both are retired, with the named channel.
    places = {convert.channel_of(activity), _team_of(activity)} - {None, ""}
    for channel in sorted(p for p in places if p):
        if await chats.retire(chats.conversation_key(channel)):
            log.info("Teams: the bot was removed from %s; no more posts there", channel)
