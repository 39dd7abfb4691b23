"""ACC-3 near midnight: `help`, `whoami`, the home overview and the actions agree on the day.

Umbrella's contract ends on 31 December 2025 and the account is in LATAM (São Paulo, UTC-3),
so for three hours after midnight UTC it is still the last contract day there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.commands import identity
from bot.commands.router import Router
from bot.directory import check_directory
from bot.messages import Actor, ChatRequest, Command, Help, Identity, Outcome, Overview, Refusal
from bot.model import AccessLevel, Platform
from bot.store.interface import Store
from bot.store.interface.cases import CaseState
from tests.unit.commands.conftest import T0

EVENING_IN_SAO_PAULO = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)  # 31 Dec 2025, 22:00 local
AFTER_MIDNIGHT_THERE = datetime(2026, 1, 1, 3, 30, tzinfo=UTC)  # 1 Jan 2026, 00:30 local


async def _cases_of(store: Store, email: str) -> int:
    async with store.unit_of_work(read_only=True) as uow:
        return len(await uow.cases.opened_by(email, CaseState.OPEN, limit=None))


async def test_acc_3_help_whoami_and_open_agree_on_the_last_contract_evening(chat, clock, store):
    uma = chat("uma@umbrella.example")
    clock.now = EVENING_IN_SAO_PAULO
    help_ = (await uma.say("help")).body
    assert isinstance(help_, Help)
    assert {"open", "list", "show"} <= {e.verb for e in help_.entries}
    whoami = (await uma.say("whoami")).body
    assert isinstance(whoami, Identity)
    assert [(g.account_id, g.level, g.note) for g in whoami.grants] == [
        ("umbrella", AccessLevel.DESIGNATED, None)
    ]
    opened = await uma.say('open medium "Reports are slow" --description "Every report is slow"')
    assert opened.outcome is Outcome.OK
    assert await _cases_of(store, "uma@umbrella.example") == 1
    listed = await uma.say("list")
    assert listed.outcome is Outcome.OK


async def test_acc_3_help_whoami_and_open_agree_once_the_contract_ended_there(chat, clock, store):
    uma = chat("uma@umbrella.example")
    clock.now = AFTER_MIDNIGHT_THERE
    help_ = (await uma.say("help")).body
    assert isinstance(help_, Help)
    shown = {e.verb for e in help_.entries}
    assert "open" not in shown
    assert "list" not in shown
    assert "notices" in shown
    whoami = (await uma.say("whoami")).body
    assert isinstance(whoami, Identity)
    [line] = whoami.grants
    assert line.level is AccessLevel.BASIC
    assert line.note is not None
    assert "(ACC-3)" in line.note
    refused = await uma.say('open medium "Reports are slow" --description "Every report is slow"')
    assert refused.outcome is Outcome.REFUSED
    assert isinstance(refused.body, Refusal)
    assert refused.body.rule == "ACC-3"
    assert await _cases_of(store, "uma@umbrella.example") == 0  # R5: the refusal wrote nothing


async def _overview(router: Router, store: Store, email: str, now: datetime) -> Overview:
    """The overview the Slack App Home draws, asked of the router as the adapter asks it."""
    async with store.unit_of_work(read_only=True) as uow:
        actor = await identity.by_email(uow.directory, Platform.SLACK, f"user:{email}", email)
    req = ChatRequest(
        Platform.SLACK, "T1", "app_home", actor, Command.unparsed(""), now, is_direct=True
    )
    reply = await router.overview(req)
    assert isinstance(reply.body, Overview)
    return reply.body


async def test_acc_3_the_home_overview_agrees_with_help_on_each_side_of_midnight(
    chat, clock, store, router
):
    uma = chat("uma@umbrella.example")
    clock.now = EVENING_IN_SAO_PAULO
    opened = await uma.say('open medium "Reports are slow" --description "Every report is slow"')
    assert opened.outcome is Outcome.OK
    evening = await _overview(router, store, "uma@umbrella.example", EVENING_IN_SAO_PAULO)
    assert evening.can_open
    assert [line.summary for line in evening.cases.cases] == ["Reports are slow"]
    after = await _overview(router, store, "uma@umbrella.example", AFTER_MIDNIGHT_THERE)
    assert not after.can_open
    assert after.cases.cases == ()
    assert "can't see cases on any account today" in after.cases.empty_text


async def test_acc_2_a_read_only_contact_overview_lists_cases_without_open(store, router):
    rita = await _overview(router, store, "rita@acme.example", T0)
    assert not rita.can_open
    assert rita.cases.empty_text == "No open cases opened by you."
    unmapped = ChatRequest(
        Platform.SLACK,
        "T1",
        "app_home",
        Actor(Platform.SLACK, "UNOBODY"),
        Command.unparsed(""),
        T0,
        is_direct=True,
    )
    reply = await router.overview(unmapped)
    assert isinstance(reply.body, Overview)
    assert not reply.body.can_open
    assert "not linked to a support contact" in reply.body.cases.empty_text


async def test_acc_3_directory_check_without_a_day_judges_each_account_on_its_own_day(
    store, config
):
    inert = "account umbrella: contact uma@umbrella.example: inert designated grant"
    evening = await check_directory(store, None, config, EVENING_IN_SAO_PAULO)
    assert not any(line.startswith(inert) for line in evening)
    assert any(
        line.startswith(
            "account umbrella: 1 designated contact(s) acting as designated on 2025-12-31"
        )
        for line in evening
    )
    after = await check_directory(store, None, config, AFTER_MIDNIGHT_THERE)
    assert any(line.startswith(inert) and line.endswith("(ACC-3)") for line in after)
    # An explicit day is that day for every account, as `directory check --today DAY` says.
    on_the_day = await check_directory(store, date(2026, 1, 1), config)
    assert any(line.startswith(inert) for line in on_the_day)
