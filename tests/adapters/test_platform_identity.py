"""ACC-7: each platform names the sender of a payload by its verified ids, whatever its shape."""

from __future__ import annotations

from bot.adapters.slack import PLATFORM as SLACK
from bot.adapters.teams import PLATFORM as TEAMS
from bot.model import ChatIdentity, Platform


def test_acc_7_slack_names_the_sender_of_a_command_an_event_and_an_interaction() -> None:
    command = {"team_id": "T1", "user_id": "UALICE", "command": "/case"}
    event = {"team_id": "T1", "event": {"type": "message", "user": "UALICE", "team": "T2"}}
    # On Enterprise Grid the user's own workspace is user.team_id, not the envelope's team.
    click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U9", "team_id": "T3"}}
    assert SLACK.identity(command) == ChatIdentity(Platform.SLACK, "T1", "UALICE")
    assert SLACK.identity(event) == ChatIdentity(Platform.SLACK, "T2", "UALICE")
    assert SLACK.identity(click) == ChatIdentity(Platform.SLACK, "T3", "U9")


def test_acc_7_slack_names_nobody_for_a_payload_without_a_user() -> None:
    assert SLACK.identity({"team_id": "T1", "event": {"type": "team_join"}}) is None
    assert SLACK.identity({"type": "url_verification", "challenge": "x"}) is None


def test_acc_7_teams_names_the_aad_object_id_in_the_tenant_else_nobody() -> None:
    activity = {
        "type": "message",
        "from": {"id": "29:alice", "aadObjectId": "aad-alice"},
        "conversation": {"id": "a:1", "tenantId": "tenant-acme"},
        "channelData": {"tenant": {"id": "tenant-acme"}},
    }
    assert TEAMS.identity(activity) == ChatIdentity(Platform.TEAMS, "tenant-acme", "aad-alice")
    assert TEAMS.identity({**activity, "channelData": {}, "conversation": {"id": "a:1"}}) is None
    assert TEAMS.identity({"type": 7}) is None  # not an activity at all
