"""Adapter test fixtures; each platform keeps its own in a module imported here."""

from __future__ import annotations

from tests.adapters.slack_fixtures import (  # noqa: F401
    slack,
    slack_api,
    slack_slow_reads,
    slack_store,
)
from tests.adapters.teams_fixtures import (  # noqa: F401
    loopback_only,
    minter,
    teams,
    teams_connector,
    teams_secure,
    teams_store,
)
