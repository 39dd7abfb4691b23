"""R1: every unsigned, forged, stale or malformed Slack request gets 401 before interpretation.

Each shape goes over HTTP to the real aiohttp app; afterwards no table of the database has a new
row, nothing reached the Slack stand-in, and the log holds exactly one short refusal line that
repeats none of the request (R8).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from multidict import CIMultiDict

from tests.adapters.slack_fixtures import SIGNING_SECRET, SlackHarness

pytestmark = pytest.mark.security

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Customer text the log test (tests/test_log_secrets.py) also looks for in the whole log.
CUSTOMER_TEXT = "payroll export corrupts ledger 7731 for Quillfeather"
LEGACY_TOKEN = "legacy-verification-token-5521"
TS = "X-Slack-Request-Timestamp"
SIG = "X-Slack-Signature"
LOG_NEEDLES = (CUSTOMER_TEXT, LEGACY_TOKEN, "trig-forged")  # never logged: tests/test_log_secrets


def sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET, version: str = "v0") -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return f"{version}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slash_body(text: str = f"open critical {CUSTOMER_TEXT}") -> bytes:
    fields = {
        "token": LEGACY_TOKEN,
        "team_id": "T1",
        "channel_id": "CACME",
        "user_id": "UALICE",
        "command": "/case",
        "text": text,
        "trigger_id": "trig-forged",
        "response_url": "http://127.0.0.1:9/never",
    }
    return urlencode(fields).encode()


Shape = Callable[[int], tuple[list[tuple[str, str]], bytes]]


def headers(ts: str | None, sig: str | None, ctype: str | None = FORM) -> list[tuple[str, str]]:
    sent = [] if ctype is None else [("Content-Type", ctype)]
    if ts is not None:
        sent.append((TS, ts))
    if sig is not None:
        sent.append((SIG, sig))
    return sent


def signed_with(ts_of: Callable[[int], str], body: bytes = b"") -> Shape:
    """A body correctly signed, but with the timestamp `ts_of(now)`."""
    payload = body or slash_body()

    def shape(now: int) -> tuple[list[tuple[str, str]], bytes]:
        ts = ts_of(now)
        return headers(ts, sign(payload, ts)), payload

    return shape


def unsigned(body: bytes, ctype: str | None = FORM, sig: str = "v0=" + "0" * 64) -> Shape:
    return lambda now: (headers(str(now), sig, ctype), body)


def _tampered(change: Callable[[bytes], bytes]) -> Shape:
    def shape(now: int) -> tuple[list[tuple[str, str]], bytes]:
        body = slash_body()
        return headers(str(now), sign(body, str(now))), change(body)

    return shape


def _duplicate(name: str) -> Shape:
    def shape(now: int) -> tuple[list[tuple[str, str]], bytes]:
        body = slash_body()
        sent = headers(str(now), sign(body, str(now)))
        sent.append(next((k, v) for k, v in sent if k == name))
        return sent, body

    return shape


def _with_signature(make: Callable[[bytes, str], str]) -> Shape:
    def shape(now: int) -> tuple[list[tuple[str, str]], bytes]:
        body = slash_body()
        return headers(str(now), make(body, str(now))), body

    return shape


HUGE = slash_body() + b"&pad=" + b"x" * (2 * 1024**2)

SHAPES: dict[str, Shape] = {
    "no-headers": lambda now: (headers(None, None), slash_body()),
    "timestamp-only": lambda now: (headers(str(now), None), slash_body()),
    "signature-only": lambda now: (headers(None, sign(slash_body(), str(now))), slash_body()),
    "timestamp-abc": signed_with(lambda now: "abc"),
    "timestamp-empty": signed_with(lambda now: ""),
    "timestamp-plus-sign": signed_with(lambda now: f"+{now}"),
    "timestamp-negative": signed_with(lambda now: "-1"),
    "timestamp-exponent": signed_with(lambda now: "1e9"),
    "timestamp-fraction": signed_with(lambda now: f"{now}.5"),
    "timestamp-hex": signed_with(lambda now: hex(now)),
    "timestamp-overflowing": signed_with(lambda now: "9" * 40),
    "timestamp-unicode-digits": signed_with(lambda now: "١٢٣"),
    "timestamp-stale-301s": signed_with(lambda now: str(now - 301)),
    "timestamp-future-301s": signed_with(lambda now: str(now + 301)),
    "timestamp-zero": signed_with(lambda now: "0"),
    "timestamp-duplicated": _duplicate(TS),
    "signature-duplicated": _duplicate(SIG),
    "signature-wrong-version": _with_signature(lambda b, ts: sign(b, ts, version="v1")),
    "signature-without-version": _with_signature(lambda b, ts: sign(b, ts)[3:]),
    "signature-non-hex": _with_signature(lambda b, ts: "v0=" + "z" * 64),
    "signature-uppercase-hex": _with_signature(lambda b, ts: "v0=" + sign(b, ts)[3:].upper()),
    "signature-truncated": _with_signature(lambda b, ts: sign(b, ts)[:-1]),
    "signature-too-long": _with_signature(lambda b, ts: sign(b, ts) + "0"),
    "signature-empty": _with_signature(lambda b, ts: ""),
    "signature-other-secret": _with_signature(lambda b, ts: sign(b, ts, secret="guessed")),
    "signature-over-other-timestamp": _with_signature(lambda b, ts: sign(b, str(int(ts) - 1))),
    "signature-all-zero": unsigned(slash_body()),
    "body-truncated-after-signing": _tampered(lambda b: b[: len(b) // 2]),
    "body-extended-after-signing": _tampered(lambda b: b + b"&text=close"),
    "body-emptied-after-signing": _tampered(lambda b: b""),
    "json-brace-unsigned": unsigned(b"{", JSON),
    "json-list-unsigned": unsigned(b"[1, 2", JSON),
    "payload-bad-json-unsigned": unsigned(b"payload=%7Bx", FORM),
    "form-bad-encoding-unsigned": unsigned(b"%%%&&==%zz", FORM),
    "body-not-utf8-unsigned": unsigned(b"text=\xff\xfe\xfd", FORM),
    "body-huge-unsigned": unsigned(HUGE, FORM),
    "body-huge-signed": signed_with(lambda now: str(now), HUGE),
    "content-type-text-plain": unsigned(slash_body(), "text/plain"),
    "content-type-missing": unsigned(slash_body(), None),
    "content-type-multipart": unsigned(b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x"),
}


def table_rows(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def assert_one_short_refusal(records: list[logging.LogRecord], reason_part: str = "") -> None:
    # The test server's access log is not the product's: `serve` runs without one. The directory
    # snapshot's background reload logs its own line, unrelated to the request.
    unrelated = {"aiohttp.access", "bot.store.sql.directory_cache"}
    lines = [r for r in records if r.levelno >= logging.INFO and r.name not in unrelated]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    line = lines[0]
    assert line.levelno == logging.WARNING and line.exc_info is None
    message = line.getMessage()
    assert message.startswith("refused a Slack request (401): ") and reason_part in message
    assert len(message) < 120
    for leaked in (CUSTOMER_TEXT, LEGACY_TOKEN, "trig-forged", SIGNING_SECRET):
        assert all(leaked not in r.getMessage() for r in records)


@pytest.mark.parametrize("name", list(SHAPES))
async def test_r1_a_malformed_or_forged_slack_request_gets_401_and_changes_nothing(
    slack: SlackHarness, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    before = table_rows(tmp_path / "slack.db")
    sent, body = SHAPES[name](int(time.time()))
    caplog.set_level(logging.DEBUG)
    # A file-like body: aiohttp's client warns about large `bytes` payloads.
    data = io.BytesIO(body)
    response = await slack.client.post("/slack/events", data=data, headers=CIMultiDict(sent))
    await slack.adapter.drain()
    assert response.status == 401
    assert await response.json() == {"ok": False, "error": "invalid_request"}
    assert table_rows(tmp_path / "slack.db") == before
    assert slack.api.calls == []
    assert_one_short_refusal(caplog.records)


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        pytest.param(b"{", JSON, id="json-brace"),
        pytest.param(b"[1, 2]", JSON, id="json-list"),
        pytest.param(b"payload=%7Bx", FORM, id="payload-bad-json"),
        pytest.param(b"payload=%5B%5D", FORM, id="payload-list"),
        pytest.param(b"text=\xff\xfe", FORM, id="not-utf8"),
    ],
)
async def test_r1_a_signed_body_slack_never_sends_gets_400_without_a_traceback(
    slack: SlackHarness,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    ctype: str,
) -> None:
    before = table_rows(tmp_path / "slack.db")
    now = str(int(time.time()))
    caplog.set_level(logging.DEBUG)
    sent = CIMultiDict(headers(now, sign(body, now), ctype))
    response = await slack.client.post("/slack/events", data=body, headers=sent)
    assert response.status == 400
    assert table_rows(tmp_path / "slack.db") == before
    assert slack.api.calls == []
    warnings = [
        r for r in caplog.records if r.levelno >= logging.INFO and r.name != "aiohttp.access"
    ]
    assert [r.getMessage() for r in warnings] == [
        "refused a signed Slack request (400): not a Slack payload"
    ]


async def _raw_exchange(slack: SlackHarness, head: bytes, body_part: bytes) -> tuple[bytes, Any]:
    """Sends a request by hand: the head, part of the body, then waits for the answer."""
    server = slack.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(head + body_part)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return status_line, None


async def test_r10_a_slack_body_that_never_finishes_is_refused_after_the_read_limit(
    slack_slow_reads: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack = slack_slow_reads
    now = str(int(time.time()))
    body = slash_body()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {len(body)}\r\n{TS}: {now}\r\n{SIG}: {sign(body, now)}\r\n\r\n"
    ).encode()
    caplog.set_level(logging.DEBUG)
    status_line, _ = await _raw_exchange(slack, head, body[:10])
    assert status_line.startswith(b"HTTP/1.1 401")
    assert await slack.count_cases() == 0
    assert slack.api.calls == []
    assert_one_short_refusal(caplog.records, "body not received within")
