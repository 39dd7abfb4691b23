"""The printed conversation: steps, what people typed, and every post the stand-ins received."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.demo.posts import Names, Post, slack_post, teams_post
from bot.standins.slack_api import SlackStandIn
from bot.standins.teams_connector import ConnectorStandIn

WIDTH = 96
INDENT = "    │ "


@dataclass
class Transcript:
    """Writes the tour to `out` and hands back the posts each action caused."""

    out: TextIO
    names: Names
    slack_api: SlackStandIn
    connector: ConnectorStandIn
    zone: ZoneInfo
    _slack_seen: int = 0
    _teams_seen: int = 0
    shown: list[Post] = field(default_factory=list)

    def heading(self, number: int, title: str, now: datetime) -> None:
        """A step's title with the simulated time in the account's zone."""
        when = now.astimezone(self.zone).strftime("%a %d %b %Y %H:%M %Z")
        line = f"── {number}. {title} "
        self.out.write(f"\n{line}{'─' * max(WIDTH - len(line) - len(when) - 1, 3)} {when}\n")

    def typed(self, where: str, who: str, text: str) -> None:
        """What a person typed (or clicked), as the line they would see in their client."""
        lines = textwrap.wrap(f"[{where}] {who}: {text}", WIDTH, subsequent_indent="      ")
        self.out.write("\n" + "\n".join(lines) + "\n")

    def note(self, text: str) -> None:
        """The narrator: what happens off-screen (the clock moving, a scheduler pass)."""
        for line in textwrap.wrap(text, WIDTH - 4):
            self.out.write(f"  ~ {line}\n")

    def posts(self) -> list[Post]:
        """Print and return what the bot posted on either platform since the last call."""
        fresh: list[Post] = []
        calls = self.slack_api.calls
        for call in calls[self._slack_seen :]:
            post = slack_post(call, self.names)
            if post is not None:
                fresh.append(post)
        self._slack_seen = len(calls)
        posted = self.connector.posts
        fresh.extend(teams_post(p, self.names) for p in posted[self._teams_seen :])
        self._teams_seen = len(posted)
        for post in fresh:
            self.out.write(f"[{post.where}] bot ({post.audience}):\n")
            for line in post.lines:
                for part in textwrap.wrap(line, WIDTH - len(INDENT)) or [""]:
                    self.out.write(f"{INDENT}{part}".rstrip() + "\n")
        self.shown.extend(fresh)
        return fresh

    def summary(self, lines: list[str]) -> None:
        """The closing list of what the tour showed."""
        self.out.write(f"\n{'═' * WIDTH}\nWhat the demo showed:\n")
        for line in lines:
            wrapped = textwrap.wrap(line, WIDTH - 4, subsequent_indent="    ")
            self.out.write("  ✓ " + "\n".join(wrapped) + "\n")
