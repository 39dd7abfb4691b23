"""Reading one entry of a directory file: checked getters that record problems, never raise."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

import yaml

_E = TypeVar("_E", bound=StrEnum)
# CONV-6: Slack workspace (team) ids start with T, Enterprise Grid ids with E; Teams tenant ids
# are GUIDs (letters, digits and dashes; no stricter check, as for the contacts' tenants).
SLACK_HOME = re.compile(r"[TE][A-Z0-9]{1,30}")
TEAMS_TENANT = re.compile(r"[A-Za-z0-9-]{1,64}")


# libyaml's safe loader when PyYAML was built with it: a 50,000-contact file (10 MB) parses in
# seconds instead of the pure-Python loader's minute (#18). Same safe constructors either way.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """YAML without implicit timestamps: a bad date becomes an entry's error, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


class DirectoryError(Exception):
    """A directory file was refused; `errors` names every bad entry."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class Entry:
    """One mapping of the file, with checked getters that record problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], label: str, report: Callable[[str], None]) -> None:
        self.data = data
        self.label = label
        self._report = report

    def error(self, message: str) -> None:
        self._report(f"{self.label}: {message}")

    def allow(self, *keys: str) -> None:
        for key in sorted(set(self.data) - set(keys)):
            self.error(f"unknown field {key!r}")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(f"{key} is required")
            return None
        if not isinstance(value, str):
            self.error(f"{key} must be text, not {value!r}")
            return None
        return value.strip()

    def choice(self, key: str, enum: type[_E], allowed: tuple[str, ...] | None = None) -> _E | None:
        raw = self.word(key, allowed or tuple(e.value for e in enum))
        return None if raw is None else enum(raw)

    def word(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """The value of `key` when it is one of `allowed`; else an error naming them."""
        raw = self.text(key)
        if raw is None:
            return None
        if raw not in allowed:
            self.error(f"{key} {raw!r} is not one of: {', '.join(allowed)}")
            return None
        return raw

    def day(self, key: str, value: Any, required: bool = True) -> date | None:
        if value is None:
            if required:
                self.error(f"{key} is required")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(f"{key} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def listing(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"{key} must be a list")
            return []
        return value

    def pair(self, key: str, first: str, second: str) -> tuple[str, str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        sub = (
            Entry(value, f"{self.label}: {key}", self._report) if isinstance(value, dict) else None
        )
        if sub is None:
            self.error(f"{key} must be a mapping with {first} and {second}")
            return None
        sub.allow(first, second)
        a, b = sub.text(first), sub.text(second)
        return None if a is None or b is None else (a, b)

    def ids(
        self, key: str, shape: re.Pattern[str], what: str, lower: bool = False
    ) -> frozenset[str] | None:
        """A list of identifiers of one shape; None (with the error recorded) when malformed."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, list):
            self.error(f"{key} must be a list of {what}")
            return None
        values = value or []
        bad = [v for v in values if not isinstance(v, str) or not shape.fullmatch(v.strip())]
        if bad:
            self.error(f"{key} must list {what}, not {bad[0]!r}")
            return None
        return frozenset(v.strip().lower() if lower else v.strip() for v in values)
