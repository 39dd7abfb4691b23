"""`supportbot demo`: the scripted tour PRODUCT.md describes, through the real adapters."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.posts import card_lines, slack_lines
from bot.demo.script import ACME, QUEUE, SLACK_BRIDGE, START, TEAMS_BRIDGE, run_demo, tour
from bot.demo.world import SimulatedClock, open_world

REPO = Path(__file__).resolve().parents[3]


def _section(transcript: str, number: int) -> str:
    """One step of the transcript, from its heading to the next."""
    found = re.search(rf"── {number}\. .*?(?=\n── {number + 1}\. |\n═)", transcript, re.DOTALL)
    assert found is not None, f"no step {number} in the transcript"
    return found.group(0)


@pytest.mark.slow
async def test_demo_transcript_shows_every_step_product_md_names_and_exits_0():
    out = io.StringIO()

    assert await run_demo(out) == 0

    transcript = out.getvalue()
    opened = _section(transcript, 1)
    assert "[Slack #acme-support] alice: /case open high" in opened
    assert "Case 0000001001: Checkout fails for EU customers" in opened
    assert "[Slack #support-queue-na] bot (posted in the channel):" in opened
    refused = _section(transcript, 2)
    assert "[Slack #acme-support] bot (visible to alice only):" in refused
    assert "Rule ESC-6" in refused
    warned = _section(transcript, 3)
    assert "SLA warning on 0000001001: 75% of the response target has elapsed" in warned
    assert "ana: clicks [Take]" in warned
    incident = _section(transcript, 4)
    assert "ivy: @Support case incident declare sev2" in incident
    assert len(re.findall(r"Status update \d+: incident 1", incident)) >= 4  # 2+ per bridge
    assert "All clear: incident 1" in incident
    reopened = _section(transcript, 5)
    assert "Status: Open / Reopen Requested" in reopened
    threads = _section(transcript, 6)  # POLICY section 7 on Slack
    assert "[Slack #acme-support (thread)] alice: It fails again for the EU store only" in threads
    assert "as an internal note: the customer does not see it" in threads
    assert "ana: Reply to customer (shortcut)" in threads
    assert "Attached to case 0000001001: gateway.log" in threads
    assert "alice: reacts :ticket:" in threads
    assert "Case 0000001002: Wrong VAT rate on EU invoices" in threads
    assert "Case reopened (REO-1)" in reopened
    assert "What the demo showed:" in transcript


async def test_demo_inc_3_status_cards_reach_the_teams_and_slack_bridges_through_the_stand_ins():
    async with open_world(START) as world:
        shown = await tour(world, io.StringIO())
        teams_cards = [p for p in world.connector.to(TEAMS_BRIDGE) if "Status update" in p.text]
        slack_posts = world.slack_api.calls_to("chat.postMessage")
        by_channel = {
            channel: [c for c in slack_posts if c.body.get("channel") == channel]
            for channel in (ACME, QUEUE, SLACK_BRIDGE)
        }

    assert len(shown) == 6
    assert len(teams_cards) >= 2
    bridge_status = [
        c for c in by_channel[SLACK_BRIDGE] if "Status update" in "\n".join(slack_lines(c.body))
    ]
    assert len(bridge_status) >= 2
    queue_texts = ["\n".join(slack_lines(c.body)) for c in by_channel[QUEUE]]
    assert any("SLA warning on 0000001001" in text and "[Take]" in text for text in queue_texts)
    assert any("reopened" in text for text in queue_texts)


def test_demo_slack_blocks_render_as_text_in_order_with_fields_and_buttons():
    body = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Case 0000001001"}},
            {"type": "section", "fields": [{"type": "plain_text", "text": "Priority\nHigh"}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "a &lt;b&gt; c"}},
            {"type": "context", "elements": [{"type": "plain_text", "text": "Rule ESC-6"}]},
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Take"}}],
            },
        ]
    }

    assert slack_lines(body) == (
        "Case 0000001001",
        "Priority: High",
        "a <b> c",
        "Rule ESC-6",
        "[Take]",
    )


def test_demo_adaptive_card_renders_text_blocks_facts_and_actions():
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "TextBlock", "text": "post with \\`incident status 1\\`"},
            {
                "type": "Container",
                "items": [{"type": "FactSet", "facts": [{"title": "Incident", "value": "1"}]}],
            },
        ],
        "actions": [{"type": "Action.Execute", "title": "Take"}],
    }

    assert card_lines(card) == ["post with `incident status 1`", "Incident: 1", "[Take]"]


async def test_demo_simulated_clock_only_moves_forward_and_rate_limit_waits_pass_in_simulated_time():
    clock = SimulatedClock(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))

    await clock.sleep(1.5)

    assert clock() == datetime(2026, 11, 24, 14, 0, 1, 500000, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))


@pytest.mark.slow
def test_supportbot_demo_command_exits_0_and_prints_the_tour(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        cwd=tmp_path,  # the demo needs nothing from the working directory and writes nothing there
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Rule ESC-6" in done.stdout
    assert "What the demo showed:" in done.stdout
    assert list(tmp_path.iterdir()) == []
