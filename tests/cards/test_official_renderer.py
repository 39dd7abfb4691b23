"""Every Teams card the suite produces, drawn by Microsoft's own renderer in Teams' three themes.

The cards are the golden snapshots: the hand-built samples of every reply kind
(`tests/unit/cards/snapshots/teams`) and the cards production sent in the scenario of
`tests/unit/cards/test_live_snapshots.py` (`snapshots/live`). Each must parse with no warning
and show every text at WCAG AA contrast (4.5:1) on its background in Teams' light, dark and
high-contrast host configs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.cards.renderer import THEMES, WCAG_AA_TEXT, problems, render

SNAPSHOTS = Path(__file__).parents[1] / "unit" / "cards" / "snapshots"

pytestmark = pytest.mark.slow


def teams_cards() -> dict[str, dict[str, Any]]:
    """Every Adaptive Card in the golden snapshots, by file name."""
    cards: dict[str, dict[str, Any]] = {}
    for path in sorted([*SNAPSHOTS.glob("teams/*.json"), *SNAPSHOTS.glob("live/teams/*.json")]):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for number, card in enumerate(payload if isinstance(payload, list) else [payload]):
            cards[f"{path.parent.name}/{path.stem}#{number}"] = card
    return cards


@cache
def snapshot_report() -> dict[str, Any]:
    return render(teams_cards())


def test_every_teams_snapshot_parses_with_no_warning_and_reads_at_wcag_aa_in_every_theme() -> None:
    cards = teams_cards()
    assert len(cards) >= 39
    report = snapshot_report()
    assert set(report) == {f"{theme}/{name}" for theme in THEMES for name in cards}
    assert sorted(THEMES) == [
        "microsoft-teams-dark",
        "microsoft-teams-high-contrast",
        "microsoft-teams-light",
    ]
    assert problems(report) == []
    # The check saw the words: every card shows text, in every theme.
    assert all(result["texts"] for result in report.values())


def test_the_bots_commands_reach_the_reader_as_monospace_text_without_backticks() -> None:
    report = snapshot_report()
    shown = report["microsoft-teams-light/teams/refusal#0"]
    texts = [text["text"] for text in shown["texts"]]
    assert "/case priority 1001 medium <reason>" in texts
    assert 'font-family: "Cascadia Code"' in shown["html"] or "monospace" in shown["html"].lower()
    assert not any("`" in text for text in texts)


def test_the_check_fails_teams_own_warning_yellow_and_a_misspelt_property() -> None:
    """The renderer and the contrast rule catch what the bot used to send."""
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Response target at risk", "color": "Warning"},
            {"type": "TextBlock", "text": "x", "colour": "Red"},
            {"type": "Bogus"},
        ],
    }
    report = render({"control": card})
    found = problems(report)
    light = [line for line in found if line.startswith("microsoft-teams-light/")]
    assert any("1.47:1 for 'Response target at risk'" in line for line in light), found
    assert any("Bogus" in line for line in light), found
    low = [t["ratio"] for t in report["microsoft-teams-light/control"]["texts"]]
    assert min(low) < WCAG_AA_TEXT
