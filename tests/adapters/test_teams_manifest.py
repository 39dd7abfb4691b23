"""The Teams app package: the manifest validates against the official schema; icon sizes."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from bot.adapters.teams.manifest import MANIFEST_DIR, build_teams_package, fill_manifest

SCHEMA = Path(__file__).with_name("schema") / "MicrosoftTeams.schema.json"
APP_ID = "0f6e6d2c-1111-4a4a-9b9b-123456789abc"


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGBA rows of a PNG written with filter 0 (as draw_icons.py does)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    assert (depth, color) == (8, 6)  # 8-bit RGBA
    idat, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(r[0] == 0 for r in rows)
    return width, height, [r[1:] for r in rows]


def test_the_filled_in_manifest_validates_against_the_official_teams_schema():
    manifest = fill_manifest("https://support.example.com", APP_ID)
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(manifest)
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert manifest["validDomains"] == ["support.example.com"]


def test_channel_messages_without_a_mention_reach_the_bot_through_resource_specific_consent():
    # `case VERB` in a channel without @mention (docs/teams.md): Teams delivers such messages only
    # to apps granted ChannelMessage.Read.Group on the team, which needs webApplicationInfo.id.
    manifest = fill_manifest("https://support.example.com", APP_ID)
    granted = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in granted
    assert manifest["webApplicationInfo"]["id"] == APP_ID


def test_the_command_list_offers_the_customer_verbs():
    manifest = fill_manifest("https://support.example.com", APP_ID)
    titles = {c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]}
    assert {"open", "show", "update", "close", "reopen", "escalate", "help"} <= titles


def test_the_package_holds_the_manifest_and_both_icons_at_its_root(tmp_path: Path):
    package = build_teams_package("https://support.example.com/", APP_ID, tmp_path / "out")
    with zipfile.ZipFile(package) as opened:
        assert sorted(opened.namelist()) == ["color.png", "manifest.json", "outline.png"]
        text = opened.read("manifest.json").decode("utf-8")
    assert not any(p in text for p in ("{APP_ID}", "{BASE_URL}", "{BASE_HOST}"))
    manifest = json.loads(text)
    assert manifest["developer"]["websiteUrl"] == "https://support.example.com/"


def test_icons_have_the_sizes_teams_requires_and_the_outline_is_white_on_transparent():
    width, height, _ = png_pixels((MANIFEST_DIR / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    width, height, rows = png_pixels((MANIFEST_DIR / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    pixels = [row[i : i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p[3] == 0 or p[:3] == b"\xff\xff\xff" for p in pixels)
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)


@pytest.mark.parametrize(
    ("url", "app_id"),
    [("http://support.example.com", APP_ID), ("https://support.example.com", "not-a-guid")],
)
def test_a_package_needs_an_https_url_and_a_guid_app_id(url: str, app_id: str, tmp_path: Path):
    with pytest.raises(ValueError):
        build_teams_package(url, app_id, tmp_path)
