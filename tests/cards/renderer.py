"""Microsoft's Adaptive Cards renderer (npm `adaptivecards`, under jsdom) as a test tool.

The node project in `tests/cards/js` is installed with `npm ci` on first use and kept there
(`node_modules` is git-ignored), so later runs start at once. Without node and npm the tests
that need it are skipped, saying why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).parent / "js"
HOST_CONFIGS = sorted((Path(__file__).parent / "hostconfigs").glob("*.json"))
THEMES = [path.stem for path in HOST_CONFIGS]
WCAG_AA_TEXT = 4.5
_INSTALL_SECONDS = 300
_RENDER_SECONDS = 240


def _installed() -> bool:
    """node_modules matches package-lock.json (npm writes its own copy of the lock there)."""
    ours = JS / "package-lock.json"
    theirs = JS / "node_modules" / ".package-lock.json"
    return theirs.exists() and theirs.stat().st_mtime >= ours.stat().st_mtime


def ensure_renderer() -> str:
    """The path of node, after `npm ci` when needed; skips the test without node or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run Microsoft's Adaptive Cards renderer")
    if not _installed():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=_INSTALL_SECONDS,
            check=False,
        )
        assert done.returncode == 0, f"npm ci in {JS} failed:\n{done.stdout}\n{done.stderr}"
    return node


def render(cards: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each card rendered with every Teams host config: {"theme/name": report}."""
    node = ensure_renderer()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cards.json"
        source.write_text(json.dumps(cards), encoding="utf-8")
        done = subprocess.run(
            [node, str(JS / "render.mjs"), str(source), *map(str, HOST_CONFIGS)],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=_RENDER_SECONDS,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def problems(report: dict[str, Any]) -> list[str]:
    """Parse warnings and text under WCAG AA contrast, one line each, named by theme and card."""
    found: list[str] = []
    for key, result in sorted(report.items()):
        found.extend(f"{key}: {warning}" for warning in result["warnings"])
        found.extend(
            f"{key}: {text['ratio']}:1 for {text['text']!r}"
            for text in result["texts"]
            if text["ratio"] < WCAG_AA_TEXT
        )
    return found
