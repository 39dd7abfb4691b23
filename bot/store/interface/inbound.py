"""R2: de-duplication of incoming platform requests (retried Slack requests, repeated Teams
activities), claimed in the unit of work that handles them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class InboundRepository(Protocol):
    """R2: de-duplication of retried Slack requests and repeated Teams activities."""

    async def claim(self, key: str, now: datetime) -> bool:
        """True the first time `key` is claimed in a committed unit of work, else False."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` keys claimed before `before`; how many."""
        ...
