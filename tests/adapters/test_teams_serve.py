"""R10: `supportbot serve` in Teams emulator mode says so in its first lines of output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.unit.app.test_serve import REPO, free_port, get


@pytest.mark.slow
@pytest.mark.security
def test_r10_serve_in_emulator_mode_warns_loudly_in_its_first_lines(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["SUPPORTBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["SUPPORTBOT_TEAMS_EMULATOR"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-scheduler"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    status = 0
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert status == 200
    first = out.splitlines()[:5]
    assert any("SUPPORTBOT_TEAMS_EMULATOR=1" in line for line in first), out
    assert any("UNAUTHENTICATED" in line for line in first)
    assert "DEVELOPMENT mode" in err  # and in the JSON log
