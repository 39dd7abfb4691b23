"""ACC-3 near midnight: `help`, `whoami` and the actions judge a contract on the account's day.

Umbrella's contract ends on 31 December 2025 and the account is in LATAM (São Paulo, UTC-3),
so for three hours after midnight UTC it is still the last contract day there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import Help, Identity, Outcome, Refusal
from bot.model import AccessLevel
from bot.store.interface import CaseState, Store

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
