"""Making user text literal on each platform (R6): no mentions, no links, no markdown from users."""

from __future__ import annotations

import re

# Slack decodes only these three entities; `<` and `>` are what start mentions and links.
_SLACK_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

# Adaptive Card TextBlocks take a Markdown subset. Backslash escapes are CommonMark's way to keep
# punctuation literal; `<` and `>` become entities instead so the raw string can never hold an
# `<at>` mention tag for Teams to resolve.
_TEAMS_ALWAYS = str.maketrans(
    {
        "\\": "\\\\",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "~": "\\~",
        "|": "\\|",
        "&": "\\&",
        "<": "&lt;",
        ">": "&gt;",
        "!": "\\!",
    }
)
_LINE_START_MARK = re.compile(r"^([#+=-])")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")
_LEADING_SPACE = re.compile(r"^[ \t]+")


def slack_text(text: str) -> str:
    """User text for a Slack mrkdwn string (the message's fallback `text`): no mention can start."""
    return text.translate(_SLACK_ENTITIES)


def teams_markdown(text: str) -> str:
    """User text for an Adaptive Card TextBlock or Fact: every Markdown construct stays literal."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A single newline is a soft break in Markdown; an empty line keeps the user's line breaks.
    return "\n\n".join(_teams_line(line) for line in lines)


def _teams_line(line: str) -> str:
    escaped = line.translate(_TEAMS_ALWAYS)
    # Adaptive Cards expand {{DATE(...)}} and {{TIME(...)}} before Markdown: break the braces.
    escaped = escaped.replace("{{", "{\\{")
    # Leading blanks would make an indented code block: keep the indent with no-break spaces.
    escaped = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    body = escaped.lstrip("\u00a0")
    indent = escaped[: len(escaped) - len(body)]
    # Headings, bullets, setext underlines and numbered lists only count at the start of a line.
    body = _LINE_START_MARK.sub(r"\\\1", body)
    body = _LIST_NUMBER.sub(r"\1\\\2", body)
    return indent + body
