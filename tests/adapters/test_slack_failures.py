"""#13 / R6: a failure anywhere on the Slack request path, the identity lookup included, still
gets the user the polite "nothing was changed" answer, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store.interface import Store
from tests.adapters.slack_fixtures import SlackHarness


class ResettingStore:
    """The real store, except that its next `failures` database reads lose their connection.

    The identity lookup reads the directory (`directory()`, which refreshes from the database)
    and, for the e-mail fallback, nothing else; a command then opens units of work.
    """

    def __init__(self, inner: Store, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def _fail_once(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionResetError("connection reset by peer")

    def unit_of_work(self, **options: Any) -> Any:
        self._fail_once()
        return self.inner.unit_of_work(**options)

    async def directory(self) -> Any:
        self._fail_once()
        return await self.inner.directory()


@pytest.mark.parametrize(
    ("user", "text"),
    [
        pytest.param("UALICE", "open medium Login fails --description 'error 503'", id="listed"),
        pytest.param(
            "UNEWALICE", "open medium Login fails --description 'error 503'", id="by-e-mail"
        ),
    ],
)
async def test_r6_a_database_error_in_the_identity_lookup_gets_the_polite_answer(
    slack: SlackHarness, user: str, text: str
) -> None:
    lookups = ResettingStore(slack.store, failures=1)
    slack.adapter.users.store = lookups  # type: ignore[assignment]
    response = await slack.slash(text, user=user)
    assert response.status == 200
    assert lookups.failures == 0
    answer = slack.api.calls_to("response_url")[-1].body
    assert answer["response_type"] == "ephemeral"
    assert "nothing was changed" in answer["text"]
    assert await slack.count_cases() == 0


async def test_r6_a_database_error_in_the_lookup_of_a_typed_message_is_answered_in_the_dm(
    slack: SlackHarness,
) -> None:
    slack.adapter.users.store = ResettingStore(slack.store, failures=1)  # type: ignore[assignment]
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "UALICE",
        "text": "list",
        "channel": "DALICE",
        "ts": "1700000003.000100",
    }
    await slack.event(event)
    [posted] = slack.api.calls_to("chat.postMessage")
    assert posted.body["channel"] == "DALICE"
    assert "nothing was changed" in str(posted.body)
