"""SLA-5 warnings and breach notices to the analyst queue, and SLA-5b breach notices to customers.

Driven by the "sla" timer that `tracking.track` keeps at the case's earliest SLA-5 instant; never
a scan of open cases (P3). Each notice has a de-duplication key per case, target and threshold,
so the outbox's unique key makes it once-only across passes, restarts and replicas (R4).

Catch-up after downtime: when a clock passed several thresholds while no pass ran, only the
highest one is sent (the breach makes the 75% warning moot); no burst of stale warnings.
"""

from __future__ import annotations

from datetime import datetime

from bot.commands import alerts
from bot.commands.tracking import SLA_TIMER
from bot.jobs.due_timers import DirectoryCache, work_through
from bot.messages import CaseAction, Fact, Notice, NoticeKind
from bot.model import Account, Case
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.policy.sla import BREACH, DueInstant, SlaClock
from bot.store.interface import Store, Timer, UnitOfWork


async def sweep_sla(store: Store, config: PolicyConfig, now: datetime) -> int:
    """SLA-5 / SLA-5b: queue the notices of every case whose SLA timer is due; how many."""

    cache = DirectoryCache()

    async def handle(uow: UnitOfWork, timer: Timer) -> int:
        return await notify_case(uow, config, timer, now, cache)

    return await work_through(store, SLA_TIMER, now, handle)


async def notify_case(
    uow: UnitOfWork,
    config: PolicyConfig,
    timer: Timer,
    now: datetime,
    cache: DirectoryCache | None = None,
) -> int:
    """Queue the case's due SLA notices, then move its timer to the next instant after `now`."""
    cache = cache or DirectoryCache()
    case = await uow.cases.get(int(timer.subject))
    account = await cache.account(uow, case.account_id) if case is not None else None
    if case is None or account is None:
        await uow.timers.set(SLA_TIMER, timer.subject, None)
        return 0
    clocks = sla.clocks(case, account, config, now)
    queued = 0
    # Paused and stopped clocks are not counting, so they yield no instants (SLA-5).
    for instant in _to_send(sla.next_due_instants(clocks), now):
        clock = clocks.response if instant.name == sla.RESPONSE else clocks.resolution
        if clock is None:
            continue
        queued += await _notify(uow, cache, config, case, account, clock, instant, now)
    upcoming = sla.next_due_instants(clocks, after=now)
    await uow.timers.set(SLA_TIMER, timer.subject, upcoming[0].at if upcoming else None)
    return queued


def _to_send(instants: list[DueInstant], now: datetime) -> list[DueInstant]:
    """The highest passed threshold of each target (see the module note on catch-up)."""
    highest: dict[str, DueInstant] = {}
    for instant in instants:
        if instant.at <= now:
            held = highest.get(instant.name)
            if held is None or instant.threshold > held.threshold:
                highest[instant.name] = instant
    return sorted(highest.values(), key=lambda d: (d.at, d.name))


async def _notify(
    uow: UnitOfWork,
    cache: DirectoryCache,
    config: PolicyConfig,
    case: Case,
    account: Account,
    clock: SlaClock,
    instant: DueInstant,
    now: datetime,
) -> int:
    zone = config.region(account.region).time_zone
    key = f"sla:{case.number}:{instant.name}:{instant.threshold}"
    notice = _queue_notice(case, account, clock, instant)
    queued = 0
    # As alerts.to_queue, with the bindings cached for the pass (P3).
    for channel in await cache.queue_channels(uow, account.region, case.priority):
        queued += await alerts.to_channel(uow, channel, notice, key, now, zone, show_utc=True)
    if instant.threshold < BREACH:
        return queued
    # SLA-5b: the customer hears of the breach too, in the account channel or privately.
    notice = _customer_notice(case, clock, instant, config.region(account.region).phone)
    key = f"sla5b:{case.number}:{instant.name}"
    own = await cache.account_channels(uow, account.id)
    for channel in own:
        queued += await alerts.to_channel(uow, channel, notice, key, now, zone, show_utc=False)
    if own:
        return queued
    told = await alerts.to_person(
        uow, case.opened_by, notice, key, now, zone, prefer=case.opened_on
    )
    return queued + int(told)


def _queue_notice(case: Case, account: Account, clock: SlaClock, instant: DueInstant) -> Notice:
    facts = (
        Fact("Account", account.id),
        Fact("Priority", case.priority.label),
        Fact("Target", f"{clock.label} {clock.duration.describe()}"),
        Fact("Owner", case.owner or "Unassigned"),
        Fact("Status", case.status.value),
    )
    actions = () if case.owner else (CaseAction.TAKE,)
    if instant.threshold >= BREACH:
        return Notice(
            NoticeKind.SLA_BREACH,
            f"SLA breach on {case.ref}: the {clock.label} target has passed",
            case.summary,
            facts,
            case_number=case.number,
            actions=actions,
            times=(("Target passed", instant.at),),
        )
    share = round(instant.threshold * 100)
    times = (("Due", clock.due_at),) if clock.due_at is not None else ()
    return Notice(
        NoticeKind.SLA_WARNING,
        f"SLA warning on {case.ref}: {share}% of the {clock.label} target has elapsed",
        case.summary,
        facts,
        case_number=case.number,
        actions=actions,
        times=times,
    )


def _customer_notice(case: Case, clock: SlaClock, instant: DueInstant, phone: str) -> Notice:
    # SLA-5b: which target, that management knows, what to do; no internal notes.
    body = (
        f"The {clock.label} target for this case ({clock.duration.describe()}) has passed. "
        "The case has been flagged to support management. "
        f"You can post an update with any new information (`update {case.number} ...`), "
        f"or, for Critical issues, phone support on {phone}."
    )
    return Notice(
        NoticeKind.CUSTOMER_BREACH,
        f"Case {case.ref}: the {clock.label} target has passed",
        body,
        (Fact("Priority", case.priority.label), Fact("Status", case.status.value)),
        case_number=case.number,
        times=(("Target passed", instant.at),),
    )
