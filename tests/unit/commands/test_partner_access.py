"""ACC-4 through the router: partner accounts, end-user contacts, and who can act for them."""

from __future__ import annotations

from bot.messages import Refusal
from tests.readback import count_rows

from .conftest import Person

OPEN = 'open medium "Reports export fails" --account hooli --description "Exports fail daily"'
IAN = "Ian Init <ian@initech.example>"


async def test_acc_4_an_approved_end_user_is_told_to_ask_the_partners_designated_contacts(
    chat, store
):
    hank: Person = chat("hank@hooli.example")
    before = await count_rows(store, ("hooli",))
    reply = await hank.say(OPEN)
    assert isinstance(reply.body, Refusal), reply
    assert reply.body.rule == "ACC-2"  # her read-only grant is what she holds
    assert "end-user contacts can view its cases but not change them" in reply.body.reason
    assert reply.body.instead == (
        f"Ask the partner's designated contacts ({IAN}) to `open` for you."
    )
    # Not the dead end of ACC-2: no designated contact of the end user's company can exist.
    assert "of your company" not in reply.body.instead
    assert await count_rows(store, ("hooli",)) == before


async def test_acc_4_an_unapproved_end_user_is_told_whom_to_ask_for_approval(chat, store):
    nora: Person = chat("nora@hooli.example")
    before = await count_rows(store, ("hooli",))
    reply = await nora.say("list --account hooli")
    assert isinstance(reply.body, Refusal), reply
    assert reply.body.rule == "ACC-4"
    assert "approval of your access is not recorded" in reply.body.reason
    assert reply.body.instead == (
        f"Ask the partner's designated contacts ({IAN}) to approve your read-only access."
    )
    assert await count_rows(store, ("hooli",)) == before


async def test_acc_2_a_read_only_contact_is_pointed_at_the_accounts_designated_contacts(
    chat, store
):
    rita: Person = chat("rita@acme.example")
    reply = await rita.say('open medium "Exports fail" --description "Exports fail daily"')
    assert isinstance(reply.body, Refusal), reply
    assert reply.body.rule == "ACC-2"
    assert "Alice Able <alice@acme.example>" in (reply.body.instead or "")
    assert "Dave Dee <dave@acme.example>" in (reply.body.instead or "")


async def test_acc_4_the_open_form_asked_for_by_an_end_user_names_who_can_open_instead(chat):
    reply = await chat("hank@hooli.example").say("open")
    assert isinstance(reply.body, Refusal), reply
    assert reply.body.instead == (
        f"Ask the partner's designated contacts ({IAN}) to `open` for you."
    )
