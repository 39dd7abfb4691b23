"""A pytest plugin for the R8 log test: every log record of the run goes through the product's
own logging set-up (`bot.logs.configure`, as `supportbot serve -v` has it) into one file.

Loaded only by `tests/test_log_secrets.py`, with `-p tests.log_capture`; the file is named by
the environment variable `SUPPORTBOT_TEST_LOG_FILE`. The redactor gets no literal secrets
here, only its token shapes, so a signing secret or app password reaching a log line would
show in the file: the run proves the code never logs them, not merely that they are masked.
"""

from __future__ import annotations

import logging
import os
from typing import IO

import pytest

from bot import logs

_opened: list[IO[str]] = []


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get("SUPPORTBOT_TEST_LOG_FILE")
    if not path:
        return
    stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in pytest_unconfigure
    _opened.append(stream)
    logs.configure((), logging.DEBUG, json_lines=True, stream=stream)


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().handlers[:] = []
    while _opened:
        _opened.pop().close()
