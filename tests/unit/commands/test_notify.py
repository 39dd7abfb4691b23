"""`notify maintenance|emergency|advisory` (NOT-1): the 7-14 day window, reference numbers and
times in each recipient account's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.casework.payload import decode
from bot.directory import load_directory
from bot.messages import Message, Notice, NoticeKind, Outcome, Refusal
from bot.store.interface import Store
from bot.store.interface.incidents import ServiceNotice
from tests.readback import FAR_FUTURE

IVAN = "ivan@vendor.example"


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


async def queued(store: Store, now: datetime) -> dict[str, tuple[Notice, str]]:
    """Pending posts by target: the notice and the time zone it will be shown in."""
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10_000, "test", 60, now + FAR_FUTURE)
    found: dict[str, tuple[Notice, str]] = {}
    for message in claimed:
        reply = decode(message.payload)
        if isinstance(reply.body, Notice):
            found[message.target] = (reply.body, reply.time_zone)
    return found


async def notice_by_ref(store: Store, reference: int) -> ServiceNotice | None:
    async with store.unit_of_work() as uow:
        return await uow.notices.get(reference)


async def test_not_1_planned_maintenance_shows_its_times_in_each_accounts_zone(
    chat, store, config, clock
):
    start = clock.now + timedelta(days=10)
    reply = await chat(IVAN).say(
        f"notify maintenance --accounts acme,globex --start {iso(start)} "
        f"--end {iso(start + timedelta(hours=2))} --impact 'reporting unavailable' "
        "Upgrade of the reporting cluster"
    )
    assert reply.outcome is Outcome.OK, reply
    stored = await notice_by_ref(store, 1)
    assert stored is not None
    assert (stored.kind, stored.account_ids, stored.starts_at) == (
        "maintenance",
        ("acme", "globex"),
        start,
    )
    assert stored.impact == "reporting unavailable"
    posts = await queued(store, clock.now)
    assert set(posts) == {"CACME", "19:acme@thread.tacv2", "CGLOBEX"}
    na = config.region("NA").time_zone
    emea = config.region("EMEA").time_zone
    assert na != emea
    assert {target: zone for target, (_, zone) in posts.items()} == {
        "CACME": na,
        "19:acme@thread.tacv2": na,
        "CGLOBEX": emea,
    }
    notice, _ = posts["CGLOBEX"]
    assert notice.kind is NoticeKind.MAINTENANCE and "reference 1" in notice.title
    assert notice.times == (("Starts", start), ("Ends", start + timedelta(hours=2)))


async def test_not_1_planned_maintenance_window_is_7_to_14_days_inclusive(chat, store, clock):
    ivan = chat(IVAN)
    minute = timedelta(minutes=1)
    expected = {
        timedelta(days=7) - minute: Outcome.REFUSED,
        timedelta(days=7): Outcome.OK,
        timedelta(days=14): Outcome.OK,
        timedelta(days=14) + minute: Outcome.REFUSED,
        -timedelta(days=1): Outcome.REFUSED,
    }
    for ahead, outcome in expected.items():
        start = clock.now + ahead
        reply = await ivan.say(
            f"notify maintenance --accounts acme --start {iso(start)} "
            f"--end {iso(start + timedelta(hours=1))} Patch"
        )
        assert reply.outcome is outcome, ahead
        if outcome is Outcome.REFUSED:
            assert isinstance(reply.body, Refusal) and reply.body.rule == "NOT-1"
    assert await notice_by_ref(store, 2) is not None
    assert await notice_by_ref(store, 3) is None  # refusals use up no reference numbers


async def test_not_1_emergency_maintenance_has_no_notice_window(chat, store, clock):
    start = clock.now + timedelta(hours=3)
    reply = await chat(IVAN).say(
        f"notify emergency --accounts globex --start {iso(start)} "
        f"--end {iso(start + timedelta(hours=1))} Emergency patch for the SIP gateway"
    )
    assert reply.outcome is Outcome.OK, reply
    posts = await queued(store, clock.now)
    assert set(posts) == {"CGLOBEX"}
    assert posts["CGLOBEX"][0].kind is NoticeKind.EMERGENCY_MAINTENANCE


async def test_not_1_an_advisory_to_all_needs_no_end_and_reaches_every_bound_account(
    chat, store, clock
):
    reply = await chat(IVAN).say("notify advisory --accounts all Security advisory: rotate keys")
    assert reply.outcome is Outcome.OK, reply
    assert isinstance(reply.body, Message) and "No channel is bound for" in reply.body.text
    stored = await notice_by_ref(store, 1)
    assert stored is not None and stored.account_ids == ()  # empty means every account
    posts = await queued(store, clock.now)
    assert set(posts) == {"CACME", "19:acme@thread.tacv2", "CGLOBEX"}
    assert all(notice.times == () for notice, _ in posts.values())


async def test_not_1_a_time_without_offset_is_read_as_utc(chat, store, clock):
    start = (clock.now + timedelta(days=8)).replace(tzinfo=None, microsecond=0)
    reply = await chat(IVAN).say(
        f"notify maintenance --accounts acme --start {start.isoformat()} "
        f"--end {(start + timedelta(hours=1)).isoformat()} Patch"
    )
    assert reply.outcome is Outcome.OK, reply
    stored = await notice_by_ref(store, 1)
    assert stored is not None and stored.starts_at == start.replace(tzinfo=UTC)


async def test_not_1_bad_input_is_refused_with_a_usage_line_and_writes_nothing(chat, store, clock):
    start = iso(clock.now + timedelta(days=8))
    end = iso(clock.now + timedelta(days=8, hours=1))
    for text in (
        f"notify outage --accounts acme --start {start} --end {end} x",
        f"notify maintenance --accounts acme --start tomorrow --end {end} x",
        f"notify maintenance --accounts acme --start {start} x",
        f"notify maintenance --accounts acme --start {end} --end {start} x",
        f"notify maintenance --accounts nope --start {start} --end {end} x",
        f"notify maintenance --start {start} --end {end} x",
        f"notify maintenance --accounts acme --start {start} --end {end}",
    ):
        reply = await chat(IVAN).say(text)
        assert reply.outcome is Outcome.INVALID, text
    assert await notice_by_ref(store, 1) is None
    assert await queued(store, clock.now) == {}


@pytest.mark.parametrize("staff", ["ana@vendor.example", "adam@vendor.example", IVAN])
async def test_not_1_every_staff_role_posts_notices(chat, store, clock, staff):
    reply = await chat(staff).say("notify advisory --accounts all Heads up: rotate API keys")
    assert reply.outcome is Outcome.OK, reply
    stored = await notice_by_ref(store, 1)
    assert stored is not None and stored.posted_by == staff
    assert "CACME" in await queued(store, clock.now)


async def test_not_1_customers_cannot_post_notices(chat, store, clock):
    reply = await chat("alice@acme.example").say("notify advisory --accounts all Heads up")
    assert reply.outcome is not Outcome.OK
    assert await notice_by_ref(store, 1) is None
    assert await queued(store, clock.now) == {}


GLOBEX_IN_BERLIN = """
accounts:
  - {id: globex, sold_to: Globex GmbH, end_user: Globex GmbH, partner: false, deployment: cloud,
     care_level: premium, region: EMEA, contract: {start: 2025-01-01, end: 2028-12-31},
     timezone: Europe/Berlin}
"""


async def test_not_1_an_account_with_its_own_time_zone_sees_notice_times_in_it(
    chat, store, config, clock, tmp_path
):
    path = tmp_path / "globex.yaml"
    path.write_text(GLOBEX_IN_BERLIN, encoding="utf-8")
    await load_directory(store, path)
    start = clock.now + timedelta(hours=6)
    reply = await chat("ana@vendor.example").say(
        f"notify emergency --accounts acme,globex --start {iso(start)} "
        f"--end {iso(start + timedelta(hours=1))} Database failover"
    )
    assert reply.outcome is Outcome.OK, reply
    posts = await queued(store, clock.now)
    assert posts["CGLOBEX"][1] == "Europe/Berlin"  # its own zone, not the EMEA region's London
    assert posts["CACME"][1] == config.region("NA").time_zone  # no zone of its own: the region's
