"""`supportbot serve` as a newcomer starts it: zero configuration, health, metrics, clean stop."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.mark.slow
def test_serve_starts_on_an_empty_sqlite_database_loads_the_example_directory_and_stops_cleanly(
    tmp_path: Path,
):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["SUPPORTBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["SUPPORTBOT_SCHEDULER_INTERVAL"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status, body = 0, b""
        while time.monotonic() < deadline:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, body
        health = json.loads(body)
        assert health["database"] == "ok"
        assert health["scheduler"]["alive"] is True
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert b"supportbot_outbox_pending" in metrics
        status, body = get(f"http://127.0.0.1:{port}/slack/events")
        assert status == 405  # POST only; and 503 with a hint when posted without credentials
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "loaded the example directory" in out
    # R8 and structured logs: every log line is JSON.
    for line in err.splitlines():
        json.loads(line)


@pytest.mark.slow
def test_r10_serve_with_a_metrics_port_keeps_metrics_off_the_public_listener(tmp_path: Path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    port, metrics_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["SUPPORTBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["SUPPORTBOT_METRICS_PORT"] = str(metrics_port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert get(f"http://127.0.0.1:{port}/metrics")[0] == 404
        status, metrics = get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert status == 200 and b"supportbot_outbox_pending" in metrics
        assert get(f"http://127.0.0.1:{metrics_port}/healthz")[0] == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"metrics on http://127.0.0.1:{metrics_port}/metrics" in out
