"""Golden snapshot files: compared exactly, rewritten when UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _write_or_compare(path: Path, text: str) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 to create it")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path} differs; UPDATE_SNAPSHOTS=1 rewrites it"
    )


def match_json(platform: str, name: str, payload: Any) -> None:
    """Compare `payload` with snapshots/<platform>/<name>.json."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    _write_or_compare(SNAPSHOTS / platform / f"{name}.json", text)


def match_text(platform: str, name: str, text: str) -> None:
    """Compare `text` with snapshots/<platform>/<name>.txt."""
    _write_or_compare(SNAPSHOTS / platform / f"{name}.txt", text)
