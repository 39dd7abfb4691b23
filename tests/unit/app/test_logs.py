"""R8: no secret or token is ever logged."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import JsonFormatter, Redactor


def capture(secrets: tuple[str, ...]) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"test-r8-{id(out)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, out


def test_r8_configured_secrets_and_token_shapes_are_redacted_from_messages_and_tracebacks():
    logger, out = capture(("s3cr3t-signing",))
    logger.info("posting with %s and token xoxb-1234-abcd", "s3cr3t-signing")
    try:
        raise RuntimeError("Authorization: Bearer eyJhbGciOi.payload.sig failed")
    except RuntimeError:
        logger.exception("call failed")
    text = out.getvalue()
    assert "s3cr3t-signing" not in text
    assert "xoxb-1234-abcd" not in text
    assert "eyJhbGciOi" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["message"] == "posting with [redacted] and token [redacted]"
    assert "[redacted]" in lines[1]["error"]


def test_logs_are_one_json_object_per_line_with_extra_fields():
    logger, out = capture(())
    logger.warning("delivered", extra={"platform": "slack", "attempts": 2})
    entry = json.loads(out.getvalue())
    assert entry["level"] == "warning"
    assert entry["platform"] == "slack"
    assert entry["attempts"] == 2
