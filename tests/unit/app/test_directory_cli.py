"""`supportbot directory load|check`: admins are pointed at the format and the rule book."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "directory.yaml"


def supportbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {
        "PYTHONPATH": str(REPO),
        "PYTHONIOENCODING": "utf-8",
        "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
    }
    env.pop("SUPPORTBOT_POLICY", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_acc_4_a_refused_directory_names_the_entry_and_links_the_rule_book(tmp_path: Path):
    assert supportbot(tmp_path, "directory", "load", str(EXAMPLE)).returncode == 0
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("end_user_id: hooli", "end_user_id: initech")
    bad.write_text(text, encoding="utf-8")
    done = supportbot(tmp_path, "directory", "load", str(bad))
    assert done.returncode == 1
    assert "accounts[2] initech-hooli: a partner resells to another company" in done.stderr
    assert "docs/policy.md#acc-4" in done.stderr and "README.md#directory-file" in done.stderr
    check = supportbot(tmp_path, "directory", "check", "--today", "2026-06-01")
    assert check.returncode == 0
    assert "(ACC-6)" in check.stdout and "docs/policy.md" in check.stdout
