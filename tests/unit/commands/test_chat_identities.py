"""ACC-7 and CONV-6 through the one resolver every platform uses (`bot.commands.identity`).

The same `ChatIdentities` serves a Slack and a Teams identity: the directory's chat identity
first, else the profile the platform vouches for, cached per identity until it expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands.identity import ChatIdentities, Profile
from bot.model import ChatIdentity, Platform
from bot.store.interface import Store

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
IVAN_SLACK = ChatIdentity("slack", "T0", "UIVAN")
IVAN_TEAMS = ChatIdentity("teams", "tenant-vendor", "aad-ivan")
ALICE_SLACK = ChatIdentity("slack", "T1", "UALICE")
ALICE_TEAMS = ChatIdentity("teams", "tenant-acme", "aad-alice")


class Profiles:
    """A platform's profile lookup that counts its calls (a failed one answers None)."""

    def __init__(self, profile: Profile | None) -> None:
        self.profile = profile
        self.calls = 0

    async def __call__(self) -> Profile | None:
        self.calls += 1
        return self.profile


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def resolver(clock: Clock) -> ChatIdentities:
    # The vendor's homes on both platforms, as the two adapters configure them.
    return ChatIdentities(clock, frozenset({"T0", "tenant-vendor"}), timedelta(minutes=10))


async def test_acc_7_a_staff_member_listed_on_both_platforms_is_the_same_staff_member(
    store: Store,
) -> None:
    identities, lookup = resolver(Clock()), Profiles(None)
    directory = await store.directory()
    on_slack = await identities.actor(directory, IVAN_SLACK, lookup)
    on_teams = await identities.actor(directory, IVAN_TEAMS, lookup)
    assert on_slack.staff is not None and on_slack.staff == on_teams.staff
    assert on_slack.staff.email == "ivan@vendor.example"
    assert on_slack.contact is None and on_teams.contact is None
    assert (on_slack.platform, on_slack.user_id) == (Platform.SLACK, "UIVAN")
    assert (on_teams.platform, on_teams.user_id) == (Platform.TEAMS, "aad-ivan")
    assert lookup.calls == 0  # a listed identity needs no profile lookup


async def test_acc_7_a_contact_listed_on_both_platforms_is_the_same_contact_with_her_grants(
    store: Store,
) -> None:
    identities, lookup = resolver(Clock()), Profiles(None)
    directory = await store.directory()
    on_slack = await identities.actor(directory, ALICE_SLACK, lookup)
    on_teams = await identities.actor(directory, ALICE_TEAMS, lookup)
    assert on_slack.contact is not None and on_slack.contact == on_teams.contact
    assert on_slack.contact.email == "alice@acme.example"
    assert [g.account_id for g in on_slack.contact.grants] == ["acme", "globex"]
    assert on_slack.staff is None and on_teams.staff is None
    assert lookup.calls == 0


async def test_acc_7_an_id_listed_on_one_platform_is_nobody_on_another(store: Store) -> None:
    """A Teams sender claiming a Slack user's ids (same space and user strings) is not them."""
    identities, lookup = resolver(Clock()), Profiles(None)
    spoofed = ChatIdentity("teams", IVAN_SLACK.space, IVAN_SLACK.user)
    actor = await identities.actor(await store.directory(), spoofed, lookup)
    assert actor.staff is None and actor.contact is None and not actor.is_mapped
    assert lookup.calls == 1  # asked the platform, which vouched for nothing


async def test_conv_6_an_unlisted_user_maps_by_profile_email_cached_per_identity(
    store: Store,
) -> None:
    clock = Clock()
    identities = resolver(clock)
    directory = await store.directory()
    lookup = Profiles(Profile("alice@acme.example", frozenset({"T1"})))
    new_slack = ChatIdentity("slack", "T1", "UNEWALICE")
    first = await identities.actor(directory, new_slack, lookup)
    again = await identities.actor(directory, new_slack, lookup)
    assert first.contact is not None and first.contact.email == "alice@acme.example"
    assert again == first and lookup.calls == 1
    # The same user id on another platform is another identity: its own lookup.
    other = Profiles(Profile("alice@acme.example", frozenset({"tenant-acme"})))
    on_teams = await identities.actor(
        directory, ChatIdentity("teams", "tenant-acme", "UNEWALICE"), other
    )
    assert on_teams.contact == first.contact and other.calls == 1
    clock.now += timedelta(minutes=11)
    await identities.actor(directory, new_slack, lookup)
    assert lookup.calls == 2  # expired: asked again


async def test_conv_6_a_profile_from_outside_the_vendors_homes_is_never_staff(
    store: Store,
) -> None:
    identities = resolver(Clock())
    claimed = Profiles(Profile("ivan@vendor.example", frozenset({"T9"})))
    actor = await identities.actor(
        await store.directory(), ChatIdentity("slack", "T9", "UFAKEIVAN"), claimed
    )
    assert actor.staff is None and actor.contact is None


async def test_acc_7_a_failed_profile_lookup_is_not_cached_and_maps_to_nobody(
    store: Store,
) -> None:
    identities = resolver(Clock())
    failing = Profiles(None)
    chat = ChatIdentity("teams", "tenant-acme", "aad-new")
    first = await identities.actor(await store.directory(), chat, failing)
    assert not first.is_mapped
    working = Profiles(Profile("alice@acme.example", frozenset({"tenant-acme"})))
    second = await identities.actor(await store.directory(), chat, working)
    assert second.contact is not None and working.calls == 1
