"""The adapter contract: what every chat platform plugged in through `ChatPlatform` must do.

Run for Slack, Teams and FakeChat (the test-only third platform) over HTTP through one server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.platform import ChatPlatform
from bot.casework.payload import encode
from bot.messages import Audience, Message, Reply
from bot.model import Case
from bot.store.interface.cases import CaseState
from bot.store.interface.outbox import OutboxItem, TargetKind
from tests.adapters.contract.conftest import Served
from tests.adapters.contract.drivers import PLATFORM_NAMES, RENDER_CHECKS
from tests.adapters.slack_fixtures import T0
from tests.unit.cards.samples import SAMPLES

pytestmark = pytest.mark.usefixtures("loopback_only")  # tests never leave 127.0.0.1

DESCRIPTION = "Exports fail with error 500 for every report since the upgrade last night"


async def acme_cases(served: Served) -> list[int]:
    async with served.store.unit_of_work() as uow:
        return sorted(c.number for c in await uow.cases.for_account("acme", CaseState.ALL))


async def audit_count(served: Served) -> int:
    async with served.store.unit_of_work() as uow:
        return len(await uow.audit.entries())


async def test_r1_an_unauthenticated_request_is_refused_before_it_is_interpreted(
    served: Served,
) -> None:
    driver = served.driver
    response = await driver.unauthenticated(f'open medium "Export" --description "{DESCRIPTION}"')
    assert response.status == 401
    assert await acme_cases(served) == []
    assert await audit_count(served) == 0


async def test_case_2_a_designated_contact_opens_and_shows_a_case_over_http(
    served: Served,
) -> None:
    driver = served.driver
    opened = await driver.ask(f'open medium "Reports export fails" --description "{DESCRIPTION}"')
    [number] = await acme_cases(served)
    assert f"{number:010d}" in opened
    case = await _case(served, number)
    assert case.opened_by == "alice@acme.example"
    shown = await driver.ask(f"show {number}")
    assert f"{number:010d}" in shown and "Reports export fails" in shown


async def test_acc_7_an_unknown_user_is_told_how_to_get_linked_and_nothing_is_written(
    served: Served,
) -> None:
    answer = await served.driver.ask("whoami", who="unknown")
    assert "isn't linked to a support contact" in answer.replace("\\", "")
    opened = await served.driver.ask(
        f'open medium "Export" --description "{DESCRIPTION}"', who="unknown"
    )
    assert "ACC-7" in opened
    assert await acme_cases(served) == []


async def test_r3_an_outbox_post_reaches_the_platform_exactly_once(served: Served) -> None:
    driver = served.driver
    reply = Reply(Message("The maintenance window starts at 22:00 UTC."), Audience.CHANNEL)
    item = OutboxItem(
        "contract:1", driver.platform.platform, driver.target, TargetKind.CHANNEL, encode(reply), T0
    )
    async with served.store.unit_of_work() as uow:
        assert await uow.outbox.add(item)
        await uow.commit()
    first = await served.server.worker.drain(T0 + timedelta(minutes=1))
    again = await served.server.worker.drain(T0 + timedelta(minutes=2))
    assert driver.posts() == 1
    assert (first.delivered, again.delivered) == (1, 0)
    async with served.store.unit_of_work() as uow:
        backlog = await uow.outbox.backlog()
    assert (backlog.pending, backlog.dead) == (0, 0)


@pytest.mark.parametrize(("platform", "check"), RENDER_CHECKS, ids=PLATFORM_NAMES)
def test_every_rendered_reply_keeps_the_platforms_limits(
    platform: ChatPlatform, check: Callable[[Sequence[Mapping[str, Any]]], None]
) -> None:
    for name, reply in sorted(SAMPLES.items()):
        rendered = platform.render(reply)
        assert rendered, name
        check(rendered)


async def test_acc_7_the_platform_names_the_sender_of_an_authenticated_payload(
    served: Served,
) -> None:
    payload, expected = served.driver.payload()
    assert served.driver.platform.identity(payload) == expected
    assert served.driver.platform.identity({}) is None


async def test_the_manifest_builds_for_an_https_deployment_and_refuses_plain_http(
    served: Served,
) -> None:
    platform, settings = served.driver.platform, served.driver.settings
    manifest = platform.manifest("https://support.example.com", settings)
    assert "https://support.example.com" in str(manifest)
    with pytest.raises(ValueError):
        platform.manifest("http://support.example.com", settings)


async def test_manifest_build_writes_the_platforms_install_file(
    served: Served, tmp_path: Path
) -> None:
    platform, settings = served.driver.platform, served.driver.settings
    built = platform.package("https://support.example.com", settings, tmp_path)
    assert built.path is not None and built.path.parent == tmp_path and built.path.stat().st_size
    assert built.title and built.note


async def _case(served: Served, number: int) -> Case:
    async with served.store.unit_of_work() as uow:
        case = await uow.cases.get(number)
    assert case is not None
    return case
