"""ACC-3 on the account's own calendar: `access_today`, the one answer every caller asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.model import AccessLevel
from bot.policy.access import Action, access_on, access_today, allowed_actions, check, local_date
from bot.policy.config import PolicyConfig
from tests.unit.policy.casefactory import account, contact, customer, grant

CONFIG = PolicyConfig()
# The contract ends on 31 December in Los Angeles (UTC-8 in winter).
WEST = replace(account("west", end=date(2026, 12, 31)), timezone="America/Los_Angeles")
LATE_EVENING = datetime(2027, 1, 1, 5, 0, tzinfo=UTC)  # 21:00 on 31 December in Los Angeles
JUST_AFTER = datetime(2027, 1, 1, 8, 30, tzinfo=UTC)  # 00:30 on 1 January in Los Angeles


def test_acc_3_the_last_contract_day_lasts_until_midnight_in_the_account_zone() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "west"))
    evening = access_on(person, WEST, LATE_EVENING, CONFIG)
    assert evening is not None
    assert evening.today == date(2026, 12, 31)  # UTC is already in 2027
    assert (evening.granted, evening.level, evening.why) == (
        AccessLevel.DESIGNATED,
        AccessLevel.DESIGNATED,
        None,
    )
    after = access_on(person, WEST, JUST_AFTER, CONFIG)
    assert after is not None
    assert after.today == date(2027, 1, 1)
    assert after.level is AccessLevel.BASIC
    assert after.why is not None
    assert after.why.endswith("(ACC-3)")


def test_acc_3_a_contract_starts_at_midnight_in_the_account_zone_before_utc_does() -> None:
    east = replace(account("east", start=date(2026, 6, 2)), timezone="Pacific/Auckland")
    person = contact(grant(AccessLevel.READ_ONLY, "east"))
    one_am_in_auckland = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)  # UTC+12: 2 June, 01:00
    judged = access_on(person, east, one_am_in_auckland, CONFIG)
    assert judged is not None
    assert judged.level is AccessLevel.READ_ONLY
    eleven_pm_the_day_before = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    before = access_on(person, east, eleven_pm_the_day_before, CONFIG)
    assert before is not None
    assert before.level is AccessLevel.BASIC


def test_not_1_an_account_without_its_own_zone_uses_its_region_zone() -> None:
    latam = account("latam", region="LATAM")  # LATAM: America/Sao_Paulo, UTC-3
    assert local_date(latam, datetime(2027, 1, 1, 2, 0, tzinfo=UTC), CONFIG) == date(2026, 12, 31)
    assert local_date(latam, datetime(2027, 1, 1, 3, 0, tzinfo=UTC), CONFIG) == date(2027, 1, 1)


def test_acc_3_help_and_the_action_agree_near_midnight_in_a_non_utc_account() -> None:
    person = contact(grant(AccessLevel.DESIGNATED, "west"))
    for now in (LATE_EVENING, JUST_AFTER):
        usable = access_today(person, [WEST], now, CONFIG)
        helped = Action.OPEN in allowed_actions(customer(person), usable, now)
        acted = check(customer(person), Action.OPEN, WEST, usable[0].today).allowed
        assert helped is acted
    usable = access_today(person, [WEST], LATE_EVENING, CONFIG)
    assert Action.OPEN in allowed_actions(customer(person), usable, LATE_EVENING)
    usable = access_today(person, [WEST], JUST_AFTER, CONFIG)
    assert Action.OPEN not in allowed_actions(customer(person), usable, JUST_AFTER)


def test_acc_2_access_today_lists_only_granted_accounts_by_id_with_their_best_grant() -> None:
    person = contact(
        grant(AccessLevel.READ_ONLY, "zeta"),
        grant(AccessLevel.DESIGNATED, "acme"),
    )
    accounts = [account("zeta"), account("other"), account("acme")]
    noon = datetime(2026, 6, 1, 12, tzinfo=UTC)
    usable = access_today(person, accounts, noon, CONFIG)
    assert [(a.account.id, a.level) for a in usable] == [
        ("acme", AccessLevel.DESIGNATED),
        ("zeta", AccessLevel.READ_ONLY),
    ]
    assert usable[1].allows(AccessLevel.READ_ONLY)
    assert not usable[1].allows(AccessLevel.DESIGNATED)
