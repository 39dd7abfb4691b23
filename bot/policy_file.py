"""Reading the policy file named by SUPPORTBOT_POLICY (the policy itself stays free of I/O)."""

from __future__ import annotations

from pathlib import Path

from bot.policy.config import PolicyConfig
from bot.policy.config_file import PolicyConfigError, parse_policy


def load_policy(path: str | Path) -> PolicyConfig:
    """Read the YAML policy file at `path` over the defaults of docs/policy.md."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyConfigError(f"{source}: cannot read the policy file: {exc.strerror}") from exc
    return parse_policy(text, source)
