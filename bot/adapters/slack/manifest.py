"""The Slack app manifest, filled in for one deployment (`supportbot manifest build`).

`manifest/slack/manifest.yaml` is this manifest with `{BASE_URL}` placeholders; a test keeps the
two equal. The manifest lives here too so an installed package can build it without the repo.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

PLACEHOLDER = "{BASE_URL}"
EVENTS_PATH = "/slack/events"
_LOCAL_HOSTS = ("localhost", "127.0.0.1")

# Least privilege: no chat:write.public (the bot posts only where it was invited; slash command
# answers go through response_url). Each scope is justified in docs/slack.md.
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",  # ACC-7: users.info -> the corporate e-mail
    # Channel metadata only (no messages): the events saying the bot left or rejoined a public
    # or private channel, so posts there stop instead of failing (#15).
    "channels:read",
    "groups:read",
    # CONV-2..CONV-5: replies in case threads and top-level messages in the channels the bot
    # was invited to (public, private); Slack delivers nothing from channels it is not in.
    "channels:history",
    "groups:history",
    "reactions:read",  # CONV-4: the capture emoji (reaction_added)
    "files:read",  # CONV-5: files shared in a case thread (files.info, url_private_download)
)
SHORTCUT_OPEN = "open_case_from_message"
SHORTCUT_REPLY = "reply_to_customer"


def slack_manifest(base_url: str) -> dict[str, Any]:
    """The manifest as a mapping, every request URL under `base_url`."""
    url = base_url + EVENTS_PATH
    return {
        "display_information": {
            "name": "Support",
            "description": "Work your support cases from Slack.",
            "long_description": (
                "Open, follow, update, escalate and close support cases without leaving Slack. "
                "Type `/case help` to see what you can do; case details are only shown in "
                "channels bound to your account, everywhere else the bot answers privately."
            ),
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": "Support", "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "slash_commands": [
                {
                    "command": "/case",
                    "url": url,
                    "description": "Work your support cases",
                    "usage_hint": "help | open | list | show CASE | update CASE TEXT",
                    "should_escape": False,
                }
            ],
            "shortcuts": [
                {
                    "name": "Open a case from this message",
                    "type": "message",
                    "callback_id": SHORTCUT_OPEN,
                    "description": "Opens the case form with this message as the description",
                },
                {
                    "name": "Reply to customer",
                    "type": "message",
                    "callback_id": SHORTCUT_REPLY,
                    "description": "Sends this support-thread note to the customer (CONV-3)",
                },
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {
                "request_url": url,
                "bot_events": [
                    "app_home_opened",
                    "app_mention",
                    "message.im",
                    # No scope needed: how the bot learns it was removed (#15).
                    "app_uninstalled",
                    "tokens_revoked",
                    # channels:read / groups:read: the bot leaving or rejoining a channel.
                    "member_joined_channel",
                    "member_left_channel",
                    "channel_left",
                    "group_left",
                    # channels:history / groups:history: case threads and capture (CONV-2..5);
                    # edits arrive as subtype message_changed, files as subtype file_share.
                    "message.channels",
                    "message.groups",
                    "reaction_added",  # reactions:read: the capture emoji (CONV-4)
                ],
            },
            "interactivity": {"is_enabled": True, "request_url": url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def build_slack_manifest(base_url: str) -> str:
    """The manifest YAML for a deployment at `base_url` (https, or http on localhost)."""
    return yaml.safe_dump(slack_manifest(checked_base_url(base_url)), sort_keys=False, width=100)


def checked_base_url(base_url: str) -> str:
    """`base_url` without a trailing slash; ValueError unless Slack could reach it."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"the base URL must be an absolute http(s) URL, got {base_url!r}")
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        # Slack only calls https endpoints; plain http is for a local stand-in or tunnel test.
        raise ValueError(f"the base URL must use https (http only for localhost), got {base_url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"the base URL must not carry a query, fragment or credentials: {base_url!r}"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
