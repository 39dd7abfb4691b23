"""The policy's numbers, the defaults of docs/policy.md; an operator may override them in YAML.

Everything here is a plain frozen value so that the rules stay pure and a `PolicyConfig` can be
built once at start-up and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from bot.model import Account, CareLevel, Deployment, Priority


@dataclass(frozen=True, slots=True)
class RegionCalendar:
    """CAL-1: business hours Monday to Friday in a time zone, minus public holidays and closures."""

    name: str
    opens: time
    closes: time
    time_zone: str  # IANA name
    holiday_country: str | None  # a `holidays` country code; None for no public holidays
    holiday_subdivision: str | None = None
    closures: frozenset[date] = frozenset()  # extra closure days (CAL-1)
    phone: str = ""  # the support line customers are told to phone (CASE-4, ESC-7, PRI-1)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0

    @property
    def day_minutes(self) -> int:
        """CAL-2: the length of one business day in minutes."""
        return (self.closes.hour * 60 + self.closes.minute) - (
            self.opens.hour * 60 + self.opens.minute
        )


class TimeUnit(StrEnum):
    MINUTES = "minutes"  # calendar time, 24x7 (CAL-3)
    HOURS = "hours"  # calendar time, 24x7 (CAL-3)
    BUSINESS_HOURS = "business_hours"  # CAL-2
    BUSINESS_DAYS = "business_days"  # CAL-2: N x the region's business-day length


@dataclass(frozen=True, slots=True)
class Duration:
    """A target length: an amount in a unit (business or calendar)."""

    amount: int
    unit: TimeUnit

    @property
    def is_business(self) -> bool:
        return self.unit in (TimeUnit.BUSINESS_HOURS, TimeUnit.BUSINESS_DAYS)

    def describe(self) -> str:
        unit = {
            TimeUnit.MINUTES: "min",
            TimeUnit.HOURS: "h",
            TimeUnit.BUSINESS_HOURS: "business hour",
            TimeUnit.BUSINESS_DAYS: "business day",
        }[self.unit]
        if self.is_business:
            return f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"
        return f"{self.amount} {unit} (24x7)"


class SlaClass(StrEnum):
    """The row of an SLA table: priority, with Critical split by the production-down flag."""

    PRODUCTION_DOWN = "production_down"
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INCIDENT = "incident"  # cloud only


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """The response and resolution (or restoration) targets of one SLA table row."""

    response: Duration | None
    resolution: Duration | None
    resolution_is_restoration: bool = False


def _m(n: int) -> Duration:
    return Duration(n, TimeUnit.MINUTES)


def _h(n: int) -> Duration:
    return Duration(n, TimeUnit.HOURS)


def _bh(n: int) -> Duration:
    return Duration(n, TimeUnit.BUSINESS_HOURS)


def _bd(n: int) -> Duration:
    return Duration(n, TimeUnit.BUSINESS_DAYS)


# SLA-1: on-premises, Business Care (003 table 5).
_ON_PREM_BUSINESS = {
    SlaClass.PRODUCTION_DOWN: SlaTarget(_m(60), _h(4), resolution_is_restoration=True),
    SlaClass.CRITICAL: SlaTarget(_m(60), _h(24)),
    SlaClass.HIGH: SlaTarget(_bh(4), _bd(2)),
    SlaClass.MEDIUM: SlaTarget(_bd(1), _bd(5)),
    SlaClass.LOW: SlaTarget(_bd(1), _bd(10)),
}
# SLA-2: on-premises, Business Care Plus and Premium Care (003 table 6): faster responses.
_ON_PREM_ENHANCED = {
    SlaClass.PRODUCTION_DOWN: SlaTarget(_m(30), _h(4), resolution_is_restoration=True),
    SlaClass.CRITICAL: SlaTarget(_m(30), _h(24)),
    SlaClass.HIGH: SlaTarget(_bh(2), _bd(2)),
    SlaClass.MEDIUM: SlaTarget(_bh(4), _bd(5)),
    SlaClass.LOW: SlaTarget(_bd(1), _bd(10)),
}
# SLA-3: cloud (002 section 5.1). Production down on cloud is treated as Critical 24x7.
_CLOUD = {
    SlaClass.INCIDENT: SlaTarget(None, _m(15), resolution_is_restoration=True),
    SlaClass.PRODUCTION_DOWN: SlaTarget(_m(30), _h(24)),
    SlaClass.CRITICAL: SlaTarget(_m(30), _h(24)),
    SlaClass.HIGH: SlaTarget(_bh(2), _bd(2)),
    SlaClass.MEDIUM: SlaTarget(_bh(4), _bd(5)),
    SlaClass.LOW: SlaTarget(_bd(1), _bd(10)),
}


def default_sla_targets() -> dict[tuple[Deployment, CareLevel], dict[SlaClass, SlaTarget]]:
    """SLA-1 to SLA-3 keyed by (deployment, care level)."""
    return {
        (Deployment.ON_PREMISES, CareLevel.BUSINESS): dict(_ON_PREM_BUSINESS),
        (Deployment.ON_PREMISES, CareLevel.BUSINESS_PLUS): dict(_ON_PREM_ENHANCED),
        (Deployment.ON_PREMISES, CareLevel.PREMIUM): dict(_ON_PREM_ENHANCED),
        (Deployment.CLOUD, CareLevel.BUSINESS): dict(_CLOUD),
        (Deployment.CLOUD, CareLevel.BUSINESS_PLUS): dict(_CLOUD),
        (Deployment.CLOUD, CareLevel.PREMIUM): dict(_CLOUD),
    }


def default_regions() -> dict[str, RegionCalendar]:
    """CAL-1. Phone numbers are the vendor's support lines (fictional 555 numbers by default)."""
    return {
        "NA": RegionCalendar(
            "NA", time(8), time(21), "America/New_York", "US", None, phone="+1 800 555 0100"
        ),
        "LATAM": RegionCalendar(
            "LATAM", time(8), time(20), "America/Sao_Paulo", "BR", None, phone="+55 11 5555 0100"
        ),
        "EMEA": RegionCalendar(
            "EMEA", time(8), time(19), "Europe/London", "GB", "ENG", phone="+44 20 5555 0100"
        ),
        "APAC": RegionCalendar(
            "APAC", time(8), time(18), "Australia/Brisbane", "AU", "QLD", phone="+61 7 5555 0100"
        ),
        "INDIA": RegionCalendar(
            "INDIA", time(8), time(17), "Asia/Kolkata", "IN", None, phone="+91 80 5555 0100"
        ),
        "JAPAN": RegionCalendar(
            "JAPAN", time(9), time(18), "Asia/Tokyo", "JP", None, phone="+81 3 5555 0100"
        ),
    }


DEFAULT_PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "qq.com",
    }
)
DEFAULT_ROLE_ALIASES = frozenset(
    {
        "support",
        "admin",
        "administrator",
        "info",
        "noreply",
        "no-reply",
        "help",
        "helpdesk",
        "sales",
        "contact",
        "office",
        "it",
        "team",
        "all",
    }
)


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """FUP-1: reminders after 2 and 5 days, auto-close after 10."""

    reminder_days: tuple[int, ...] = (2, 5)
    close_after_days: int = 10
    business_days_for: frozenset[Deployment] = frozenset({Deployment.CLOUD})  # else calendar days


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """ESC-5, ESC-6, ESC-8."""

    medium_quiet_business_days: int = 3
    high_quiet_hours: int = 24
    rca_wait_business_days: int = 5


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """All tunable numbers of docs/policy.md. `PolicyConfig()` is exactly the shipped defaults."""

    regions: dict[str, RegionCalendar] = field(default_factory=default_regions)
    sla_targets: dict[tuple[Deployment, CareLevel], dict[SlaClass, SlaTarget]] = field(
        default_factory=default_sla_targets
    )
    warning_thresholds: tuple[float, ...] = (0.75,)  # SLA-5; the breach is always at 1.0
    attainment_goals: dict[CareLevel, float] = field(
        default_factory=lambda: {
            CareLevel.BUSINESS: 0.80,
            CareLevel.BUSINESS_PLUS: 0.90,
            CareLevel.PREMIUM: 0.90,
        }
    )  # SLA-6
    follow_up: FollowUpPolicy = field(default_factory=FollowUpPolicy)
    escalation: EscalationPolicy = field(default_factory=EscalationPolicy)
    reopen_window_days: int = 30  # REO-1
    reopen_reason_min_words: int = 10  # REO-1
    survey_window_days: int = 60  # CASE-8
    summary_max_chars: int = 1000  # CASE-2
    description_nudge_words: int = 10  # CASE-2
    incident_status_interval_minutes: int = 30  # INC-3
    rca_due_business_days: int = 5  # INC-5, SLA-3
    public_mail_domains: frozenset[str] = DEFAULT_PUBLIC_MAIL_DOMAINS  # ACC-5
    role_aliases: frozenset[str] = DEFAULT_ROLE_ALIASES  # ACC-5

    def region(self, name: str) -> RegionCalendar:
        try:
            return self.regions[name]
        except KeyError:
            raise KeyError(
                f"unknown support region {name!r}; known: {', '.join(sorted(self.regions))}"
            ) from None

    def account_time_zone(self, account: Account) -> str:
        """NOT-1: the account's own time zone when the directory gives one, else its region's."""
        return account.timezone or self.region(account.region).time_zone

    def sla_class(self, priority: Priority, production_down: bool) -> SlaClass:
        if priority is Priority.CRITICAL and production_down:
            return SlaClass.PRODUCTION_DOWN
        return SlaClass(priority.value)
