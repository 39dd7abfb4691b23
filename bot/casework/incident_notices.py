"""Incident cards and where they go: every bridge, and each affected account's channels.

Shared by the `incident` verbs and the INC-3 / INC-5 sweeps in `bot.jobs.incident_sweep`, so a
card looks the same whether a person or the scheduler caused it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.casework import alerts
from bot.messages import Fact, Notice, NoticeKind
from bot.model import ChannelBinding, ChannelPurpose
from bot.policy import incident as incident_policy
from bot.policy.calendar import add_duration
from bot.policy.config import Duration, PolicyConfig, TimeUnit
from bot.store.interface import UnitOfWork
from bot.store.interface.incidents import Incident

POST_TIMER = "incident_post"  # INC-3: due at the next 30-minute slot; subject: incident id
RCA_REMINDER_TIMER = "rca_reminder"  # INC-5: due before the RCA is; subject: incident id
SEEN_KEY = "statuses_seen"  # INC-3: how many statuses the last card had already shown
RCA_REMINDER_LEAD_DAYS = 1  # INC-5: the queue hears one business day before the RCA is due

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
# The cloud handbook (seeds/002 section 7) speaks of an incident's "level of severity" with
# "Severity Level 1" as the most severe: sev1..sev4, also typed as "1", "s1" or "severity 1".
_SEVERITY_WORDS = {
    **{s: s for s in SEVERITIES},
    **{s[3:]: s for s in SEVERITIES},
    **{"s" + s[3:]: s for s in SEVERITIES},
    **{"sev-" + s[3:]: s for s in SEVERITIES},
    **{"severity" + s[3:]: s for s in SEVERITIES},
}


def parse_severity(text: str) -> str | None:
    """The canonical severity (`sev1`..`sev4`) for what was typed, or None."""
    return _SEVERITY_WORDS.get(text.strip().casefold().replace(" ", ""))


def severity_label(severity: str) -> str:
    """`sev1` as people read it: "Severity 1"."""
    return f"Severity {severity[3:]}" if severity.startswith("sev") else severity


def interval(config: PolicyConfig) -> timedelta:
    """INC-3: the status-card interval (30 minutes by default)."""
    return timedelta(minutes=config.incident_status_interval_minutes)


def describe_elapsed(start: datetime, now: datetime) -> str:
    """How long since `start`, for the "time since start" line: "2 h 30 min"."""
    minutes = max(int((now.astimezone(UTC) - start.astimezone(UTC)) // timedelta(minutes=1)), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def title(incident: Incident, what: str) -> str:
    return (
        f"{what}: incident {incident.id} ({severity_label(incident.severity)}): {incident.summary}"
    )


def base_facts(incident: Incident) -> tuple[Fact, ...]:
    """The bridge's facts: every affected account and the commander (staff only)."""
    facts = [
        Fact("Severity", severity_label(incident.severity)),
        Fact("Accounts", ", ".join(incident.account_ids)),
    ]
    if incident.services:
        facts.append(Fact("Services", incident.services))
    facts.append(Fact("Commander", incident.commander))
    return tuple(facts)


# ACC-9: what a customer channel may see of a bridge card; anything else (the other affected
# accounts, the commander, the incident-wide agent count) stays on the bridge.
_CUSTOMER_FACTS = frozenset({"Severity", "Services", "Next steps", "Since start", "Restored"})


def customer_version(notice: Notice, account_id: str, own_case: bool) -> Notice:
    """The card as one affected account may see it: only its own account, and the linked case
    only when it is that account's case (ACC-9)."""
    facts = [f for f in notice.facts if f.label in _CUSTOMER_FACTS]
    facts.insert(1 if facts else 0, Fact("Account", account_id))
    return replace(notice, facts=tuple(facts), case_number=notice.case_number if own_case else None)


def customer_status_card(incident: Incident, config: PolicyConfig, slot: int) -> Notice:
    """INC-3b: the customer version of a slot's update: status and next steps, nothing internal."""
    slot_at = incident.declared_at.astimezone(UTC) + slot * interval(config)
    latest = incident.statuses[-1] if incident.statuses else None
    if incident.restored_at is not None:
        body = "Service has been restored. The all-clear with instructions follows."
    elif latest is None:
        body = "We are working to restore service; the next update follows on schedule."
    else:
        body = latest.text
    facts = [
        Fact("Severity", severity_label(incident.severity)),
        Fact("Next steps", (latest.next_steps if latest else None) or "not stated"),
        Fact("Since start", describe_elapsed(incident.declared_at, slot_at)),
    ]
    if incident.services:
        facts.insert(1, Fact("Services", incident.services))
    next_at = incident_policy.next_slot(incident.declared_at, slot_at, interval(config))
    return Notice(
        NoticeKind.INCIDENT_STATUS,
        title(incident, f"Status update {slot}"),
        body,
        tuple(facts),
        case_number=incident.case_number,
        incident_id=incident.id,
        times=(("Started", incident.declared_at), ("Next update", next_at)),
    )


def status_card(incident: Incident, config: PolicyConfig, slot: int, seen: int) -> Notice:
    """INC-3: the slot's card: latest status, next steps, time since start, next post time."""
    slot_at = incident.declared_at.astimezone(UTC) + slot * interval(config)
    latest = incident.statuses[-1] if incident.statuses else None
    fresh = len(incident.statuses) > seen
    if latest is None:
        body = "No status has been posted since the incident was declared."
    elif fresh:
        body = latest.text
    else:
        body = f"No new status since the last update. Last status: {latest.text}"
    facts = [
        Fact("Next steps", (latest.next_steps if latest else None) or "not stated"),
        Fact("Since start", describe_elapsed(incident.declared_at, slot_at)),
    ]
    if incident.restored_at is not None:
        facts.append(Fact("Restored", "yes; these posts end with the all-clear (INC-4)"))
    next_at = incident_policy.next_slot(incident.declared_at, slot_at, interval(config))
    return Notice(
        NoticeKind.INCIDENT_STATUS,
        title(incident, f"Status update {slot}"),
        body,
        (*facts, *base_facts(incident)),
        case_number=incident.case_number,
        incident_id=incident.id,
        times=(("Started", incident.declared_at), ("Next update", next_at)),
    )


def reminder_card(incident: Incident, next_at: datetime) -> Notice:
    """INC-3: the private nudge to the commander when a card had no new status."""
    return Notice(
        NoticeKind.INCIDENT_REMINDER,
        title(incident, "No new status"),
        "The last status card said there was no new status. Post one with "
        f"`incident status {incident.id} TEXT --next TEXT` before the next card (INC-3).",
        incident_id=incident.id,
        times=(("Next update", next_at),),
    )


async def bridge_bindings(uow: UnitOfWork, incident: Incident) -> list[ChannelBinding]:
    """The incident's bridges as bindings (a platform may need the binding's route to post)."""
    found: list[ChannelBinding] = []
    for ref in incident.bridges:
        binding = await uow.directory.channel(ref.platform, ref.channel_id)
        # A bridge removed from the directory since the declaration still gets the posts.
        found.append(binding or ChannelBinding(ref.platform, ref.channel_id, ChannelPurpose.BRIDGE))
    return found


async def to_bridges(
    uow: UnitOfWork, incident: Incident, notice: Notice, key: str, now: datetime
) -> int:
    """Queue `notice` on every bridge of the incident; how many posts were new."""
    queued = 0
    for binding in await bridge_bindings(uow, incident):
        queued += await alerts.to_channel(uow, binding, notice, key, now, "UTC", show_utc=True)
    return queued


async def to_accounts(
    uow: UnitOfWork,
    config: PolicyConfig,
    incident: Incident,
    notice: Notice,
    key: str,
    now: datetime,
) -> int:
    """Queue the customer version of `notice` on each affected account's channels, in that
    account's time zone: each sees only itself and its own linked case (ACC-9)."""
    case_account = None
    if notice.case_number is not None:
        case = await uow.cases.get(notice.case_number)
        case_account = case.account_id if case is not None else None
    queued = 0
    for account_id in incident.account_ids:
        account = await uow.directory.account(account_id)
        if account is None:
            continue
        zone = config.account_time_zone(account)
        own = customer_version(notice, account.id, case_account == account.id)
        queued += await alerts.to_account(uow, account, own, key, now, zone)
    return queued


async def announce(
    uow: UnitOfWork,
    config: PolicyConfig,
    incident: Incident,
    notice: Notice,
    key: str,
    now: datetime,
) -> tuple[int, int]:
    """INC-2, INC-4, INC-5: queue on every bridge and account channel; (bridge, account) posts."""
    bridges = await to_bridges(uow, incident, notice, key, now)
    accounts = await to_accounts(uow, config, incident, notice, key, now)
    return bridges, accounts


async def arm_rca_reminder(
    uow: UnitOfWork, config: PolicyConfig, incident: Incident
) -> datetime | None:
    """INC-5: remind the queue one business day before the RCA is due; returns the due time."""
    if incident.restored_at is None:
        return None
    dues: list[tuple[datetime, datetime]] = []
    for account_id in incident.account_ids:
        account = await uow.directory.account(account_id)
        if account is None:
            continue
        due = incident_policy.rca_due(incident.restored_at, account.region, config)
        lead = max(config.rca_due_business_days - RCA_REMINDER_LEAD_DAYS, 0)
        remind = add_duration(
            config, account.region, incident.restored_at, Duration(lead, TimeUnit.BUSINESS_DAYS)
        )
        dues.append((due, remind))
    if not dues:
        return None
    # Several regions: the earliest due time decides, so no account's RCA is late.
    due, remind = min(dues)
    await uow.timers.set(RCA_REMINDER_TIMER, str(incident.id), remind, {"rca_due": due.isoformat()})
    return due
