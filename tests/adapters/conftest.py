"""Adapter test fixtures; each platform keeps its own in a module imported here."""

from __future__ import annotations

from tests.adapters.slack_fixtures import slack, slack_api, slack_store  # noqa: F401
from tests.adapters.teams_fixtures import (  # noqa: F401
    loopback_only,
    minter,
    teams,
    teams_connector,
    teams_secure,
    teams_store,
)
