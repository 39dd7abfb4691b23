"""R8: no secret or token is ever logged."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import CHATTY, JsonFormatter, Redactor, configure


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


def test_r8_extra_fields_and_stacks_pass_the_same_redactor():
    logger, out = capture(("app-password-77",))
    logger.warning(
        "delivery failed",
        extra={
            "headers": {"Authorization": "Bearer abc.def.ghi"},
            "url": "https://hooks.slack.com/commands/T1/123/secretpart",
            "secret": "app-password-77",
            "attempts": 3,
        },
        stack_info=True,
    )
    entry = json.loads(out.getvalue())
    text = out.getvalue()
    for leaked in ("abc.def.ghi", "secretpart", "app-password-77"):
        assert leaked not in text
    assert entry["attempts"] == 3
    assert entry["secret"] == "[redacted]"
    assert "stack" in entry


@pytest.mark.parametrize(
    "leak",
    [
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",  # a bare JWT
        "token=legacy-verification-1234&team_id=T1",  # Slack's legacy token as a form field
        '{"token": "legacy-verification-1234", "team_id": "T1"}',
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "Authorization: Basic dXNlcjpwYXNz",
        "xoxe-1-refresh-token",
    ],
)
def test_r8_token_shapes_are_redacted_wherever_they_appear(leak: str) -> None:
    logger, out = capture(())
    logger.info("request %s", leak)
    assert "[redacted]" in out.getvalue()
    for part in ("eyJzdWIiOiIxIn0", "legacy-verification-1234", "a2114d57b48e", "dXNlcjpwYXNz"):
        assert part not in out.getvalue()
    assert "refresh-token" not in out.getvalue()


def test_r8_verbose_logging_keeps_the_platform_sdks_payload_dumps_off() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in CHATTY})
    try:
        configure(("s3cr3t",), logging.DEBUG, stream=io.StringIO())
        assert root.level == logging.DEBUG
        assert logging.getLogger("bot").getEffectiveLevel() == logging.DEBUG
        for name in ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.INFO
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
