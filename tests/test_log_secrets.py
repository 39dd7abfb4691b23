"""R8: run every attack test (`-m security`) with `-v` and the product's logging at debug level,
then look through every log line for secrets and for the customer text of the requests.

Each security test module may list, in `LOG_NEEDLES`, strings of its requests that must never
be logged (customer text, legacy tokens); they are searched for together with the suite's
known secrets, the Slack tokens and any bearer token or JWT.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters import slack_fixtures

ROOT = Path(__file__).resolve().parents[1]
SECRETS = (
    slack_fixtures.SIGNING_SECRET,
    slack_fixtures.BOT_TOKEN,
    "test-secret",  # the Teams app password of tests/adapters/teams_fixtures.py
    "test-app-password-conv6",
    "outbound-test-token",  # the bot's own outbound Teams token (teams_fixtures.fast_connector)
)
# Token shapes that must not survive in any line: Slack tokens, bearer values, JWTs.
SHAPES = re.compile(
    r"xox[abposre]-|(?i:bearer)\s+(?!\[redacted\])\S|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
)


def security_modules() -> list[str]:
    """Every test module that marks tests `security`."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.name != Path(__file__).name and "mark.security" in path.read_text("utf-8"):
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def needles() -> dict[str, str]:
    """What must never be logged, and where it comes from."""
    wanted = dict.fromkeys(SECRETS, "secret")
    for module in security_modules():
        for needle in getattr(importlib.import_module(module), "LOG_NEEDLES", ()):
            wanted[needle] = module
    return wanted


@pytest.mark.slow
def test_r8_the_security_tests_log_no_secret_token_or_customer_text(tmp_path: Path) -> None:
    log_file = tmp_path / "security.log"
    env = {**os.environ, "SUPPORTBOT_TEST_LOG_FILE": str(log_file)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-m",
            "security",
            "-p",
            "tests.log_capture",
            "-p",
            "no:cacheprovider",
            *security_modules_as_paths(),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout
    lines = log_file.read_text("utf-8").splitlines()
    # The run did log: the refusals are there, one JSON object per line.
    assert any("refused a Slack request (401)" in line for line in lines)
    for line in lines:
        json.loads(line)
    wanted = needles()
    assert len(wanted) > len(SECRETS), "no security module lists its LOG_NEEDLES"
    leaks = [
        (origin, needle, line[:200])
        for line in lines + run.stderr.splitlines()
        for needle, origin in wanted.items()
        if needle.lower() in line.lower()
    ]
    leaks += [
        ("token shape", m.group(0), line[:200]) for line in lines if (m := SHAPES.search(line))
    ]
    assert leaks == []


def security_modules_as_paths() -> list[str]:
    return [str(Path(*module.split(".")).with_suffix(".py")) for module in security_modules()]
