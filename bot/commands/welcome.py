"""The welcome a user gets when the bot is installed or first opened: what it is, who they are.

Not a verb: adapters build it when a platform announces an installation (Teams
`installationUpdate`/`conversationUpdate`, Slack's first `app_home_opened`). Who the user is
comes from `whoami` through the router, so it is exactly what the directory says today.
"""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Audience, Identity, Message, Reply

TITLE = "Welcome to Support"
_WHAT = (
    "I'm the support bot: open support cases, follow them with their SLA times, add updates, "
    "escalate, close and reopen them, all from chat. Queue alerts, SLA warnings and incident "
    "notices arrive here too."
)
_HOW = {
    "direct": "Type help to see what you can do.",
    "channel": "Mention me or start with case (for example: case help) to talk to me here.",
}
_PRIVATE_NOTE = "What you may do on each account is in our 1:1 chat."


def welcome(
    identity: Reply, where: str, *, identity_here: bool = True, how: str | None = None
) -> Reply:
    """The welcome: what the bot is and how to start, then the user's identity (`whoami`).

    `where` is "direct" or "channel"; `how` replaces its hint when the platform has its own way
    to start (a slash command). In a shared channel the identity stays out (ACC-9: a user's
    accounts are theirs to see), `identity_here=False`, and goes to 1:1.
    """
    text = f"{_WHAT} {how or _HOW[where]}"
    if not identity_here:
        return Reply(Message(f"{text} {_PRIVATE_NOTE}", TITLE), Audience.CHANNEL)
    follow_ups = (identity.body,) if isinstance(identity.body, Identity) else ()
    return replace(identity, body=Message(text, TITLE), follow_ups=follow_ups)
