"""`supportbot manifest build`: every platform's install file, written for one deployment."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.cli import main

URL = "https://support.example.com"
APP_ID = "00000000-0000-4000-8000-00000000b0b1"


@pytest.fixture(autouse=True)
def no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)


def test_manifest_build_writes_the_slack_manifest_and_the_teams_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["manifest", "build", "--url", URL, "--out", str(out), "--app-id", APP_ID]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"Slack app manifest: {out / 'slack-manifest.yaml'}  "
        "(paste it at api.slack.com/apps > Create New App)",
        f"Teams app package: {out / 'supportbot-teams.zip'}  "
        "(upload it in Teams > Apps > Manage your apps)",
    ]
    slack = yaml.safe_load((out / "slack-manifest.yaml").read_text(encoding="utf-8"))
    assert slack["settings"]["event_subscriptions"]["request_url"] == f"{URL}/slack/events"
    with zipfile.ZipFile(out / "supportbot-teams.zip") as package:
        teams = json.loads(package.read("manifest.json"))
    assert teams["bots"][0]["botId"] == APP_ID


def test_without_an_app_id_the_teams_package_is_skipped_and_says_how_to_get_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", "build", "--url", URL, "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1] == "Teams app package: skipped; give --app-id or set MICROSOFT_APP_ID."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slack-manifest.yaml"]


def test_a_url_slack_cannot_call_is_refused_naming_the_platform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["manifest", "build", "--url", "http://support.example.com", "--out", str(tmp_path)])
        == 1
    )
    assert "slack: the base URL must use https" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
