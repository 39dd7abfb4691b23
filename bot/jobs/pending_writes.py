"""Outbox rows and timer moves collected over a batch of timers, then written at once (P3).

A sweep that handles a batch of due timers in one unit of work collects its posts and timer
moves here and writes them with a few multi-row statements at the end of the batch, instead of
one statement per post and per timer. Same unit of work, so still all or nothing (R3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.store.interface import UnitOfWork
from bot.store.interface.json_values import JsonObject, JsonValue
from bot.store.interface.outbox import OutboxItem
from bot.store.interface.timers import Timer


class PendingWrites:
    """Posts in the order queued, and the last move of each (kind, subject) timer."""

    def __init__(self) -> None:
        self._posts: list[OutboxItem] = []
        self._timers: dict[tuple[str, str], tuple[datetime | None, JsonObject]] = {}

    def post(self, items: Iterable[OutboxItem]) -> None:
        """Queue these rows (built by `alerts`, so keyed as the handlers key them, R4)."""
        self._posts.extend(items)

    def move_timer(
        self,
        kind: str,
        subject: str,
        due_at: datetime | None,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """As `uow.timers.set`, written later: `due_at=None` removes the timer."""
        self._timers[(kind, subject)] = (due_at, dict(payload or {}))

    async def write(self, uow: UnitOfWork) -> int:
        """Write everything collected, then forget it; how many posts were new."""
        posts, moves = self._posts, self._timers
        self._posts, self._timers = [], {}
        new = await uow.outbox.add_many(posts) if posts else 0
        due = [Timer(k, s, at, p) for (k, s), (at, p) in moves.items() if at is not None]
        if due:
            await uow.timers.set_many(due)
        removed: dict[str, list[str]] = {}
        for (kind, subject), (at, _) in moves.items():
            if at is None:
                removed.setdefault(kind, []).append(subject)
        for kind, subjects in removed.items():
            await uow.timers.remove_many(kind, subjects)
        return new
