"""Checks for the values of a policy file: each returns the value or raises naming its key."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars

from bot.policy.config import Duration, TimeUnit

T = TypeVar("T")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DURATION = re.compile(r"^(\d+)\s+([a-z_ ]+?)s?$")
_UNITS = {
    "minute": TimeUnit.MINUTES,
    "hour": TimeUnit.HOURS,
    "business_hour": TimeUnit.BUSINESS_HOURS,
    "business_day": TimeUnit.BUSINESS_DAYS,
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOMAIN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


class PolicyConfigError(ValueError):
    """A policy file that cannot be used; the message names the file and the key path."""


class Reader:
    """Validates one parsed document; `where` is the dotted key path of the value at hand."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> PolicyConfigError:
        return PolicyConfigError(f"{self.source}: {where}: {message}")

    def mapping(self, value: object, where: str, keys: tuple[str, ...] | None) -> dict[str, object]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {value!r}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"keys must be text, got {key!r} (quote it)")
            if keys is not None and key not in keys:
                raise self.fail(
                    f"{where}.{key}", f"unknown key; expected one of: {', '.join(keys)}"
                )
        return dict(value)

    def integer(self, value: object, where: str, least: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self.fail(where, f"expected a whole number >= {least}, got {value!r}")
        return value

    def fraction(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.fail(where, f"expected a number in (0, 1], got {value!r}")
        return float(value)

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected text, got {value!r}")
        return value.strip()

    def items(self, value: object, where: str, each: Callable[[object, str], T]) -> list[T]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {value!r}")
        return [each(item, f"{where}[{i}]") for i, item in enumerate(value)]

    def choice(self, value: object, where: str, kind: Callable[[str], T], names: list[str]) -> T:
        try:
            return kind(str(value))
        except ValueError:
            raise self.fail(where, f"expected one of {', '.join(names)}, got {value!r}") from None

    def hours(self, value: object, where: str) -> tuple[time, time]:
        match = _HOURS.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.fail(where, f"expected HH:MM-HH:MM, got {value!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            opens, closes = time(h1, m1), time(h2, m2)
        except ValueError:
            raise self.fail(where, f"not a time of day: {value!r}") from None
        if opens >= closes:
            raise self.fail(where, f"opening must be before closing, got {value!r}")
        return opens, closes

    def time_zone(self, value: object, where: str) -> str:
        name = self.text(value, where)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(where, f"unknown IANA time zone {name!r}") from None
        return name

    def day(self, value: object, where: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(where, f"expected a date YYYY-MM-DD, got {value!r}") from None

    def weekday(self, value: object, where: str) -> int:
        name = str(value).strip().lower()[:3]
        if name not in _WEEKDAYS:
            raise self.fail(where, f"expected a weekday ({', '.join(_WEEKDAYS)}), got {value!r}")
        return _WEEKDAYS.index(name)

    def domain(self, value: object, where: str) -> str:
        name = self.text(value, where).lower()
        if not _DOMAIN.match(name):
            raise self.fail(where, f"expected a mail domain like example.com, got {value!r}")
        return name

    def alias(self, value: object, where: str) -> str:
        name = self.text(value, where).lower()
        if "@" in name or " " in name:
            raise self.fail(where, f"expected the part before '@', got {value!r}")
        return name

    def duration(self, value: object, where: str) -> Duration | None:
        if value is None:
            return None
        match = _DURATION.match(value.strip().lower()) if isinstance(value, str) else None
        unit = _UNITS.get(match.group(2).replace(" ", "_")) if match else None
        if match is None or unit is None or int(match.group(1)) <= 0:
            raise self.fail(
                where,
                f"expected '<N> minutes|hours|business_hours|business_days' or null, got {value!r}",
            )
        return Duration(int(match.group(1)), unit)

    def holidays(self, value: object, where: str) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        spec = self.mapping(value, where, ("country", "subdivision"))
        country = self.text(spec.get("country"), f"{where}.country").upper()
        supported = holiday_calendars.list_supported_countries()
        if country not in supported:
            raise self.fail(f"{where}.country", f"no holiday calendar for country {country!r}")
        if spec.get("subdivision") is None:
            return country, None
        sub = self.text(spec["subdivision"], f"{where}.subdivision").upper()
        if sub not in supported[country]:
            raise self.fail(f"{where}.subdivision", f"{country} has no subdivision {sub!r}")
        return country, sub
