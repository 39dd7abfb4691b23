"""INC-2 on Slack: the adapter turns `<#C123|name>` into a neutral channel reference (#16).

Commands never read Slack's mention syntax: the adapter writes "#name" in the text and hands the
command the id beside it (`ChatRequest.channel_refs`), the id being what the directory binds.
"""

from __future__ import annotations

from bot.adapters.slack.payload import channel_references
from bot.messages import Command
from tests.adapters.slack_fixtures import SlackHarness


def test_a_slack_channel_mention_reads_as_its_name_with_the_id_beside_it() -> None:
    command, refs = channel_references(
        Command.unparsed("incident declare sev1 Down --bridge <#CBRIDGE|bridge>,<#C0OTHER>")
    )
    assert command.raw == "incident declare sev1 Down --bridge #bridge,#C0OTHER"
    assert refs == {"#bridge": "CBRIDGE", "#C0OTHER": "C0OTHER"}


def test_two_channels_sharing_a_name_keep_apart_by_id() -> None:
    command, refs = channel_references(Command.unparsed("see <#C1|ops> and <#C2|ops>"))
    assert command.raw == "see #ops and #C2"
    assert refs == {"#ops": "C1", "#C2": "C2"}


def test_text_without_a_mention_and_a_parsed_form_are_left_as_they_are() -> None:
    plain = Command.unparsed("update 1001 see #general")
    form = Command("update", args=("1001",), options={"text": "<#C1|ops>"}, raw="update (form)")
    assert channel_references(plain) == (plain, {})
    assert channel_references(form) == (form, {})


async def test_inc_2_a_bridge_named_by_a_slack_channel_mention_is_the_bound_bridge(
    slack: SlackHarness,
) -> None:
    response = await slack.slash(
        "incident declare sev1 Routing down --accounts acme --bridge <#CBRIDGE|bridge>",
        user="UIVAN",
        team="T0",
        channel="CBRIDGE",
    )
    assert response.status == 200
    async with slack.store.unit_of_work(read_only=True) as uow:
        incidents = await uow.incidents.open_incidents()
    assert [[b.channel_id for b in i.bridges] for i in incidents] == [["CBRIDGE"]]
    assert incidents[0].commander == "ivan@vendor.example"
