"""Block Kit rendering: golden snapshots, slack_sdk validation, budgets, buttons, cutting (R6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.cards import actions, slack
from bot.cards.format import cut_marker
from bot.messages import CaseList, CaseView, Form, Help, HelpEntry, Notice, Reply
from tests.unit.cards.golden import match_json
from tests.unit.cards.samples import CASE, CASE_VIEW, LINES, OPEN_FORM, SAMPLES, ZONE
from tests.unit.cards.slack_checks import check_budgets, parse_blocks, validate_view

FORMS = {name: reply.body for name, reply in SAMPLES.items() if isinstance(reply.body, Form)}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_reply_kind_renders_as_valid_block_kit_matching_its_snapshot(name: str) -> None:
    payload = slack.render_message(SAMPLES[name])
    parse_blocks(payload["blocks"])
    check_budgets(payload["blocks"], slack.MESSAGE_BLOCKS)
    assert payload["mrkdwn"] is False
    match_json("slack", name, payload)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_renders_as_a_valid_modal_matching_its_snapshot(name: str) -> None:
    view = slack.render_modal(FORMS[name], f"form:{name}", '{"channel": "C0001"}')
    validate_view(view)
    check_budgets(view["blocks"], slack.SURFACE_BLOCKS)
    assert len(view["title"]["text"]) <= slack.TITLE_CHARS
    match_json("slack", f"{name}_modal", view)


def test_app_home_lists_open_cases_with_an_open_button_and_matches_its_snapshot() -> None:
    view = slack.render_home(CaseList("Your open cases", LINES, total=3), True, ZONE)
    validate_view(view)
    assert view["type"] == "home"
    assert view["blocks"][1]["elements"][0]["action_id"] == actions.CASE_OPEN
    match_json("slack", "home", view)


def test_app_home_has_no_open_button_for_viewers_who_cannot_open_cases() -> None:
    view = slack.render_home(CaseList("Your open cases", LINES, total=3), False, ZONE)
    assert all(block["type"] != "actions" for block in view["blocks"])


def test_case_card_buttons_are_exactly_the_viewers_actions_with_the_case_number() -> None:
    blocks = slack.render_message(SAMPLES["case_card"])["blocks"]
    buttons = [el for block in blocks if block["type"] == "actions" for el in block["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("case:update", "0000001001"),
        ("case:close", "0000001001"),
        ("case:escalate", "0000001001"),
    ]


def test_acc_2_read_only_viewer_gets_no_buttons() -> None:
    blocks = slack.render_message(SAMPLES["case_card_read_only"])["blocks"]
    assert all(block["type"] != "actions" for block in blocks)


def test_sla_5_breach_notice_offers_analysts_a_take_button() -> None:
    blocks = slack.render_message(SAMPLES["notice_sla_breach"])["blocks"]
    assert blocks[-1] == {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Take"},
                "action_id": actions.CASE_TAKE,
                "value": "0000001001",
            }
        ],
    }


def test_modal_inputs_use_the_field_name_as_block_and_action_id() -> None:
    view = slack.render_modal(OPEN_FORM, "open", "")
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    assert [(b["block_id"], b["element"]["action_id"]) for b in inputs] == [
        (field.name, field.name) for field in OPEN_FORM.fields
    ]
    required = {b["block_id"] for b in inputs if not b["optional"]}
    assert required == {field.name for field in OPEN_FORM.fields if field.required}


def test_case_2_form_errors_map_block_ids_to_messages_for_response_action_errors() -> None:
    assert slack.form_errors(OPEN_FORM) == {
        "description": "A description is required.",
        "impact": "Business impact is required for High priority (CASE-2).",
    }
    form = replace(OPEN_FORM, errors={"summary": "Too long", "nonexistent": "ignored"})
    assert slack.form_errors(form) == {"summary": "Too long"}


def test_modal_refuses_private_metadata_over_the_slack_limit() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        slack.render_modal(OPEN_FORM, "open", "x" * 3001)


def test_over_long_summary_and_description_are_cut_with_the_show_marker() -> None:
    long_case = replace(CASE, summary="S" * 5000, description="D" * 10000)
    payload = slack.render_message(Reply(replace(CASE_VIEW, case=long_case), time_zone=ZONE))
    parse_blocks(payload["blocks"])
    check_budgets(payload["blocks"], slack.MESSAGE_BLOCKS)
    header = payload["blocks"][0]["text"]["text"]
    assert len(header) == slack.HEADER_CHARS
    assert header.endswith('… (cut; send "show 0000001001" for the rest)')
    description = next(
        b for b in payload["blocks"] if b.get("text", {}).get("text", "").startswith("Description")
    )
    assert description["text"]["text"].endswith(cut_marker("0000001001"))


def test_more_than_fifty_blocks_are_cut_with_a_marker_and_buttons_kept() -> None:
    entries = tuple(HelpEntry(f"verb{i}", f"verb{i} ARG", f"Does thing {i}.") for i in range(80))
    payload = slack.render_message(Reply(Help(entries)))
    parse_blocks(payload["blocks"])
    assert len(payload["blocks"]) == slack.MESSAGE_BLOCKS
    assert payload["blocks"][-1]["elements"][0]["text"] == cut_marker(None)

    notice = SAMPLES["notice_sla_breach"].body
    assert isinstance(notice, Notice)
    many = replace(notice, body="x", facts=notice.facts * 300)
    blocks = slack.render_message(Reply(many))["blocks"]
    assert len(blocks) == slack.MESSAGE_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert blocks[-2]["elements"][0]["text"] == cut_marker("0000001001")


def test_r6_user_text_stays_in_plain_text_and_the_fallback_is_entity_escaped() -> None:
    payload = slack.render_message(SAMPLES["case_card"])
    assert (
        payload["text"] == "Case 0000001001: Agents can't log in to the CRM connector &lt;!here&gt;"
    )
    assert payload["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Case 0000001001: Agents can't log in to the CRM connector <!here>",
    }


def test_follow_ups_render_as_further_messages() -> None:
    reply = Reply(CASE_VIEW, time_zone=ZONE, follow_ups=(SAMPLES["refusal"].body,))
    payloads = slack.render_messages(reply)
    assert len(payloads) == 2
    assert payloads[1]["text"].startswith("Not allowed (ESC-4)")


def test_case_view_for_a_closed_case_shows_when_it_closed() -> None:
    closed = replace(CASE, closed_at=CASE.updated_at)
    blocks = slack.render_message(Reply(CaseView(closed, CASE_VIEW.account), time_zone=ZONE))[
        "blocks"
    ]
    fields = [f["text"] for b in blocks for f in b.get("fields", [])]
    assert "Closed\nTue 24 Nov 2026 10:05 EST" in fields
