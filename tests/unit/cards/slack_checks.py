"""Block Kit checks shared by the Slack card tests: slack_sdk's own models plus the size budgets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block, BlockElement, InputBlock
from slack_sdk.models.views import View

from bot.cards import slack


def parse_blocks(blocks: list[dict[str, Any]]) -> None:
    """Every block is a known type, passes slack_sdk validation and survives a round trip."""
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None and type(block) is not Block, f"unknown block {raw['type']}"
        block.validate_json()
        if isinstance(block, InputBlock):
            assert type(block.element) is not BlockElement, f"unknown input {raw['element']}"
        assert block.to_dict() == raw, "slack_sdk dropped or changed something"


def validate_view(view: dict[str, Any]) -> None:
    """A modal or home view: slack_sdk's View accepts it unchanged."""
    model = View(**view)
    model.validate_json()
    parse_blocks(view["blocks"])
    assert model.to_dict() == view


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every text object ({"type": "plain_text"|"mrkdwn", "text": ...}) in a payload."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def check_budgets(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    """The Block Kit limits the renderer promises (bot.cards.slack constants)."""
    assert len(blocks) <= max_blocks
    for block in blocks:
        match block["type"]:
            case "header":
                assert len(block["text"]["text"]) <= slack.HEADER_CHARS
            case "section":
                assert len(block.get("text", {}).get("text", "")) <= slack.SECTION_CHARS
                fields = block.get("fields", [])
                assert len(fields) <= slack.FIELDS_PER_SECTION
                assert all(len(field["text"]) <= slack.FIELD_CHARS for field in fields)
            case "actions":
                assert len(block["elements"]) <= slack.BUTTONS_PER_BLOCK
                assert all(len(b["text"]["text"]) <= slack.BUTTON_CHARS for b in block["elements"])
            case "input":
                assert len(block["label"]["text"]) <= slack.LABEL_CHARS
            case "context":
                assert len(block["elements"]) <= 10
    assert all(obj["type"] == "plain_text" for obj in text_objects(blocks)), "mrkdwn in blocks"
