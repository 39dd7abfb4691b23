"""Settings from the environment: CONV-6 staff homes and the internal metrics listener (R10)."""

from __future__ import annotations

import pytest

from bot.settings import Settings


def test_r10_staff_workspaces_and_tenants_are_comma_separated_ids_and_default_to_none() -> None:
    assert Settings.from_env({}).slack_staff_workspaces == frozenset()
    assert Settings.from_env({}).teams_staff_tenants == frozenset()
    settings = Settings.from_env(
        {
            "SUPPORTBOT_SLACK_STAFF_WORKSPACES": " T0VENDOR, E0VENDOR ,",
            "SUPPORTBOT_TEAMS_STAFF_TENANTS": "6F1C3B2A-0000-4000-8000-000000000001",
        }
    )
    assert settings.slack_staff_workspaces == {"T0VENDOR", "E0VENDOR"}
    assert settings.teams_staff_tenants == {"6f1c3b2a-0000-4000-8000-000000000001"}


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("SUPPORTBOT_SLACK_STAFF_WORKSPACES", "T0;T1", "comma-separated ids"),
        ("SUPPORTBOT_TEAMS_STAFF_TENANTS", "a tenant", "comma-separated ids"),
        ("SUPPORTBOT_METRICS_PORT", "0", "TCP port number"),
        ("SUPPORTBOT_METRICS_PORT", "nine", "TCP port number"),
    ],
)
def test_a_malformed_setting_is_refused_naming_it(name: str, value: str, why: str) -> None:
    with pytest.raises(ValueError, match=name) as refused:
        Settings.from_env({name: value})
    assert why in str(refused.value)


def test_r10_metrics_can_move_to_their_own_port() -> None:
    assert Settings.from_env({}).metrics_port is None
    assert Settings.from_env({"SUPPORTBOT_METRICS_PORT": "9102"}).metrics_port == 9102


def test_conv_4_and_conv_5_settings_default_and_read_from_the_environment() -> None:
    default = Settings.from_env({})
    assert default.capture_emoji == "ticket"
    assert str(default.attachments_dir) == "attachments"
    assert default.attachment_max_bytes == 25 * 1024 * 1024
    given = Settings.from_env(
        {
            "SUPPORTBOT_CAPTURE_EMOJI": ":Admission_Tickets:",
            "SUPPORTBOT_ATTACHMENTS_DIR": "/var/lib/supportbot/files",
            "SUPPORTBOT_ATTACHMENT_MAX_BYTES": "1048576",
        }
    )
    assert given.capture_emoji == "admission_tickets"
    assert str(given.attachments_dir) == "/var/lib/supportbot/files"
    assert given.attachment_max_bytes == 1048576


@pytest.mark.parametrize(
    ("name", "value"),
    [("SUPPORTBOT_CAPTURE_EMOJI", "ticket please"), ("SUPPORTBOT_ATTACHMENT_MAX_BYTES", "25MB")],
)
def test_conv_settings_refuse_malformed_values_naming_them(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})
