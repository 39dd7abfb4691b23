"""A scripted `supportbot chat` session: a case from open to reopening, customer and analyst.

Each step is typed into the console adapter exactly as a person would (one command per line),
and the test checks the transcript and, in the database, the status, sub-status and SLA clocks.
"""

from __future__ import annotations

import io
from datetime import timedelta

from bot.adapters.console import Console
from bot.commands.router import Router
from bot.messages import TimerState
from bot.model import Platform, Status, SubStatus
from bot.store.interface import Store
from tests.readback import clocks_of, get_case

from .conftest import Clock


async def type_lines(console: Console, *lines: str) -> str:
    out = io.StringIO()
    status = await console.run(io.StringIO("\n".join(lines) + "\n"), out)
    assert status == 0
    return out.getvalue()


async def test_case_lifecycle_through_the_console(router: Router, store: Store, clock: Clock):
    alice = Console(router, "alice@acme.example", Platform.SLACK, None, lambda: clock.now)
    ana = Console(router, "ana@vendor.example", Platform.SLACK, "CQUEUE", lambda: clock.now)

    # CASE-2: opened by the customer; both clocks run (SLA-1: High, 4 business hours / 2 days).
    out = await type_lines(
        alice,
        'open high "Agents cannot log in to the CRM connector" --impact "40 agents idle" '
        '--description "Since 09:00 every agent on floor 2 gets session expired at login."',
    )
    assert "Case 0000001001: Agents cannot log in to the CRM connector" in out
    case = await get_case(store, 1001)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.NEW)
    clocks = await clocks_of(store, router.config, 1001, clock.now)
    assert clocks.response.state is TimerState.RUNNING
    assert clocks.resolution.state is TimerState.RUNNING

    # The analyst takes it and asks for information: response met, resolution paused (SLA-4).
    clock.advance(minutes=30)
    out = await type_lines(ana, "take 1001", "request-info 1001 Please attach the connector log.")
    assert "Awaiting Information" in out
    case = await get_case(store, 1001)
    assert case.owner == "ana@vendor.example"
    assert (case.status, case.sub_status) == (
        Status.AWAITING_INFORMATION,
        SubStatus.INFORMATION_REQUIRED,
    )
    clocks = await clocks_of(store, router.config, 1001, clock.now)
    assert clocks.response.state is TimerState.MET
    assert clocks.resolution.state is TimerState.PAUSED

    # Two business hours later the customer answers: back to Open / Customer Responded (CASE-7).
    clock.advance(hours=2)
    out = await type_lines(alice, "update 1001 Log attached: connector.log, 2 MB.")
    case = await get_case(store, 1001)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)
    clocks = await clocks_of(store, router.config, 1001, clock.now)
    assert clocks.resolution.state is TimerState.RUNNING
    assert clocks.resolution.paused == timedelta(hours=2)

    # ESC-6: a High case updated less than 24 hours ago can't be escalated yet.
    out = await type_lines(
        alice, "escalate 1001 Still broken --impact 'forty agents cannot take calls'"
    )
    assert "ESC-6" in out
    async with store.unit_of_work() as uow:
        assert await uow.escalations.open_for(1001) is None

    # A day later it can; the analyst accepts it (ESC-10).
    clock.advance(hours=24)
    out = await type_lines(
        alice, "escalate 1001 Still broken after a day --impact 'forty agents cannot take calls'"
    )
    assert "Escalation" in out
    out = await type_lines(ana, "escalation accept 1001 Engineering is on it; patch tonight.")
    async with store.unit_of_work() as uow:
        decided = await uow.escalations.for_case(1001)
    assert [e.state.value for e in decided] == ["accepted"]

    # CASE-8: the customer closes it; both clocks stop.
    clock.advance(hours=20)
    out = await type_lines(alice, "close 1001 resolved The patch fixed it, thanks.")
    case = await get_case(store, 1001)
    assert (case.status, case.sub_status) == (Status.CLOSED, SubStatus.RESOLVED)
    assert case.closed_at == clock.now
    clocks = await clocks_of(store, router.config, 1001, clock.now)
    assert clocks.resolution.state in (TimerState.MET, TimerState.BREACHED)

    # REO-1: three days later it is back; reopening gives a new response target.
    clock.advance(days=3)
    out = await type_lines(
        alice,
        "reopen 1001 The login failures came back this morning after the nightly restart "
        "of the connector service",
    )
    case = await get_case(store, 1001)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.REOPEN_REQUESTED)
    assert case.closed_at is None
    clocks = await clocks_of(store, router.config, 1001, clock.now)
    assert clocks.response.state is TimerState.RUNNING
    assert clocks.response.started_at == clock.now
