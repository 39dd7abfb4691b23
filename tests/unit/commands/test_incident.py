"""`incident declare|status|restore|all-clear|rca` (INC-2..INC-5, ACC-8)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.messages import Message, NoticeKind, Outcome, Refusal
from bot.model import EventKind, Status, SubStatus
from bot.store.interface import Store
from bot.store.interface.incidents import Incident
from tests.builders import open_case_number
from tests.readback import footprint, get_case, posts, timer

IVAN = "ivan@vendor.example"  # the incident commander of directory.yaml
DECLARE = (
    'incident declare sev1 "Inbound calls fail for all agents" --accounts acme,globex '
    "--bridge CBRIDGE --services 'voice, routing'"
)
ACME_CHANNELS = {"CACME", "19:acme@thread.tacv2"}


async def incident_of(store: Store, incident_id: int) -> Incident:
    async with store.unit_of_work() as uow:
        found = await uow.incidents.get(incident_id)
    if found is None:
        raise LookupError(f"no incident {incident_id}")
    return found


async def declare(chat, text: str = DECLARE) -> int:  # type: ignore[no-untyped-def]
    reply = await chat(IVAN).say(text)
    assert reply.outcome is Outcome.OK, reply
    async with chat(IVAN).router.store.unit_of_work() as uow:
        open_ones = await uow.incidents.open_incidents()
    return open_ones[-1].id


async def test_inc_2_declaring_posts_the_card_to_every_bridge_and_account_channel(
    chat, store, clock
):
    reply = await chat(IVAN).say(DECLARE)
    assert reply.outcome is Outcome.OK
    assert isinstance(reply.body, Message) and "Incident 1 declared" in reply.body.text
    incident = await incident_of(store, 1)
    assert (incident.severity, incident.commander) == ("sev1", IVAN)
    assert incident.account_ids == ("acme", "globex")
    assert incident.services == "voice, routing"
    assert [b.channel_id for b in incident.bridges] == ["CBRIDGE"]
    cards = [
        p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.INCIDENT_DECLARED
    ]
    assert {p.target for p in cards} == {"CBRIDGE", "CGLOBEX"} | ACME_CHANNELS
    assert all(p.notice.incident_id == 1 for p in cards)
    first = await timer(store, "incident_post", 1)
    assert first is not None
    assert first.due_at == clock.now + timedelta(minutes=30)  # INC-3: first slot
    assert first.payload == {"statuses_seen": 0}
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries()
    assert [e.action for e in audit] == ["incident.declare"]


async def test_inc_2_a_bridge_by_id_and_a_linked_case_are_accepted(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    reply = await chat(IVAN).say(
        f"incident declare 1 Routing down --accounts acme --bridge 'CBRIDGE' --case #{number}"
    )
    assert reply.outcome is Outcome.OK, reply
    incident = await incident_of(store, 1)
    assert (incident.severity, incident.case_number) == ("sev1", number)


async def test_inc_2_slack_mention_syntax_is_not_read_by_the_command(chat, store):
    """The Slack adapter converts `<#C|name>` (tests/adapters/test_slack_channel_mentions.py)."""
    reply = await chat(IVAN).say(
        "incident declare 1 Routing down --accounts acme --bridge '<#CBRIDGE|bridge>'"
    )
    assert reply.outcome is Outcome.INVALID
    async with store.unit_of_work() as uow:
        assert await uow.incidents.open_incidents() == []


async def test_acc_8_an_analyst_may_not_declare_an_incident_and_nothing_is_written(chat, store):
    number = await open_case_number(chat("alice@acme.example"))
    before = await footprint(store, number)
    reply = await chat("ana@vendor.example").say(DECLARE)
    assert reply.outcome is Outcome.REFUSED
    assert isinstance(reply.body, Refusal) and reply.body.rule == "ACC-8"
    assert "incident commanders" in reply.body.reason
    assert await footprint(store, number) == before


async def test_acc_8_for_customers_incident_and_notify_look_like_unknown_verbs(chat):
    alice = chat("alice@acme.example")
    for text in (DECLARE, "incident status 1 all good", "notify advisory --accounts all hi"):
        reply = await alice.say(text)
        assert reply.outcome is Outcome.INVALID
        assert isinstance(reply.body, Message)
        assert reply.body.text.startswith("Unknown command")


async def test_inc_2_bad_severity_unknown_account_non_bridge_and_missing_case_are_refused(
    chat, store
):
    ivan = chat(IVAN)
    cases = {
        "incident declare sev9 Down --accounts acme --bridge CBRIDGE": "severity",
        "incident declare sev1 Down --accounts acme,nope --bridge CBRIDGE": "nope",
        "incident declare sev1 Down --accounts acme --bridge CACME": "Not a bridge",
        "incident declare sev1 Down --accounts acme --bridge CBRIDGE --case 9999": "9999",
        "incident declare sev1 Down --bridge CBRIDGE": "accounts",
        "incident declare sev1 --accounts acme --bridge CBRIDGE": "summary",
    }
    for text, expected in cases.items():
        reply = await ivan.say(text)
        assert reply.outcome is Outcome.INVALID, text
        assert isinstance(reply.body, Message) and expected in reply.body.text, reply.body
    async with store.unit_of_work() as uow:
        assert await uow.incidents.open_incidents() == []
        assert (await uow.outbox.backlog()).pending == 0


async def test_inc_3_status_is_recorded_with_its_next_steps(chat, store, clock):
    incident_id = await declare(chat)
    clock.advance(minutes=10)
    reply = await chat(IVAN).say(
        f"incident status {incident_id} Carrier failover started --next 'verify routing'"
    )
    assert reply.outcome is Outcome.OK
    assert isinstance(reply.body, Message) and "15:30 UTC" in reply.body.text
    statuses = (await incident_of(store, incident_id)).statuses
    assert [(s.text, s.next_steps, s.by) for s in statuses] == [
        ("Carrier failover started", "verify routing", IVAN)
    ]


async def test_inc_4_restoration_is_announced_everywhere_and_arms_the_rca_reminder(
    chat, store, clock
):
    incident_id = await declare(chat)
    restored_at = clock.advance(hours=2)
    reply = await chat(IVAN).say(f"incident restore {incident_id} --agents 40 Calls flow again")
    assert reply.outcome is Outcome.OK, reply
    incident = await incident_of(store, incident_id)
    assert incident.restored_at == restored_at
    assert (incident.agents_affected, incident.restoration_text) == (40, "Calls flow again")
    restored = [p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.RESTORATION]
    assert {p.target for p in restored} == {"CBRIDGE", "CGLOBEX"} | ACME_CHANNELS
    reminder = await timer(store, "rca_reminder", incident_id)
    assert reminder is not None
    due = reminder.payload["rca_due"]
    assert isinstance(due, str)
    # INC-5: the queue is reminded before the RCA is due, which is days after restoration.
    assert restored_at < reminder.due_at < datetime.fromisoformat(due)
    again = await chat(IVAN).say(f"incident restore {incident_id}")
    assert isinstance(again.body, Refusal) and again.body.rule == "INC-4"


async def test_inc_4_restore_takes_only_a_whole_number_of_agents(chat, store):
    incident_id = await declare(chat)
    reply = await chat(IVAN).say(f"incident restore {incident_id} --agents many")
    assert reply.outcome is Outcome.INVALID
    assert (await incident_of(store, incident_id)).restored_at is None


async def test_inc_4_the_all_clear_comes_after_restoration_and_ends_the_status_posts(
    chat, store, clock
):
    incident_id = await declare(chat)
    early = await chat(IVAN).say(f"incident all-clear {incident_id} Log agents back in")
    assert isinstance(early.body, Refusal) and early.body.rule == "INC-4"
    await chat(IVAN).say(f"incident restore {incident_id} --agents 10")
    clock.advance(minutes=20)
    reply = await chat(IVAN).say(f"incident all-clear {incident_id} Log agents back in")
    assert reply.outcome is Outcome.OK
    incident = await incident_of(store, incident_id)
    assert (incident.all_clear_at, incident.all_clear_text) == (clock.now, "Log agents back in")
    assert not incident.is_open
    assert await timer(store, "incident_post", incident_id) is None
    clear = [p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.ALL_CLEAR]
    assert {p.target for p in clear} == {"CBRIDGE", "CGLOBEX"} | ACME_CHANNELS
    late = await chat(IVAN).say(f"incident status {incident_id} still fine")
    assert isinstance(late.body, Refusal) and late.body.rule == "INC-4"


async def test_inc_5_the_rca_moves_the_linked_case_to_solution_proposed(chat, store, clock):
    number = await open_case_number(chat("alice@acme.example"))
    incident_id = await declare(
        chat, f"incident declare sev2 Routing down --accounts acme --bridge CBRIDGE --case {number}"
    )
    early = await chat(IVAN).say(f"incident rca {incident_id} Carrier misconfiguration")
    assert isinstance(early.body, Refusal) and early.body.rule == "INC-5"
    await chat(IVAN).say(f"incident restore {incident_id} --agents 5")
    await chat(IVAN).say(f"incident all-clear {incident_id} Back to normal")
    delivered_at = clock.advance(days=3)
    reply = await chat(IVAN).say(f"incident rca {incident_id} Carrier misconfiguration; fixed")
    assert reply.outcome is Outcome.OK, reply
    case = await get_case(store, number)
    assert (case.status, case.sub_status) == (Status.SOLUTION_PROPOSED, SubStatus.REPLIED)
    assert [e.kind for e in case.events[-2:]] == [EventKind.STAFF_RESPONSE, EventKind.STATUS_CHANGE]
    assert "Carrier misconfiguration" in case.events[-2].body
    follow_up = await timer(store, "follow_up", number)
    assert follow_up is not None and follow_up.due_at > delivered_at  # FUP-1 starts
    assert await timer(store, "rca_reminder", incident_id) is None
    rca = [p for p in await posts(store, clock.now) if p.notice.kind is NoticeKind.RCA]
    assert {p.target for p in rca} == {"CBRIDGE"} | ACME_CHANNELS
    again = await chat(IVAN).say(f"incident rca {incident_id} again")
    assert isinstance(again.body, Refusal) and again.body.rule == "INC-5"


async def test_inc_3_an_unknown_incident_or_step_gets_a_usage_line(chat):
    ivan = chat(IVAN)
    for text in ("incident status 42 ok", "incident status abc ok", "incident pause 1"):
        reply = await ivan.say(text)
        assert reply.outcome is Outcome.INVALID, text
