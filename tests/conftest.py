"""Suite-wide: migrated SQLite templates copied per test, and how many tests ran on PostgreSQL
(so a CI log shows it plainly)."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests.sqlite_templates import SqliteTemplates

# No timing assertions in tests (STYLE.md): Hypothesis' per-example deadline (200 ms) is one, and
# fails property tests on a loaded machine; speed is measured in bench/.
settings.register_profile("supportbot", deadline=None)
settings.load_profile("supportbot")

_postgres = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _postgres[report.outcome] = _postgres.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = _postgres["passed"] + _postgres["failed"]
    terminalreporter.write_line(
        f"PostgreSQL: {ran} tests ran ({_postgres['passed']} passed, {_postgres['failed']} "
        f"failed), {_postgres['skipped']} skipped"
    )


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """Migrated (and directory-loaded) SQLite files built once per session; copy one per test."""
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-templates"))
