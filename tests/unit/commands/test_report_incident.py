"""`report-incident [SUMMARY] [--account ID] [...]` (INC-1)."""

from __future__ import annotations

from bot.messages import Audience, Fact, Form, FormKind, Message, NoticeKind, Outcome, Refusal
from bot.store.interface.outbox import TargetKind
from tests.builders import submit
from tests.readback import count_rows, queued_notices

from .conftest import Person

ANSWERS = (
    '--affected "calls drop after 10 seconds" --services "inbound voice" '
    '--noticed "09:40 today" --all-users yes'
)


async def test_inc_1_without_the_four_answers_the_form_is_shown_and_nothing_is_written(chat, store):
    before = await count_rows(store)
    reply = await chat("gina@globex.example").say("report-incident")
    assert reply.outcome is Outcome.OK
    assert isinstance(reply.body, Form) and reply.body.kind is FormKind.REPORT_INCIDENT
    assert await count_rows(store) == before


async def test_inc_1_the_form_is_pre_filled_with_what_was_given(chat, store):
    before = await count_rows(store)
    reply = await chat("gina@globex.example").say(
        'report-incident Voice is failing --services "inbound voice"'
    )
    assert isinstance(reply.body, Form)
    values = {f.name: f.value for f in reply.body.fields}
    assert values["summary"] == "Voice is failing"
    assert values["services"] == "inbound voice"
    assert values["affected"] is None and not reply.body.errors
    assert await count_rows(store) == before


async def test_inc_1_a_complete_report_alerts_the_queue_at_once_and_shows_the_phone_number(
    chat, store, clock
):
    gina: Person = chat("gina@globex.example")
    reply = await gina.say(f"report-incident Voice is failing {ANSWERS}")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, Message)
    assert "+44 20 5555 0100" in reply.body.text  # the EMEA line
    assert "declared by phone" in reply.body.text
    posts = [(m, n) for m, n in await queued_notices(store, clock.now)]
    reported = [(m, n) for m, n in posts if n.kind is NoticeKind.INCIDENT_REPORTED]
    # Routed like a Critical case: the catch-all queue and the EMEA critical/high queue.
    assert sorted(m.target for m, _ in reported) == ["CQUEUE", "CQUEUE-EMEA-HIGH"]
    assert all(m.target_kind is TargetKind.CHANNEL for m, _ in reported)
    notice = reported[0][1]
    assert "Voice is failing" in notice.title
    assert set(notice.facts) >= {
        Fact("How service is affected", "calls drop after 10 seconds"),
        Fact("Which services", "inbound voice"),
        Fact("First noticed", "09:40 today"),
        Fact("All users affected", "yes"),
    }
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries()
    assert audit[-1].action == "incident.report"
    assert audit[-1].detail["account"] == "globex"


async def test_inc_1_the_reply_is_shown_in_the_accounts_own_channel(chat, store):
    reply = await chat("alice@acme.example").say(
        f"report-incident Phones down {ANSWERS}", channel="CACME"
    )
    assert reply.audience is Audience.CHANNEL


async def test_inc_1_all_users_must_be_yes_or_no(chat, store):
    before = await count_rows(store)
    reply = await chat("gina@globex.example").say(
        'report-incident Voice --affected "drops" --services voice --noticed now --all-users maybe'
    )
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Form) and set(reply.body.errors) == {"all-users"}
    assert await count_rows(store) == before


async def test_inc_1_a_submitted_form_with_a_missing_answer_comes_back_with_errors(chat, store):
    gina: Person = chat("gina@globex.example")
    before = await count_rows(store)
    reply = await submit(
        gina, "report-incident", summary="Voice down", affected="drops", services="voice"
    )
    assert reply.outcome is Outcome.INVALID
    assert isinstance(reply.body, Form) and set(reply.body.errors) == {"noticed", "all-users"}
    assert await count_rows(store) == before
    done = await submit(
        gina,
        "report-incident",
        summary="Voice down",
        affected="drops",
        services="voice",
        noticed="now",
        all_users="no",
    )
    assert done.outcome is Outcome.OK, done


async def test_acc_2_a_read_only_contact_cannot_report_an_incident(chat, store):
    before = await count_rows(store)
    reply = await chat("rita@acme.example").say(f"report-incident Down {ANSWERS}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-2"
    assert await count_rows(store) == before


async def test_acc_3_an_expired_contract_cannot_report_an_incident(chat, store):
    reply = await chat("uma@umbrella.example").say(f"report-incident Down {ANSWERS}")
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-3"
