"""R2 for read verbs: a retried request is recognised in memory, not by a database write.

A read verb changes nothing, so answering a retry twice would be harmless but noisy; the
window only has to outlive the platforms' retries (Slack's Events API retries within minutes,
slash commands are never retried). Keeping it in memory spares every `show` and `list` a
write transaction and, on SQLite, the one writer's turn (#18).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
CAPACITY = 20_000  # keys kept at most; the oldest go first


class RetryWindow:
    """Request ids claimed within `span` of each other."""

    def __init__(self, span: timedelta = WINDOW, capacity: int = CAPACITY) -> None:
        self._span = span
        self._capacity = capacity
        self._seen: OrderedDict[str, datetime] = OrderedDict()

    def claim(self, key: str, now: datetime) -> bool:
        """True the first time `key` is seen within the window; False for a retry."""
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if at > now - self._span and len(self._seen) < self._capacity:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    def release(self, key: str) -> None:
        """Forget `key` (its request failed; a retry should run it)."""
        self._seen.pop(key, None)
