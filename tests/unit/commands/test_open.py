"""`open` (CASE-2, CASE-4) and the pieces every handler shares: identity, ACC-9, R2."""

from __future__ import annotations

from bot.messages import Audience, CaseList, CaseView, Form, Message, Outcome, Refusal
from bot.model import Priority, Status, SubStatus
from bot.store.interface import Store

from .conftest import Person


async def count_rows(store: Store) -> tuple[int, int, int]:
    async with store.unit_of_work() as uow:
        cases = await uow.cases.for_account("acme", limit=None)
        audit = await uow.audit.entries()
        backlog = await uow.outbox.backlog()
    return len(cases), len(audit), backlog.pending


async def test_case_2_designated_contact_opens_a_case_with_the_account_implied(chat, store):
    alice: Person = chat("alice@acme.example")
    reply = await alice.say('open medium "Reports export fails with error 500 since the upgrade"')
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, CaseView)
    case = reply.body.case
    assert case.number == 1001 and case.ref == "0000001001"
    assert (case.account_id, case.priority) == ("acme", Priority.MEDIUM)
    assert (case.status, case.sub_status) == (Status.OPEN, SubStatus.NEW)
    assert reply.body.note is not None and "short" in reply.body.note  # CASE-2 nudge
    async with store.unit_of_work() as uow:
        stored = await uow.cases.get(1001)
        audit = await uow.audit.entries(1001)
        backlog = await uow.outbox.backlog()
        sla_timer = await uow.timers.get("sla", "1001")
    assert stored is not None and stored.summary.startswith("Reports export")
    assert [e.action for e in audit] == ["case.open"]
    assert backlog.pending == 1  # the new-case alert to the one matching queue (CQUEUE)
    assert sla_timer is not None


async def test_case_2_high_priority_needs_the_business_impact_and_writes_nothing(chat, store):
    before = await count_rows(store)
    reply = await chat("alice@acme.example").say("open high Telephony is down for the east region")
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "business impact" in reply.body.text
    assert await count_rows(store) == before


async def test_case_2_summary_over_1000_characters_is_refused_naming_the_limit(chat, store):
    reply = await chat("alice@acme.example").say("open low " + "x" * 1001)
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Message) and "1,000" in reply.body.text


async def test_case_4_critical_from_chat_opens_as_high_with_the_phone_number_and_a_queue_alert(
    chat, store
):
    reply = await chat("alice@acme.example").say(
        "open critical Call routing down --impact 'no inbound calls at all'"
    )
    assert isinstance(reply.body, CaseView)
    assert reply.body.case.priority is Priority.HIGH
    assert reply.body.note is not None and "+1 800 555 0100" in reply.body.note
    async with store.unit_of_work() as uow:
        backlog = await uow.outbox.backlog()
    assert backlog.pending == 2  # new case + critical raise expected


async def test_case_2_plain_open_shows_the_form(chat):
    reply = await chat("alice@acme.example").say("open")
    assert isinstance(reply.body, Form)
    assert "summary" in [f.name for f in reply.body.fields]


async def test_acc_2_read_only_contact_cannot_open(chat, store):
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say("open low Something small")
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before


async def test_acc_9_case_card_is_private_outside_the_accounts_channel(chat):
    alice: Person = chat("alice@acme.example")
    await alice.say("open low Small thing in the reports module please look")
    in_own = await alice.say("show 1001", channel="CACME")
    elsewhere = await alice.say("show 1001", channel="CGLOBEX")
    assert in_own.audience is Audience.CHANNEL
    assert elsewhere.audience is Audience.PRIVATE


async def test_acc_9_another_accounts_case_reads_exactly_like_a_missing_case(chat):
    await chat("alice@acme.example").say("open low Small thing in the reports module please")
    gina: Person = chat("gina@globex.example")
    hidden = await gina.say("show 1001")
    missing = await gina.say("show 1999")
    assert hidden.body == Message(
        "No case 0000001001 was found that you can see. Check the number, or `list` your cases."
    )
    assert isinstance(missing.body, Message)
    assert hidden.body.text.replace("1001", "1999") == missing.body.text
    assert hidden.outcome is missing.outcome


async def test_r2_the_same_request_delivered_three_times_opens_one_case(chat, store):
    alice: Person = chat("alice@acme.example")
    replies = [
        await alice.say("open low Duplicate check", request_id="slack:trig-1") for _ in range(3)
    ]
    assert [r.outcome for r in replies] == [Outcome.OK, Outcome.DUPLICATE, Outcome.DUPLICATE]
    async with store.unit_of_work() as uow:
        assert len(await uow.cases.for_account("acme", limit=None)) == 1


async def test_acc_8_staff_verbs_look_unknown_to_customers(chat):
    reply = await chat("alice@acme.example").say("set-status 1001 open")
    unknown = await chat("alice@acme.example").say("frobnicate 1001")
    assert reply.body == Message(
        "Unknown command `set-status`. Type `help` to see what you can do."
    )
    assert isinstance(unknown.body, Message)
    assert unknown.body.text == reply.body.text.replace("set-status", "frobnicate")


async def test_list_shows_25_cases_and_counts_them_all(chat):
    alice: Person = chat("alice@acme.example")
    for i in range(27):
        await alice.say(f"open low Small thing number {i} in the reports module")
    reply = await alice.say("list --account acme")
    assert isinstance(reply.body, CaseList)
    assert len(reply.body.cases) == 25
    assert reply.body.total == 27
