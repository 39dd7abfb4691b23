"""The chat grammar of PRODUCT.md: `VERB words... --name value --flag`, options anywhere.

Lenient where people are sloppy (curly quotes, an em-dash instead of `--`, an unbalanced quote)
and strict where it matters (unknown options, a missing option value): those get a usage line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.messages import Command

MAX_COMMAND_CHARS = 40_000  # far above any real message; refuses pasted logs before parsing
_CASE_REF = re.compile(r"#?(\d{1,10})")
# Slack and macOS turn quotes and "--" into typographic ones; read them as typed.
_TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_DASHES = ("—", "–")


class OptionKind(StrEnum):
    VALUE = "value"  # `--name value`
    FLAG = "flag"  # `--name`


class ParseError(Exception):
    """The text is not a well-formed command; `str(err)` says what is wrong."""


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    quoted: bool
    start: int = 0  # offsets in the text, so free text can be kept as typed (line breaks)
    end: int = 0


def tokenize(text: str) -> list[Token]:
    """Split on white space, honouring double and single quotes; an unbalanced quote runs to the end."""
    text = text.translate(_TYPOGRAPHIC)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            end = text.find(ch, i + 1)
            if end == -1:
                end = n
            tokens.append(Token(text[i + 1 : end], True, i, min(end + 1, n)))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        word = text[start:i]
        if word[:1] in _DASHES and word[1:2].isalpha():
            word = "--" + word[1:]  # "—name": an autocorrected "--name"
        tokens.append(Token(word, False, start, i))
    return tokens


@dataclass(frozen=True, slots=True)
class Parsed:
    args: tuple[str, ...]
    options: dict[str, str | bool]
    tails: tuple[str, ...]  # tails[i]: the free text from positional word i on, as typed


def parse(text: str, options: Mapping[str, OptionKind]) -> Parsed:
    """Split the words after the verb into positional words and `--name value` options."""
    args: list[Token] = []
    found: dict[str, str | bool] = {}
    tokens = tokenize(text)
    last_option_end = -1
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.quoted or not token.text.startswith("--") or token.text == "--":
            args.append(token)
            continue
        last_option_end = token.end
        name, eq, inline = token.text[2:].partition("=")
        name = name.lower()
        kind = options.get(name)
        if kind is None:
            known = ", ".join(f"--{o}" for o in sorted(options)) or "none"
            raise ParseError(f"unknown option --{name} (options: {known})")
        if name in found:
            raise ParseError(f"--{name} is given twice")
        if kind is OptionKind.FLAG:
            if eq:
                raise ParseError(f"--{name} takes no value")
            found[name] = True
            continue
        if eq:
            value = inline
        elif i < len(tokens) and (tokens[i].quoted or not tokens[i].text.startswith("--")):
            value = tokens[i].text
            last_option_end = tokens[i].end
            i += 1
        else:
            raise ParseError(f"--{name} needs a value")
        found[name] = value
    return Parsed(tuple(t.text for t in args), found, _tails(text, args, last_option_end))


def _tails(text: str, args: list[Token], last_option_end: int) -> tuple[str, ...]:
    """Free text from each positional word on: as typed when no option follows, else joined."""
    tails: list[str] = []
    for index, token in enumerate(args):
        rest = args[index:]
        if token.start > last_option_end and not (len(rest) == 1 and token.quoted):
            tails.append(text[token.start :].translate(_TYPOGRAPHIC).strip())
        else:
            tails.append(" ".join(t.text for t in rest))
    return tuple(tails)


def split_verb(text: str) -> tuple[str, str]:
    """The first word (lower-cased) and the rest of the text, untouched."""
    stripped = text.strip().translate(_TYPOGRAPHIC)
    if not stripped:
        return "", ""
    head, _, rest = stripped.partition(" ")
    head, _, tail = head.partition("\n")  # a verb followed by a newline
    rest = (tail + " " + rest) if tail else rest
    return head.lower(), rest


def build_command(verb: str, rest: str, options: Mapping[str, OptionKind], raw: str) -> Command:
    """Parse `rest` against the verb's options into a `Command`."""
    parsed = parse(rest, options)
    return Command(verb=verb, args=parsed.args, options=parsed.options, raw=raw, tails=parsed.tails)


def parse_case_ref(text: str) -> int | None:
    """CASE-5 references: `0000001001`, `1001` or `#1001`; None when it is not one."""
    match = _CASE_REF.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 else None
