"""Structured (JSON lines) logs with secrets redacted (R8).

Every record passes through `Redactor`, which removes the configured secrets and anything shaped
like a token (Slack tokens, bearer and basic credentials, JWTs, request signatures, form and
JSON `token` fields, Slack response URLs) from every field of the record: message, arguments,
`extra` fields, traceback and stack. Customer text is logged only at debug level (R8), and even
`-v` keeps the platform SDKs, whose debug lines are whole payloads, at info.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

_TOKEN_SHAPES = re.compile(
    r"xox[abposre]-[A-Za-z0-9-]+"  # Slack bot, user, app-level and refresh tokens
    r"|xapp-[A-Za-z0-9-]+"
    r"|(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]+"  # Authorization header values
    r"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"  # JWTs (Teams tokens), even bare
    r"|v0=[0-9a-fA-F]{16,}"  # Slack request signatures
    r"|https://hooks\.slack\.com/\S+"  # response URLs: anyone holding one can post as the bot
    r"|(?i:\btoken=)[^&\s\"']+"  # a form field `token=...` (Slack's legacy verification token)
    r"|(?i:\"token\"\s*:\s*)\"[^\"]*\""  # the same in JSON
)
REDACTED = "[redacted]"
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Loggers whose debug output is whole request and response payloads or SQL parameters (tokens,
# response URLs, customer text): never below info, even with `-v`.
# SQLAlchemy echoes every statement at info, so it stays at warning.
CHATTY = {
    "slack_bolt": logging.INFO,
    "slack_sdk": logging.INFO,
    "microsoft_agents": logging.INFO,
    "msal": logging.INFO,
    "aiohttp": logging.INFO,
    "asyncio": logging.INFO,
    "urllib3": logging.INFO,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "sqlalchemy": logging.WARNING,
    # slack_sdk's clients format their debug lines (whole requests and responses) on every call
    # unless their own logger's `level` attribute, not the inherited one, is above DEBUG (#18).
    "slack_sdk.web.async_base_client": logging.INFO,
    "slack_sdk.webhook.async_client": logging.INFO,
}


class Redactor(logging.Filter):
    """Replace secrets in every field of every record: message, `extra`, traceback, stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True))

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD or value is None or isinstance(value, bool | int | float):
                continue
            setattr(record, key, self.clean(value if isinstance(value, str) else str(value)))
        return True


class QuietParseErrors(logging.Filter):
    """aiohttp logs a request it cannot parse with a traceback quoting the offending bytes
    (a folded `Authorization:` header, say): keep one line with the error's type instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and _is_parse_error(error):
            record.msg = "refused a malformed HTTP request (400): %s"
            record.args = (type(error).__name__,)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = None
            record.exc_text = None
        return True


def _is_parse_error(error: BaseException) -> bool:
    # aiohttp's HttpProcessingError family, named rather than imported: logging stays free of
    # the web framework.
    return any(
        cls.__name__ == "HttpProcessingError" and cls.__module__.startswith("aiohttp")
        for cls in type(error).__mro__
    )


QUIET_PARSE_ERRORS = QuietParseErrors()


def quiet_parse_errors() -> None:
    """Install `QuietParseErrors` on aiohttp's server logger (idempotent)."""
    server = logging.getLogger("aiohttp.server")
    if QUIET_PARSE_ERRORS not in server.filters:
        server.addFilter(QUIET_PARSE_ERRORS)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_text:
            entry["error"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def configure(
    secrets: Iterable[str],
    level: int = logging.INFO,
    json_lines: bool = True,
    stream: IO[str] | None = None,
) -> None:
    """Route every log record through the redactor to standard error (or `stream`)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in CHATTY.items():
        logging.getLogger(name).setLevel(max(level, floor))
    quiet_parse_errors()
