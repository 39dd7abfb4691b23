"""`supportbot chat`: the same handlers from a terminal, as one contact or staff member.

Replies are rendered as text and marked as posted in the channel or private to the asker. With
standard input not a terminal it reads one command per line and stops at end of input, so a
session can be scripted.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.cards.text import render_text
from bot.commands import identity
from bot.commands.router import Router
from bot.messages import Audience, ChatRequest, Command, Outcome, Reply
from bot.model import Platform

PROMPT = "> "


class Console:
    """One person typing commands; `now` is fixed (--now) or the real clock."""

    def __init__(
        self,
        router: Router,
        email: str,
        platform: Platform,
        channel: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.router = router
        self.email = email
        self.platform = platform
        self.channel = channel
        self.clock = clock

    async def ask(self, text: str) -> Reply:
        actor = await identity.by_email(
            await self.router.store.directory(), self.platform, self.email, self.email
        )
        req = ChatRequest(
            platform=self.platform,
            workspace="console",
            channel_id=self.channel or f"console:{self.email}",
            actor=actor,
            command=Command.unparsed(text),
            now=self.clock(),
            is_direct=self.channel is None,
        )
        return await self.router.handle(req)

    def show(self, reply: Reply, out: TextIO) -> None:
        if reply.outcome is Outcome.DUPLICATE:
            return
        if self.channel is None:
            where = "(direct message)"
        elif reply.audience is Audience.CHANNEL:
            where = f"(posted in {self.channel})"
        else:
            where = "(private to you)"
        out.write(f"{where}\n{render_text(reply)}\n")
        out.flush()

    async def run(self, source: TextIO, out: TextIO) -> int:
        """Read commands until end of input; returns the exit status (1 if any failed on our side)."""
        interactive = source.isatty()
        failed = False
        while True:
            if interactive:
                out.write(PROMPT)
                out.flush()
            line = await asyncio.to_thread(source.readline)
            if not line:
                break
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if not interactive:
                out.write(f"{PROMPT}{text}\n")
            reply = await self.ask(text)
            failed = failed or reply.outcome is Outcome.ERROR
            self.show(reply, out)
        return 1 if failed else 0


def fixed_clock(now: datetime | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    return lambda: now


async def run_console(
    router: Router, email: str, platform: Platform, channel: str | None, now: datetime | None
) -> int:
    console = Console(router, email, platform, channel, fixed_clock(now))
    return await console.run(sys.stdin, sys.stdout)
