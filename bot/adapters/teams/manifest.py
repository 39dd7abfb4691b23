"""The Teams app package: manifest.json filled in for a deployment, zipped with both icons."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from yarl import URL

MANIFEST_DIR = Path(__file__).resolve().parents[3] / "manifest" / "teams"
ICONS = ("color.png", "outline.png")
PACKAGE_NAME = "supportbot-teams.zip"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def fill_manifest(base_url: str, app_id: str, source: Path = MANIFEST_DIR) -> dict[str, Any]:
    """manifest.json with `{APP_ID}`, `{BASE_URL}` and `{BASE_HOST}` replaced."""
    if not _GUID.match(app_id):
        raise ValueError(
            f"the Teams app id must be the bot's Microsoft App ID (a GUID), got {app_id!r}"
        )
    url = URL(base_url.strip().rstrip("/"))
    if url.scheme != "https" or not url.host or url.query_string or url.fragment:
        # The manifest schema accepts only https URLs for the developer links.
        raise ValueError(f"the base URL must be an https URL without query, got {base_url!r}")
    values = {"{APP_ID}": app_id.lower(), "{BASE_URL}": str(url), "{BASE_HOST}": url.host}
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text("utf-8"))
    filled = _replace(manifest, values)
    if not isinstance(filled, dict):
        raise ValueError("manifest.json must hold a JSON object")
    return filled


def build_teams_package(base_url: str, app_id: str, out_dir: Path) -> Path:
    """Write the zipped Teams app package into `out_dir`; its path."""
    manifest = fill_manifest(base_url, app_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PACKAGE_NAME
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        # Teams wants the three files at the root of the zip, not in a folder.
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            package.write(MANIFEST_DIR / icon, icon)
    return target


def _replace(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, replacement in values.items():
            value = value.replace(placeholder, replacement)
        return value
    if isinstance(value, list):
        return [_replace(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, values) for key, item in value.items()}
    return value
