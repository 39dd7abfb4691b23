"""`queue` (SLA-5, ESC-10): open cases near or past a target, most urgent first, found through
the `sla` timer index, and the escalations waiting."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Audience, CaseList, Message, Outcome, Refusal, Reply
from bot.store.interface import Store
from tests.builders import open_case_number

from .conftest import T0

HIGH_GLOBEX = (
    'open high "Login fails for all agents" --impact "no agent can log in" --description '
    '"Since 14:00 every agent login fails with an authentication error on all sites."'
)
LOW_ACME = (
    'open low "Typo on the reports page" --description '
    '"The reports page says Exprot instead of Export in the toolbar of the main view."'
)


def queue_of(reply: Reply) -> tuple[CaseList, CaseList]:
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseList) and reply.body.title == "Queue"
    [escalations] = reply.follow_ups
    assert isinstance(escalations, CaseList) and escalations.title == "Escalations waiting"
    return reply.body, escalations


async def test_sla_5_queue_lists_cases_at_the_warning_or_breached_most_urgent_first(chat, clock):
    acme = await open_case_number(
        chat("alice@acme.example")
    )  # medium: 13 business hours to respond
    globex = await open_case_number(chat("gina@globex.example"), HIGH_GLOBEX)  # high, cloud: 2 h
    clock.advance(hours=9)
    fresh = await open_case_number(chat("dave@acme.example"), LOW_ACME)
    clock.advance(hours=1)  # acme at 10 of 13 h (past 75%), globex breached 8 h ago
    cases, _ = queue_of(await chat("ana@vendor.example").say("queue"))
    assert [line.number for line in cases.cases] == [globex, acme]
    assert fresh not in [line.number for line in cases.cases]
    assert cases.total == 2
    assert cases.cases[0].next_due_at == T0 + timedelta(hours=2)  # breached: when it was due
    assert cases.cases[1].next_due_at == T0 + timedelta(hours=24)  # Wed 10:00 in New York


async def test_sla_5_a_case_below_the_first_threshold_is_not_in_the_queue(chat, clock):
    await open_case_number(chat("alice@acme.example"))
    clock.advance(hours=9)  # 9 h of 13: below 75% (9 h 45 min)
    cases, escalations = queue_of(await chat("ana@vendor.example").say("queue"))
    assert cases.cases == () and cases.total == 0
    assert escalations.cases == ()


async def test_sla_5_a_case_joins_the_queue_at_its_threshold_after_a_queue_that_left_it_out(
    chat, clock
):
    # The second and third `queue` reuse the thresholds the first computed (#18): the same
    # case, unchanged, must still join at 75% and show the same breach instant.
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    clock.advance(hours=9)  # 9 h of 13: below 75% (9 h 45 min)
    cases, _ = queue_of(await ana.say("queue"))
    assert cases.cases == ()
    clock.advance(hours=1)
    cases, _ = queue_of(await ana.say("queue"))
    assert [line.number for line in cases.cases] == [number]
    assert cases.cases[0].next_due_at == T0 + timedelta(hours=24)
    clock.advance(hours=20)  # breached now: listed with the same due instant
    cases, _ = queue_of(await ana.say("queue"))
    assert [(line.number, line.next_due_at) for line in cases.cases] == [
        (number, T0 + timedelta(hours=24))
    ]


async def test_sla_5_paused_and_answered_cases_leave_the_queue(chat, clock):
    number = await open_case_number(chat("alice@acme.example"))
    ana = chat("ana@vendor.example")
    clock.advance(hours=10)
    cases, _ = queue_of(await ana.say("queue"))
    assert [line.number for line in cases.cases] == [number]
    await ana.say(f"request-info {number} Please attach the export log.")
    cases, _ = queue_of(await ana.say("queue"))
    assert cases.cases == ()


async def test_p3_queue_reads_the_sla_timer_index_rather_than_scanning_cases(
    chat, store: Store, clock
):
    number = await open_case_number(chat("alice@acme.example"))
    clock.advance(hours=10)
    async with store.unit_of_work() as uow:
        await uow.timers.set("sla_watch", str(number), None)
        await uow.commit()
    cases, _ = queue_of(await chat("ana@vendor.example").say("queue"))
    assert cases.cases == ()


async def test_esc_10_queue_shows_the_escalations_waiting(chat, store: Store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    async with store.unit_of_work() as uow:
        await uow.escalations.add(
            number, "alice@acme.example", "No progress for days", None, False, clock.now
        )
        await uow.commit()
    _, escalations = queue_of(await chat("ivan@vendor.example").say("queue"))
    assert [line.number for line in escalations.cases] == [number]
    assert escalations.cases[0].summary.startswith("Escalated by alice@acme.example")
    assert escalations.total == 1


async def test_acc_9_the_queue_is_posted_in_queue_channels_and_private_elsewhere(chat, clock):
    await open_case_number(chat("alice@acme.example"))
    clock.advance(hours=10)
    ana = chat("ana@vendor.example")
    in_queue = await ana.say("queue", channel="CQUEUE")
    in_account = await ana.say("queue", channel="CACME")
    direct = await ana.say("queue")
    assert in_queue.audience is Audience.CHANNEL
    assert in_account.audience is Audience.PRIVATE
    assert direct.audience is Audience.CHANNEL  # a DM with the bot is already private
    assert direct.show_utc


async def test_acc_8_queue_is_an_unknown_verb_for_customers(chat):
    reply = await chat("alice@acme.example").say("queue")
    assert reply.body == Message("Unknown command `queue`. Type `help` to see what you can do.")


async def test_acc_8_admin_without_the_analyst_role_has_no_queue(chat):
    reply = await chat("adam@vendor.example").say("queue")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
