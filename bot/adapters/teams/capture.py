"""Capture offers on Teams (CONV-4): the private offer card and its prefilled form.

Teams has no modals opened by a click the way Slack has, so the form is the card itself: the
offer's "Open a case" button (Action.Execute `capture:open`) is answered with the prefilled open
form, whose submit buttons are re-pointed at `capture:submit` with the capture id in their data,
so the submission comes back as `CaptureSubmitted`, never as a plain `open`.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.cards.teams import SCHEMA_URL, VERSION
from bot.conversation import CaseOffer

OFFER_VERB = "capture:open"
SUBMIT_VERB = "capture:submit"
_SUBMITS = ("Action.Execute", "Action.Submit")


def offer_card(offer: CaseOffer, channel: str) -> dict[str, Any]:
    """The private offer: its text and one "Open a case" button (text is never markdown: R6).

    The button is clicked in the 1:1 chat; `channel` (where the message was) rides along so the
    form's submission is judged for that channel, as on Slack.
    """
    data = {"capture": offer.capture_id, "channel": channel}
    submit = {"type": "Action.Submit", "title": "Open a case", "data": {"verb": OFFER_VERB, **data}}
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": VERSION,
        "fallbackText": offer.text,
        "body": [{"type": "TextBlock", "text": offer.text, "wrap": True}],
        "actions": [
            {
                "type": "Action.Execute",
                "title": "Open a case",
                "verb": OFFER_VERB,
                "data": data,
                "style": "positive",
                "fallback": submit,
            }
        ],
    }


def capture_card(card: dict[str, Any], capture_id: str, channel: str) -> dict[str, Any]:
    """The offer's form card with every submit button sending `capture:submit` + the ids."""
    changed = copy.deepcopy(card)
    _repoint(changed, {"capture": capture_id, "channel": channel})
    return changed


def _repoint(node: Any, ids: dict[str, str]) -> None:
    if isinstance(node, dict):
        if node.get("type") in _SUBMITS:
            data = node.get("data")
            data = dict(data) if isinstance(data, dict) else {}
            data |= ids
            if node["type"] == "Action.Execute":
                node["verb"] = SUBMIT_VERB
            else:
                data["verb"] = SUBMIT_VERB
            node["data"] = data
        for child in node.values():
            _repoint(child, ids)
    elif isinstance(node, list):
        for child in node:
            _repoint(child, ids)
