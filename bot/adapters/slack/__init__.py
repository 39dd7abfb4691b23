"""Slack: the bolt adapter, its delivery, identity, installs and manifest.

`PLATFORM` is what the composition root registers (`bot/adapters/registry.py`).
"""

from bot.adapters.slack.plugin import SlackPlatform

PLATFORM = SlackPlatform()
