"""R6 property tests: arbitrary user text never becomes a mention, a link or Markdown anywhere."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.cards import slack, teams
from bot.cards.escape import slack_text, teams_markdown
from bot.cards.text import render_text
from bot.messages import (
    CaseAction,
    CaseLine,
    CaseList,
    CaseView,
    Fact,
    GrantLine,
    Help,
    HelpEntry,
    Identity,
    Message,
    Notice,
    NoticeKind,
    Refusal,
    Reply,
)
from bot.model import AccessLevel, CaseEvent, EventKind, Priority, Status, SubStatus
from tests.unit.cards.samples import ACME, CASE, OPEN_FORM, TIMERS, ZONE
from tests.unit.cards.slack_checks import text_objects

AT = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
MARKDOWN = MarkdownIt("commonmark")
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>")
# Text that looks like the attacks, mixed with anything else hypothesis comes up with.
HOSTILE = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<@U0900>",
        "<#C0001|general>",
        "<https://evil|bank>",
        "<mailto:x@y|x>",
        "[x](http://evil)",
        "**bold**",
        "_it_",
        "# h",
        "- list",
        "1. list",
        "> quote",
        "`code`",
        "~strike~",
        "<at>Ana</at>",
        "&lt;at&gt;",
        "{{DATE(2026-11-24T19:00:00Z, SHORT)}}",
        "\n",
        "    ",
        "\\",
        "![i](http://evil/i.png)",
        "[r]: http://evil",
        "***",
        "---",
        "===",
        "| a | b |",
    ]
)
USER_TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=20)), max_size=8).map("".join)


def replies(text: str) -> list[Reply]:
    """The same user text in every place a reply can carry it."""
    case = replace(
        CASE,
        summary=text or "x",
        description=text,
        impact=text,
        component=text,
        external_ref=text,
        opened_by=text,
    )
    event = CaseEvent(EventKind.CUSTOMER_UPDATE, AT, text, body=text)
    view = CaseView(case, ACME, TIMERS, (event,), (CaseAction.UPDATE,), note=text)
    line = CaseLine(1001, "acme", text, Priority.HIGH, Status.OPEN, SubStatus.NEW, AT)
    notice = Notice(
        NoticeKind.SLA_BREACH, text, text, (Fact(text, text),), 1001, actions=(CaseAction.TAKE,)
    )
    grant = GrantLine("acme", text, AccessLevel.DESIGNATED, text)
    fields = tuple(
        replace(field, value=text) if field.kind == "text" else field for field in OPEN_FORM.fields
    )
    form = replace(OPEN_FORM, guidance=text, fields=fields, errors={"summary": text})
    bodies = [
        view,
        Message(text, text or None),
        Refusal("ESC-4", text, text),
        CaseList(text or "x", (line,), 2, text),
        notice,
        Help((HelpEntry(text, text, text),), text),
        Identity(text, text, (grant,), hint=text),
        form,
    ]
    return [Reply(body, time_zone=ZONE) for body in bodies]  # type: ignore[arg-type]


def teams_texts(node: Any, kind: str = "TextBlock") -> list[str]:
    """Every Markdown-bearing string of a card: TextBlock text, Fact title and value.

    With kind="TextRun": the texts of RichTextBlock runs, which Adaptive Cards never treat as
    Markdown. The fallbackText is plain text (what Teams shows in notifications), checked apart.
    """
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node["text"])
        if kind == "TextBlock" and "title" in node and "value" in node and "type" not in node:
            found.extend((node["title"], node["value"]))
        for value in node.values():
            found.extend(teams_texts(value, kind))
    elif isinstance(node, list):
        for item in node:
            found.extend(teams_texts(item, kind))
    return found


def rendered_markdown(text: str) -> tuple[set[str], str]:
    """The HTML tags CommonMark makes of `text`, and the words a reader sees."""
    out = MARKDOWN.render(text)
    tags = {match.group(2).lower() for match in _TAG.finditer(out)}
    return tags, " ".join(html.unescape(_TAG.sub(" ", out)).split())


def words(text: str) -> str:
    # CommonMark turns NUL into U+FFFD and, like any reader, ignores runs of whitespace.
    return " ".join(text.replace("\x00", "\ufffd").split())


@settings(deadline=None, max_examples=150)
@given(USER_TEXT)
def test_r6_slack_user_text_never_yields_a_mention_link_or_formatting(text: str) -> None:
    for reply in replies(text):
        payload = slack.render_message(reply)
        assert "<" not in payload["text"] and ">" not in payload["text"]
        objects = list(text_objects(payload["blocks"]))
        assert all(obj["type"] == "plain_text" for obj in objects), "user text in mrkdwn"
    view = slack.render_modal(replies(text)[-1].body, "open", "")  # type: ignore[arg-type]
    assert all(obj["type"] == "plain_text" for obj in text_objects(view))


@settings(deadline=None, max_examples=150)
@given(USER_TEXT)
def test_r6_slack_plain_text_shows_short_user_text_word_for_word(text: str) -> None:
    payload = slack.render_message(Reply(Message(text or "x")))
    assert {"type": "plain_text", "text": text or "x"} in list(text_objects(payload["blocks"]))


@settings(deadline=None, max_examples=150)
@given(USER_TEXT)
def test_r6_teams_user_text_never_yields_markdown_links_or_at_mentions(text: str) -> None:
    for reply in replies(text):
        for shown in teams_texts(teams.render_card(reply)):
            assert "<at" not in shown.lower()
            assert "{{" not in shown
            tags, _ = rendered_markdown(shown)
            assert tags <= {"p"}, (shown, tags)
        for run in teams_texts(teams.render_card(reply), "TextRun"):
            assert "{{" not in run


@settings(deadline=None, max_examples=150)
@given(USER_TEXT)
def test_r6_notification_text_is_the_user_text_itself_with_no_markup_escapes(text: str) -> None:
    """Teams' summary and Slack's fallback show plain words: no backslashes, entities, markup."""
    title = text.strip() or "x"
    reply = Reply(Notice(NoticeKind.CASE_UPDATED, title, "", case_number=1001), time_zone=ZONE)
    expected = " ".join(title.split())
    teams_summary = teams.render_card(reply)["fallbackText"]
    slack_fallback = slack.render_message(reply)["text"]
    if len(title) <= teams.FALLBACK_CHARS:
        assert teams_summary == expected
        assert html.unescape(slack_fallback) == expected
    assert "<" not in slack_fallback and ">" not in slack_fallback


def test_bot_wording_in_notifications_quotes_commands_instead_of_escaping_them() -> None:
    reply = Reply(Message("Unknown command `frobnicate`. Try `help`."))
    assert teams.render_card(reply)["fallbackText"] == 'Unknown command "frobnicate". Try "help".'
    assert slack.render_message(reply)["text"] == 'Unknown command "frobnicate". Try "help".'
    zone = Reply(Message("Times are shown in America/New_York; `&lt;!here&gt;` <!here> [a,b]"))
    teams_summary = teams.render_card(zone)["fallbackText"]
    assert teams_summary == 'Times are shown in America/New_York; "&lt;!here&gt;" <!here> [a,b]'
    assert "\\" not in teams_summary
    assert slack.render_message(zone)["text"] == (
        "Times are shown in America/New_York; &quot;&amp;lt;!here&amp;gt;&quot; &lt;!here&gt; [a,b]"
    ).replace("&quot;", '"')


@settings(deadline=None, max_examples=300)
@given(USER_TEXT)
def test_r6_teams_escaping_shows_the_user_text_word_for_word(text: str) -> None:
    tags, seen = rendered_markdown(teams_markdown(text))
    assert tags <= {"p"}
    assert seen == words(text)


@settings(deadline=None, max_examples=300)
@given(USER_TEXT)
def test_r6_slack_fallback_escaping_round_trips(text: str) -> None:
    escaped = slack_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@settings(deadline=None, max_examples=100)
@given(st.text())
def test_r6_console_text_never_carries_control_characters(text: str) -> None:
    for reply in replies(text):
        shown = render_text(reply)
        assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in shown)
