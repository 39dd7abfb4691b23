"""ESC-10 follow-through: escalations waiting on staff remind the queue every 4 business hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.model import CaseEvent, EventKind
from bot.policy.config import PolicyConfig
from bot.store.interface import Store
from bot.store.interface.cases import EscalationState
from tests.builders import T0
from tests.integration.jobs_fakes import Passes, change, open_tracked, seed_directory

HALF_HOUR = timedelta(minutes=30)


def reminders(passes: Passes) -> dict[str, int]:
    return {k: n for k, n in passes.counts().items() if k.startswith("esc_wait:")}


async def test_esc_10_waiting_escalation_reminds_the_queue_per_4_business_hours_until_decided(
    store: Store,
) -> None:
    config = PolicyConfig()
    await seed_directory(store)
    case = await open_tracked(store, config, T0)
    asked = T0 + timedelta(hours=1)  # Monday 11:00 in New York
    async with store.unit_of_work() as uow:
        escalation = await uow.escalations.add(
            case.number, "alice@acme.example", "No progress", "40 agents idle", False, asked
        )
        await uow.commit()
    event = CaseEvent(EventKind.ESCALATION_REQUEST, asked, "alice@acme.example")
    await change(store, config, case.number, event)
    passes = Passes(store, config)
    e = escalation.id

    await passes.every(asked, asked + timedelta(hours=4) - HALF_HOUR, HALF_HOUR)
    assert reminders(passes) == {}
    # 4 business hours: 15:00 New York; 8: 19:00; 12 falls on Tuesday 10:00 after the night.
    await passes.every(
        asked + timedelta(hours=4), datetime(2026, 5, 5, 13, 30, tzinfo=UTC), HALF_HOUR
    )
    assert reminders(passes) == {
        f"esc_wait:{e}:1:slack:CQUEUE": 1,
        f"esc_wait:{e}:2:slack:CQUEUE": 1,
    }

    decided = datetime(2026, 5, 5, 13, 45, tzinfo=UTC)
    async with store.unit_of_work() as uow:
        await uow.escalations.decide(
            e, EscalationState.ACCEPTED, "adam@vendor.example", "On it", decided
        )
        await uow.commit()
    await passes.every(decided, decided + timedelta(days=2), HALF_HOUR)
    assert len(reminders(passes)) == 2
