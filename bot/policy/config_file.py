"""Load a `policy.yaml` over the defaults of docs/policy.md; every mistake names file and key."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time

import yaml

from bot.model import CareLevel, Deployment
from bot.policy.config import (
    EscalationPolicy,
    FollowUpPolicy,
    PolicyConfig,
    RegionCalendar,
    SlaClass,
    SlaTarget,
)
from bot.policy.config_reader import PolicyConfigError, Reader

__all__ = ["PolicyConfigError", "parse_policy", "policy_from_data"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """YAML 1.2-style scalars: only true/false are booleans and dates stay text.

    YAML 1.1 reads `NO` (Norway) as false and turns bad dates into a bare ValueError; dates are
    parsed by the reader instead, so a mistake is reported with its key path.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# Plain whole-number settings: key -> least allowed value.
_INT_FIELDS = {
    "reopen_window_days": 0,
    "reopen_reason_min_words": 0,
    "survey_window_days": 0,
    "summary_max_chars": 1,
    "description_nudge_words": 0,
    "incident_status_interval_minutes": 1,
    "rca_due_business_days": 0,
}
_TOP_KEYS = (
    "regions",
    "sla_targets",
    "warning_thresholds",
    "attainment_goals",
    "follow_up",
    "escalation",
    "public_mail_domains",
    "extra_public_mail_domains",
    "role_aliases",
    "extra_role_aliases",
    *_INT_FIELDS,
)
_REGION_KEYS = ("hours", "time_zone", "holidays", "closures", "phone", "workdays")
_NEW_REGION_NEEDS = ("hours", "time_zone", "holidays", "phone")


def _region(r: Reader, name: str, value: object, old: RegionCalendar | None) -> RegionCalendar:
    where = f"regions.{name}"
    spec = r.mapping(value, where, _REGION_KEYS)
    if old is None:
        missing = [k for k in _NEW_REGION_NEEDS if k not in spec]
        if missing:
            raise r.fail(where, f"a new region needs {', '.join(missing)}")
        old = RegionCalendar(name, time(0), time(1), "UTC", None)
    changes: dict[str, object] = {}
    if "hours" in spec:
        changes["opens"], changes["closes"] = r.hours(spec["hours"], f"{where}.hours")
    if "time_zone" in spec:
        changes["time_zone"] = r.time_zone(spec["time_zone"], f"{where}.time_zone")
    if "holidays" in spec:
        country, sub = r.holidays(spec["holidays"], f"{where}.holidays")
        changes["holiday_country"], changes["holiday_subdivision"] = country, sub
    if "closures" in spec:
        changes["closures"] = frozenset(r.items(spec["closures"], f"{where}.closures", r.day))
    if "phone" in spec:
        changes["phone"] = r.text(spec["phone"], f"{where}.phone")
    if "workdays" in spec:
        days = r.items(spec["workdays"], f"{where}.workdays", r.weekday)
        if not days:
            raise r.fail(f"{where}.workdays", "a region needs at least one workday")
        changes["workdays"] = frozenset(days)
    return replace(old, **changes)  # type: ignore[arg-type]


def _sla_targets(
    r: Reader, value: object, old: dict[tuple[Deployment, CareLevel], dict[SlaClass, SlaTarget]]
) -> dict[tuple[Deployment, CareLevel], dict[SlaClass, SlaTarget]]:
    new = {key: dict(rows) for key, rows in old.items()}
    for dep_name, levels in r.mapping(value, "sla_targets", tuple(Deployment)).items():
        dep = Deployment(dep_name)
        for level_name, rows in r.mapping(
            levels, f"sla_targets.{dep_name}", tuple(CareLevel)
        ).items():
            table = new.setdefault((dep, CareLevel(level_name)), {})
            base = f"sla_targets.{dep_name}.{level_name}"
            for cls_name, row in r.mapping(rows, base, tuple(SlaClass)).items():
                cls, where = SlaClass(cls_name), f"{base}.{cls_name}"
                spec = r.mapping(
                    row, where, ("response", "resolution", "resolution_is_restoration")
                )
                target = table.get(cls, SlaTarget(None, None))
                if "response" in spec:
                    target = replace(
                        target, response=r.duration(spec["response"], f"{where}.response")
                    )
                if "resolution" in spec:
                    target = replace(
                        target, resolution=r.duration(spec["resolution"], f"{where}.resolution")
                    )
                if "resolution_is_restoration" in spec:
                    flag = spec["resolution_is_restoration"]
                    if not isinstance(flag, bool):
                        raise r.fail(
                            f"{where}.resolution_is_restoration",
                            f"expected true or false, got {flag!r}",
                        )
                    target = replace(target, resolution_is_restoration=flag)
                table[cls] = target
    return new


def _follow_up(r: Reader, value: object, old: FollowUpPolicy) -> FollowUpPolicy:
    spec = r.mapping(value, "follow_up", ("reminder_days", "close_after_days", "business_days_for"))
    reminders = old.reminder_days
    if "reminder_days" in spec:
        where = "follow_up.reminder_days"
        reminders = tuple(r.items(spec["reminder_days"], where, lambda v, w: r.integer(v, w, 1)))
        if len(reminders) > 2 or list(reminders) != sorted(set(reminders)):
            raise r.fail(where, f"expected up to 2 increasing day counts, got {list(reminders)}")
    close = old.close_after_days
    if "close_after_days" in spec:
        close = r.integer(spec["close_after_days"], "follow_up.close_after_days", 1)
    if reminders and close <= reminders[-1]:
        raise r.fail(
            "follow_up.close_after_days", f"must come after the last reminder, got {close}"
        )
    kinds = old.business_days_for
    if "business_days_for" in spec:
        names = [d.value for d in Deployment]
        kinds = frozenset(
            r.items(
                spec["business_days_for"],
                "follow_up.business_days_for",
                lambda v, w: r.choice(v, w, Deployment, names),
            )
        )
    return FollowUpPolicy(reminders, close, kinds)


def _escalation(r: Reader, value: object, old: EscalationPolicy) -> EscalationPolicy:
    keys = ("medium_quiet_business_days", "high_quiet_hours", "rca_wait_business_days")
    spec = r.mapping(value, "escalation", keys)
    changes = {k: r.integer(v, f"escalation.{k}", 0) for k, v in spec.items()}
    return replace(old, **changes)


def policy_from_data(data: object, source: str = "policy") -> PolicyConfig:
    """Build a `PolicyConfig` from an already-parsed document (None means all defaults)."""
    config = PolicyConfig()
    if data is None:
        return config
    r = Reader(source)
    spec = r.mapping(data, "(top level)", _TOP_KEYS)
    changes: dict[str, object] = {}
    if "regions" in spec:
        regions = dict(config.regions)
        for name, value in r.mapping(spec["regions"], "regions", None).items():
            regions[name] = _region(r, name, value, regions.get(name))
        changes["regions"] = regions
    if "sla_targets" in spec:
        changes["sla_targets"] = _sla_targets(r, spec["sla_targets"], config.sla_targets)
    if "warning_thresholds" in spec:
        values = r.items(spec["warning_thresholds"], "warning_thresholds", r.fraction)
        if any(v >= 1 for v in values):
            raise r.fail(
                "warning_thresholds", "warnings come before the breach: use values below 1"
            )
        changes["warning_thresholds"] = tuple(sorted(set(values)))
    if "attainment_goals" in spec:
        goals = r.mapping(spec["attainment_goals"], "attainment_goals", tuple(CareLevel))
        changes["attainment_goals"] = {
            **config.attainment_goals,
            **{CareLevel(k): r.fraction(v, f"attainment_goals.{k}") for k, v in goals.items()},
        }
    if "follow_up" in spec:
        changes["follow_up"] = _follow_up(r, spec["follow_up"], config.follow_up)
    if "escalation" in spec:
        changes["escalation"] = _escalation(r, spec["escalation"], config.escalation)
    for name, parse in (("public_mail_domains", r.domain), ("role_aliases", r.alias)):
        words: frozenset[str] = getattr(config, name)
        if name in spec:
            words = frozenset(r.items(spec[name], name, parse))
        if f"extra_{name}" in spec:
            words |= frozenset(r.items(spec[f"extra_{name}"], f"extra_{name}", parse))
        changes[name] = words
    for name, least in _INT_FIELDS.items():
        if name in spec:
            changes[name] = r.integer(spec[name], name, least)
    return replace(config, **changes)  # type: ignore[arg-type]


def parse_policy(text: str, source: str) -> PolicyConfig:
    """A policy YAML document (the text of `source`) over the defaults of docs/policy.md."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}" if mark is not None else "(top level)"
        raise PolicyConfigError(f"{source}: {at}: not valid YAML: {exc}") from exc
    return policy_from_data(data, source)
