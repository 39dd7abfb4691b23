"""Escalations, incidents, notices, surveys, audit and conversation references round-trip."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.model import Platform
from bot.store.interface.cases import EscalationState
from bot.store.interface.errors import IncidentNotFound
from bot.store.interface.incidents import ChannelRef, IncidentStatus
from bot.store.interface.json_values import JsonObject
from bot.store.sql import SqlStore
from tests.builders import T0, add_case, seed_accounts


async def test_esc_9_the_waiting_escalation_of_a_case_is_found_until_decided(
    store: SqlStore,
) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        added = await uow.escalations.add(
            made.number, "alice@acme.example", "No progress", "40 agents blocked", False, T0
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.escalations.open_for(made.number) == added
        assert await uow.escalations.waiting() == [added]
        decided = await uow.escalations.decide(
            added.id, EscalationState.ACCEPTED, "ana@vendor.example", "Engineering engaged", T0
        )
        await uow.commit()
    assert decided.state is EscalationState.ACCEPTED and decided.decided_at == T0
    async with store.unit_of_work() as uow:
        assert await uow.escalations.open_for(made.number) is None
        assert await uow.escalations.waiting() == []
        assert await uow.escalations.for_case(made.number) == [decided]


async def test_inc_2_to_inc_5_an_incident_round_trips_through_its_life(store: SqlStore) -> None:
    await seed_accounts(store, "acme", "globex")
    made = await add_case(store)
    bridges = (ChannelRef(Platform.SLACK, "C0BRIDGE1"), ChannelRef(Platform.TEAMS, "19:b@thread"))
    async with store.unit_of_work() as uow:
        incident = await uow.incidents.declare(
            "incident",
            "Login outage",
            ["globex", "acme"],
            "web, api",
            bridges,
            made.number,
            "ivy@vendor.example",
            T0,
        )
        await uow.incidents.add_status(
            incident.id, "Failing over", "Verify", "ivy@vendor.example", T0 + timedelta(minutes=10)
        )
        await uow.commit()
    assert incident.account_ids == ("globex", "acme") and incident.bridges == bridges
    restored_at, clear_at = T0 + timedelta(minutes=50), T0 + timedelta(hours=2)
    async with store.unit_of_work() as uow:
        assert [i.id for i in await uow.incidents.open_incidents()] == [incident.id]
        await uow.incidents.restore(incident.id, "Service restored", 40, restored_at)
        await uow.incidents.all_clear(incident.id, "Resume normal work", clear_at)
        final = await uow.incidents.rca(incident.id, "Expired certificate", clear_at)
        await uow.commit()
    assert final.statuses == (
        IncidentStatus("Failing over", "Verify", "ivy@vendor.example", T0 + timedelta(minutes=10)),
    )
    assert (final.restored_at, final.agents_affected, final.all_clear_at) == (
        restored_at,
        40,
        clear_at,
    )
    assert final.rca_text == "Expired certificate" and not final.is_open
    async with store.unit_of_work() as uow:
        assert await uow.incidents.open_incidents() == []
        assert await uow.incidents.get(incident.id) == final
        in_month = await uow.incidents.for_account(
            "acme", T0 - timedelta(days=3), T0 + timedelta(days=20)
        )
        after = await uow.incidents.for_account(
            "acme", T0 + timedelta(days=1), T0 + timedelta(days=20)
        )
        other = await uow.incidents.for_account(
            "initech", T0 - timedelta(days=3), T0 + timedelta(days=20)
        )
    assert [i.id for i in in_month] == [incident.id]
    assert after == [] and other == []


async def test_inc_3_each_30_minute_slot_is_claimed_once(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        incident = await uow.incidents.declare(
            "incident", "Outage", [], None, (), None, "ivy@vendor.example", T0
        )
        assert await uow.incidents.claim_slot(incident.id, 1, T0 + timedelta(minutes=30)) is True
        assert await uow.incidents.claim_slot(incident.id, 1, T0 + timedelta(minutes=31)) is False
        assert await uow.incidents.claim_slot(incident.id, 2, T0 + timedelta(minutes=60)) is True
        await uow.commit()


async def test_updating_a_missing_incident_raises_incident_not_found(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        with pytest.raises(IncidentNotFound):
            await uow.incidents.restore(404, None, None, T0)
        with pytest.raises(IncidentNotFound):
            await uow.incidents.add_status(404, "x", None, "ivy@vendor.example", T0)


async def test_not_1_notices_get_unique_references_and_reach_their_accounts(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        planned = await uow.notices.add(
            "maintenance",
            ["acme"],
            "Database upgrade",
            "adam@vendor.example",
            T0,
            T0 + timedelta(days=8),
            T0 + timedelta(days=8, hours=2),
            "10 minutes read-only",
        )
        advisory = await uow.notices.add(
            "advisory", [], "Security advisory", "adam@vendor.example", T0 + timedelta(hours=1)
        )
        await uow.commit()
    assert advisory.reference > planned.reference
    async with store.unit_of_work() as uow:
        assert await uow.notices.get(planned.reference) == planned
        for_acme = await uow.notices.for_account("acme", T0 - timedelta(days=1))
        for_globex = await uow.notices.for_account("globex", T0 - timedelta(days=1))
    assert for_acme == [advisory, planned]
    assert for_globex == [advisory]


async def test_case_8_survey_answers_are_recorded_per_case(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        await uow.surveys.record(made.number, 5, "Quick fix, thanks", "alice@acme.example", T0)
        with pytest.raises(ValueError, match="1 to 5"):
            await uow.surveys.record(made.number, 6, "", "alice@acme.example", T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        answers = await uow.surveys.for_case(made.number)
    assert [(a.rating, a.comment, a.at) for a in answers] == [(5, "Quick fix, thanks", T0)]


async def test_r7_audit_entries_list_in_order_and_filter_by_case(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        await uow.audit.add(
            "alice@acme.example", Platform.SLACK, "open", 1001, {"priority": "high"}, T0
        )
        await uow.audit.add(
            "adam@vendor.example", None, "directory.load", None, {"accounts": 5}, T0
        )
        await uow.audit.add("ana@vendor.example", Platform.TEAMS, "take", 1001, {}, T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        everything = await uow.audit.entries()
        of_case = await uow.audit.entries(1001)
        newest = await uow.audit.entries(limit=1)
    assert [e.action for e in everything] == ["open", "directory.load", "take"]
    assert [e.action for e in of_case] == ["open", "take"]
    assert of_case[0].detail == {"priority": "high"} and of_case[0].platform is Platform.SLACK
    assert [e.action for e in newest] == ["take"]


async def test_conversation_references_are_saved_replaced_and_read_by_key(store: SqlStore) -> None:
    reference: JsonObject = {
        "conversation": {"id": "a:1"},
        "serviceUrl": "https://smba.example/",
        "n": [1, 2],
    }
    async with store.unit_of_work() as uow:
        await uow.conversations.save("teams:user:1", reference, T0)
        await uow.conversations.save("teams:user:1", reference | {"n": [3]}, T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.conversations.get("teams:user:1") == reference | {"n": [3]}
        assert await uow.conversations.get("teams:user:2") is None


async def test_esc_9_the_database_keeps_one_waiting_escalation_per_case(store) -> None:
    from bot.store.interface.cases import EscalationState
    from bot.store.interface.errors import EscalationWaiting
    from tests.builders import T0, seed_accounts

    await seed_accounts(store, "acme")
    case = await add_case(store)
    async with store.unit_of_work() as uow:
        first = await uow.escalations.add(case.number, "alice@acme.example", "why", None, False, T0)
        with pytest.raises(EscalationWaiting):
            await uow.escalations.add(case.number, "dave@acme.example", "again", None, False, T0)
        # The transaction is still usable after the refused insert.
        await uow.escalations.decide(first.id, EscalationState.REJECTED, "ana@x.example", "no", T0)
        second = await uow.escalations.add(case.number, "dave@acme.example", "now", None, False, T0)
        await uow.commit()
    assert second.id != first.id
