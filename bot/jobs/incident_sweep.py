"""INC-3 status cards every 30 minutes and INC-5 RCA reminders, found by due timers (P3).

Once only (R4): the slot claim (`claim_slot`, unique per incident and slot) and the outbox
de-duplication keys (`bridge:{incident}:{slot}`) hold across restarts and replicas; on
PostgreSQL `timers.due` also locks the rows a pass works on, so replicas split the work.

Catch-up after downtime: a pass that finds a timer several slots late posts ONE card, for the
latest slot that has come due, and re-arms at the slot after it. Missed slots are not posted
in a burst; the card's "since start" and "next update" lines show where the incident stands.
Slots stay aligned to the declaration time: the timer is always re-armed at
`declared_at + k x interval`, never at "now + interval" (no drift).
"""

from __future__ import annotations

from datetime import datetime

from bot.casework import alerts
from bot.casework import incident_notices as cards
from bot.jobs.due_timers import work_through
from bot.messages import Notice, NoticeKind
from bot.model import Priority
from bot.policy import incident as incident_policy
from bot.policy.config import PolicyConfig
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.incidents import Incident
from bot.store.interface.timers import Timer


async def sweep_incidents(store: Store, config: PolicyConfig, now: datetime) -> int:
    """INC-3: post every due status card once; how many posts were queued."""

    async def handle(uow: UnitOfWork, timer: Timer) -> int:
        return await _status_post(uow, config, timer, now)

    # Each timer is moved past `now` (or removed) in the unit of work that queues its posts.
    return await work_through(store, cards.POST_TIMER, now, handle)


async def _incident_of(uow: UnitOfWork, timer: Timer) -> Incident | None:
    if not timer.subject.isdigit():
        return None
    return await uow.incidents.get(int(timer.subject))


async def _status_post(uow: UnitOfWork, config: PolicyConfig, timer: Timer, now: datetime) -> int:
    incident = await _incident_of(uow, timer)
    if incident is None or not incident.is_open:
        # INC-4: the all-clear ends the posts (the command removes the timer; this is a backstop).
        await uow.timers.set(cards.POST_TIMER, timer.subject, None)
        return 0
    step = cards.interval(config)
    slot = incident_policy.slot_index(incident.declared_at, now, step)
    next_at = incident_policy.next_slot(incident.declared_at, now, step)
    if slot < 1:
        await uow.timers.set(cards.POST_TIMER, timer.subject, next_at, timer.payload)
        return 0
    seen_raw = timer.payload.get(cards.SEEN_KEY, 0)
    seen = seen_raw if isinstance(seen_raw, int) else 0
    if not await uow.incidents.claim_slot(incident.id, slot, now):
        # Already posted (a replica, or a pass before a crash): only move the timer on.
        await uow.timers.set(cards.POST_TIMER, timer.subject, next_at, timer.payload)
        return 0
    card = cards.status_card(incident, config, slot, seen)
    queued = await cards.to_bridges(uow, incident, card, f"bridge:{incident.id}:{slot}", now)
    # INC-3b: the customer version of the same slot in each affected account's channels; the
    # slot claim and the per-slot key keep it to one post per channel, whatever the replicas.
    customer = cards.customer_status_card(incident, config, slot)
    queued += await cards.to_accounts(
        uow, config, incident, customer, f"customer:{incident.id}:{slot}", now
    )
    if len(incident.statuses) <= seen:
        # INC-3: no new status since the last card: the commander hears it privately.
        reminded = await alerts.to_person(
            uow,
            incident.commander,
            cards.reminder_card(incident, next_at),
            f"incident-reminder:{incident.id}:{slot}",
            now,
            "UTC",
        )
        queued += int(reminded)
    await uow.timers.set(
        cards.POST_TIMER, timer.subject, next_at, {cards.SEEN_KEY: len(incident.statuses)}
    )
    return queued


async def sweep_rca_reminders(store: Store, config: PolicyConfig, now: datetime) -> int:
    """INC-5: remind the analyst queue of RCAs coming due; how many posts were queued."""

    async def handle(uow: UnitOfWork, timer: Timer) -> int:
        return await _rca_reminder(uow, config, timer, now)

    return await work_through(store, cards.RCA_REMINDER_TIMER, now, handle)


async def _rca_reminder(uow: UnitOfWork, config: PolicyConfig, timer: Timer, now: datetime) -> int:
    incident = await _incident_of(uow, timer)
    await uow.timers.set(cards.RCA_REMINDER_TIMER, timer.subject, None)
    if incident is None or incident.rca_at is not None or incident.restored_at is None:
        return 0
    times: list[tuple[str, datetime]] = [("Restored", incident.restored_at)]
    due_raw = timer.payload.get("rca_due")
    if isinstance(due_raw, str):
        times.append(("RCA due", datetime.fromisoformat(due_raw)))
    notice = Notice(
        NoticeKind.RCA_REMINDER,
        cards.title(incident, "RCA due soon"),
        f"The root cause analysis is due {config.rca_due_business_days} business days after "
        f"restoration (INC-5). Deliver it "
        f"with `incident rca {incident.id} TEXT`.",
        cards.base_facts(incident),
        case_number=incident.case_number,
        incident_id=incident.id,
        times=tuple(times),
    )
    queued = 0
    for account_id in incident.account_ids:
        account = await uow.directory.account(account_id)
        if account is None:
            continue
        # Routed like a Critical case, so queues filtered to the top priorities see it too;
        # one key per incident, so a queue shared by several accounts hears it once.
        queued += await alerts.to_queue(
            uow,
            account,
            Priority.CRITICAL,
            notice,
            f"rca-reminder:{incident.id}",
            now,
            config.region(account.region).time_zone,
        )
    return queued
