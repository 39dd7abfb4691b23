"""SLA-5 warnings and breach notices to the analyst queue, and SLA-5b breach notices to customers.

Driven by the "sla" timer that `tracking.track` keeps at the case's earliest SLA-5 instant not
yet announced; never a scan of open cases (P3). Each notice has a key per case, clock cycle
(each reopen starts one, SLA-4), target and threshold. The case's memory of sent notices
(`uow.sent_notices`, kept as long as the case) makes it once-only for good, after housekeeping
has pruned the outbox rows too; the outbox's unique key does the same across replicas (R4).

Catch-up after downtime: when a clock passed several thresholds while no pass ran, only the
highest one is sent (the breach makes the 75% warning moot); no burst of stale warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.casework import alerts
from bot.casework.tracking import SLA_TIMER
from bot.jobs.due_timers import work_through
from bot.jobs.pending_writes import PendingWrites
from bot.messages import CaseAction, Fact, Notice, NoticeKind
from bot.model import Account, Case
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.policy.sla import BREACH, DueInstant, SlaClock
from bot.policy.sla_cycles import customer_breach_key, unsent, warning_key
from bot.store.interface import Store, UnitOfWork
from bot.store.interface.timers import Timer

SLA_BATCH = 200  # timers per unit of work: a few statements each (P3), a short write lock


async def sweep_sla(
    store: Store, config: PolicyConfig, now: datetime, batch: int = SLA_BATCH
) -> int:
    """SLA-5 / SLA-5b: queue the notices of every case whose SLA timer is due; how many."""
    return await work_through(store, SLA_TIMER, now, SlaBatch(config, now), batch=batch)


class SlaBatch:
    """The `BatchHandler` of SLA timers: cases read per batch, posts and moves written per batch."""

    def __init__(self, config: PolicyConfig, now: datetime) -> None:
        self._config = config
        self._now = now
        self._cases: dict[int, Case] = {}
        self._sent: dict[int, set[str]] = {}
        self._remember: dict[str, int] = {}
        self._writes = PendingWrites()

    async def start(self, uow: UnitOfWork, timers: Sequence[Timer]) -> None:
        # A subject that is not a number is left to `handle`, which fails on it alone.
        numbers = [int(t.subject) for t in timers if t.subject.isdigit()]
        self._cases = await uow.cases.get_many(numbers)
        # Read once per batch: only this sweep writes the memory, and it holds these timers.
        self._sent = await uow.sent_notices.for_cases(numbers)
        self._remember = {}
        self._writes = PendingWrites()

    async def handle(self, uow: UnitOfWork, timer: Timer) -> int:
        """Queue the case's due SLA notices, then move its timer to the next instant after now."""
        now = self._now
        case = self._cases.get(int(timer.subject))
        account = await uow.directory.account(case.account_id) if case is not None else None
        if case is None or account is None:
            self._writes.move_timer(SLA_TIMER, timer.subject, None)
            return 0
        clocks = sla.clocks(case, account, self._config, now)
        queued = 0
        # Paused and stopped clocks are not counting, so they yield no instants (SLA-5).
        instants = sla.next_due_instants(clocks)
        known = self._sent.get(case.number, set())
        passed = [d for d in instants if d.at <= now]
        for instant in _to_send(passed, now):
            clock = clocks.response if instant.name == sla.RESPONSE else clocks.resolution
            if clock is None or warning_key(case, instant) in known:
                continue  # SLA-5: once per case, cycle, target and threshold, for good
            queued += await self._notify(uow, case, account, clock, instant)
        # Lower thresholds passed unsent are moot once a higher one went out (catch-up): they
        # are remembered too, so that a later change of the case does not re-arm them.
        for instant in passed:
            self._remember[warning_key(case, instant)] = case.number
        upcoming = [d for d in unsent(case, instants, known) if d.at > now]
        self._writes.move_timer(SLA_TIMER, timer.subject, upcoming[0].at if upcoming else None)
        return queued

    async def finish(self, uow: UnitOfWork) -> int:
        remembered, self._remember = self._remember, {}
        await uow.sent_notices.remember(remembered, self._now)
        return await self._writes.write(uow)

    async def _notify(
        self, uow: UnitOfWork, case: Case, account: Account, clock: SlaClock, instant: DueInstant
    ) -> int:
        """Collect the notices of one passed threshold; how many private posts were queued now."""
        now, region = self._now, self._config.region(account.region)
        key = warning_key(case, instant)
        notice = _queue_notice(case, account, clock, instant)
        # The posts of `alerts.to_queue`; bindings come from the store's in-memory directory (P3).
        channels = await uow.directory.queue_channels(account.region, case.priority)
        self._writes.post(alerts.queue_items(channels, notice, key, now, region.time_zone))
        if instant.threshold < BREACH:
            return 0
        # SLA-5b: the customer hears of the breach too, in the account channel or privately.
        notice = _customer_notice(case, clock, instant, region.phone)
        key = customer_breach_key(case, instant)
        self._remember[key] = case.number
        own = await uow.directory.account_channels(account.id)
        zone = self._config.account_time_zone(account)  # NOT-1: the customer's own zone
        self._writes.post(alerts.account_items(own, notice, key, now, zone))
        if own:
            return 0
        told = await alerts.to_person(
            uow, case.opened_by, notice, key, now, zone, prefer=case.opened_on
        )
        return int(told)


def _to_send(instants: list[DueInstant], now: datetime) -> list[DueInstant]:
    """The highest passed threshold of each target (see the module note on catch-up)."""
    highest: dict[str, DueInstant] = {}
    for instant in instants:
        if instant.at <= now:
            held = highest.get(instant.name)
            if held is None or instant.threshold > held.threshold:
                highest[instant.name] = instant
    return sorted(highest.values(), key=lambda d: (d.at, d.name))


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
