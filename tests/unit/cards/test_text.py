"""Plain-text rendering for the console and demo: snapshots, buttons, control characters."""

from __future__ import annotations

import pytest

from bot.cards.text import render_text
from bot.messages import Message, Reply
from tests.unit.cards.golden import match_text
from tests.unit.cards.samples import SAMPLES


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_reply_kind_renders_as_text_matching_its_snapshot(name: str) -> None:
    match_text("text", name, render_text(SAMPLES[name]))


def test_case_card_shows_the_viewers_buttons_in_brackets() -> None:
    text = render_text(SAMPLES["case_card"])
    assert text.splitlines()[-1] == "└─ [Update] [Close] [Escalate]"


def test_acc_2_read_only_viewer_sees_no_buttons() -> None:
    assert "[Update]" not in render_text(SAMPLES["case_card_read_only"])


def test_r6_user_text_is_shown_literally_and_terminal_escapes_are_not_obeyed() -> None:
    text = render_text(Reply(Message("red \x1b[31mALERT\x1b[0m <!channel> **b**")))
    assert "\x1b" not in text
    assert "red \\x1b[31mALERT\\x1b[0m <!channel> **b**" in text


def test_form_shows_required_fields_choices_and_inline_errors() -> None:
    text = render_text(SAMPLES["open_form"])
    assert "Description (required): ____" in text
    assert "[!] A description is required." in text
    assert "one of: critical (Critical) | high (High) | medium (Medium) | low (Low)" in text
    assert text.rstrip().endswith("[Open case]")


def test_follow_ups_follow_the_body_as_separate_boxes() -> None:
    reply = Reply(Message("first"), follow_ups=(Message("second"),))
    text = render_text(reply)
    assert text.count("┌") == 2
    assert text.index("first") < text.index("second")
