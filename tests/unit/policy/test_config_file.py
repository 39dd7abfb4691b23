"""The policy YAML loader: every override kind works, and a bad file names file and key."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.model import CareLevel, Deployment
from bot.policy.config import Duration, PolicyConfig, SlaClass, TimeUnit
from bot.policy.config_file import PolicyConfigError
from bot.policy_file import load_policy

EXAMPLE = Path(__file__).parents[3] / "examples" / "policy.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> PolicyConfig:
    return load_policy(write(tmp_path, text))


def test_the_shipped_example_spells_out_exactly_the_defaults() -> None:
    assert load_policy(EXAMPLE) == PolicyConfig()


def test_an_empty_file_means_all_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "") == PolicyConfig()
    assert load(tmp_path, "# nothing changed\n") == PolicyConfig()


def test_cal_1_region_fields_can_be_overridden_one_at_a_time(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
regions:
  NA:
    hours: "07:30-20:00"
    closures: [2026-12-24, "2026-12-31"]
  EMEA: {phone: "+44 20 0000 0000", holidays: null, workdays: [sun, mon, tue, wed, thu]}
""",
    )
    na = config.region("NA")
    assert (na.opens, na.closes) == (time(7, 30), time(20))
    assert na.closures == frozenset({date(2026, 12, 24), date(2026, 12, 31)})
    assert na.time_zone == "America/New_York"  # untouched
    emea = config.region("EMEA")
    assert emea.phone == "+44 20 0000 0000"
    assert (emea.holiday_country, emea.holiday_subdivision) == (None, None)
    assert emea.workdays == frozenset({6, 0, 1, 2, 3})
    assert config.region("APAC") == PolicyConfig().region("APAC")


def test_cal_1_new_regions_can_be_defined_with_all_fields(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
regions:
  NO:
    hours: "08:00-16:00"
    time_zone: Europe/Oslo
    holidays: {country: no}
    phone: "+47 5555 0100"
""",
    )
    nordics = config.region("NO")
    assert nordics.name == "NO"
    assert nordics.day_minutes == 8 * 60
    assert nordics.holiday_country == "NO"
    assert nordics.workdays == frozenset({0, 1, 2, 3, 4})


def test_sla_targets_override_single_fields_and_add_rows(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
sla_targets:
  on_premises:
    premium:
      high: {response: "1 business_hour"}
      incident: {resolution: "20 minutes", resolution_is_restoration: true}
  cloud:
    business:
      low: {response: null}
""",
    )
    premium = config.sla_targets[(Deployment.ON_PREMISES, CareLevel.PREMIUM)]
    assert premium[SlaClass.HIGH].response == Duration(1, TimeUnit.BUSINESS_HOURS)
    assert premium[SlaClass.HIGH].resolution == Duration(2, TimeUnit.BUSINESS_DAYS)
    assert premium[SlaClass.INCIDENT].resolution == Duration(20, TimeUnit.MINUTES)
    assert premium[SlaClass.INCIDENT].resolution_is_restoration
    cloud = config.sla_targets[(Deployment.CLOUD, CareLevel.BUSINESS)]
    assert cloud[SlaClass.LOW].response is None
    # The defaults table is never changed in place.
    assert PolicyConfig().sla_targets[(Deployment.CLOUD, CareLevel.BUSINESS)][
        SlaClass.LOW
    ].response == Duration(1, TimeUnit.BUSINESS_DAYS)


def test_thresholds_goals_follow_up_escalation_and_numbers_can_be_overridden(
    tmp_path: Path,
) -> None:
    config = load(
        tmp_path,
        """
warning_thresholds: [0.9, 0.5]
attainment_goals: {business: 0.85}
follow_up: {reminder_days: [3], close_after_days: 7, business_days_for: [cloud, on_premises]}
escalation: {high_quiet_hours: 12}
reopen_window_days: 14
survey_window_days: 30
incident_status_interval_minutes: 15
""",
    )
    assert config.warning_thresholds == (0.5, 0.9)
    assert config.attainment_goals[CareLevel.BUSINESS] == 0.85
    assert config.attainment_goals[CareLevel.PREMIUM] == 0.90
    assert config.follow_up.reminder_days == (3,)
    assert config.follow_up.close_after_days == 7
    assert config.follow_up.business_days_for == frozenset(Deployment)
    assert config.escalation.high_quiet_hours == 12
    assert config.escalation.medium_quiet_business_days == 3
    assert (config.reopen_window_days, config.survey_window_days) == (14, 30)
    assert config.incident_status_interval_minutes == 15


def test_acc_5_mail_domains_and_aliases_can_be_replaced_or_extended(tmp_path: Path) -> None:
    replaced = load(tmp_path, "public_mail_domains: [Mail.Example]\nrole_aliases: [desk]\n")
    assert replaced.public_mail_domains == frozenset({"mail.example"})
    assert replaced.role_aliases == frozenset({"desk"})
    extended = load(
        tmp_path, "extra_public_mail_domains: [web.de]\nextra_role_aliases: [billing]\n"
    )
    assert extended.public_mail_domains == PolicyConfig().public_mail_domains | {"web.de"}
    assert extended.role_aliases == PolicyConfig().role_aliases | {"billing"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('regions: {NA: {hours: "8-21"}}', "regions.NA.hours: expected HH:MM-HH:MM, got '8-21'"),
        ('regions: {NA: {hours: "21:00-08:00"}}', "regions.NA.hours: opening must be before"),
        ('regions: {NA: {hours: "25:00-26:00"}}', "regions.NA.hours: not a time of day"),
        ("regions: {NA: {time_zone: Mars/Olympus}}", "regions.NA.time_zone: unknown IANA"),
        ("regions: {NA: {colour: red}}", "regions.NA.colour: unknown key"),
        ("regions: {NA: {holidays: {country: XX}}}", "regions.NA.holidays.country"),
        ("regions: {NA: {holidays: {country: US, subdivision: ZZ}}}", "subdivision"),
        ("regions: {NA: {closures: [2026-02-30]}}", "regions.NA.closures[0]: expected a date"),
        ("regions: {NA: {workdays: [funday]}}", "regions.NA.workdays[0]: expected a weekday"),
        ("regions: {MOON: {hours: '08:00-17:00'}}", "regions.MOON: a new region needs"),
        ("regions: {123: {hours: '08:00-17:00'}}", "regions: keys must be text"),
        (
            'sla_targets: {cloud: {premium: {high: {response: "2 weeks"}}}}',
            "sla_targets.cloud.premium.high.response: expected '<N> minutes",
        ),
        (
            'sla_targets: {cloud: {premium: {urgent: {response: "2 hours"}}}}',
            "sla_targets.cloud.premium.urgent: unknown key",
        ),
        ("sla_targets: {hybrid: {}}", "sla_targets.hybrid: unknown key"),
        (
            "sla_targets: {cloud: {premium: {high: {resolution_is_restoration: maybe}}}}",
            "resolution_is_restoration: expected true or false",
        ),
        ("warning_thresholds: [1.0]", "warning_thresholds: warnings come before the breach"),
        ("warning_thresholds: 0.75", "warning_thresholds: expected a list"),
        ("attainment_goals: {business: 80}", "attainment_goals.business: expected a number"),
        ("follow_up: {reminder_days: [5, 2]}", "follow_up.reminder_days: expected up to 2"),
        ("follow_up: {close_after_days: 5}", "follow_up.close_after_days: must come after"),
        ("follow_up: {business_days_for: [hybrid]}", "follow_up.business_days_for[0]: expected"),
        ("escalation: {high_quiet_hours: -1}", "escalation.high_quiet_hours: expected a whole"),
        ("escalation: {low_quiet_days: 3}", "escalation.low_quiet_days: unknown key"),
        ("reopen_window_days: true", "reopen_window_days: expected a whole number"),
        ("reopen_window_days: thirty", "reopen_window_days: expected a whole number"),
        ("public_mail_domains: [not a domain]", "public_mail_domains[0]: expected a mail domain"),
        ("role_aliases: [support@acme.example]", "role_aliases[0]: expected the part before"),
        ("regoins: {}", "regoins: unknown key"),
        ("- just\n- a list\n", "(top level): expected a mapping"),
        ("regions: {NA: [1, 2]}", "regions.NA: expected a mapping"),
    ],
)
def test_invalid_files_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyConfigError) as err:
        load_policy(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "regions:\n  NA: {hours: [\n")
    with pytest.raises(PolicyConfigError, match=r"policy\.yaml: line \d+: not valid YAML"):
        load_policy(path)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError, match="cannot read"):
        load_policy(tmp_path / "absent.yaml")
