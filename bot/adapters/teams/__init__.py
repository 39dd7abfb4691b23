"""Microsoft Teams: the Agents SDK adapter, its delivery, identity, installs and manifest.

`PLATFORM` is what the composition root registers (`bot/adapters/registry.py`).
"""

from bot.adapters.teams.plugin import TeamsPlatform

PLATFORM = TeamsPlatform()
