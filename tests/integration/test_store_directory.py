"""Directory loading (idempotent, all-or-nothing), lookups and `directory check` on both databases."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.directory import DirectoryError, check_directory, load_directory
from bot.model import (
    AccessLevel,
    ChannelPurpose,
    ChatIdentity,
    Contact,
    Grant,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.policy.config import PolicyConfig
from bot.store.interface.directory import Directory
from bot.store.sql import SqlStore
from bot.store.sql.tables import chat_identities, metadata
from tests.integration.conftest import EXAMPLE_DIRECTORY

ALICE_SLACK = ChatIdentity("slack", "T0ACME001", "U0ALICE01")
ALICE_TEAMS = ChatIdentity(
    "teams", "0a0a0a0a-0000-4000-8000-00000000acme", "11111111-0000-4000-8000-000000000001"
)


async def row_counts(store: SqlStore) -> dict[str, int]:
    async with store.engine.connect() as conn:
        return {
            t.name: (await conn.scalar(select(func.count()).select_from(t))) or 0
            for t in metadata.sorted_tables
        }


async def test_loading_the_example_twice_leaves_the_same_rows(store: SqlStore) -> None:
    first = await load_directory(store, EXAMPLE_DIRECTORY)
    after_first = await row_counts(store)
    second = await load_directory(store, EXAMPLE_DIRECTORY)
    assert second == first
    assert await row_counts(store) == after_first
    assert (after_first["accounts"], after_first["contacts"], after_first["staff"]) == (5, 14, 4)
    assert (after_first["grants"], after_first["channels"]) == (15, 11)


async def test_acc_7_people_are_found_by_their_verified_chat_ids(store: SqlStore) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work() as uow:
        alice = await uow.directory.person_by_chat(ALICE_SLACK)
        same = await uow.directory.person_by_chat(ALICE_TEAMS)
        by_mail = await uow.directory.contact_by_email("Alice@Acme.example")
        maria = await uow.directory.contact_by_email("maria@wayne.example")
        nobody = await uow.directory.person_by_chat(ChatIdentity("slack", "T0ACME001", "U0NOBODY"))
        elsewhere = await uow.directory.person_by_chat(
            ChatIdentity("teams", ALICE_SLACK.space, ALICE_SLACK.user)
        )
        ivy = await uow.directory.person_by_chat(ChatIdentity("slack", "T0VEND001", "U0IVY0003"))
        ivy_teams = await uow.directory.person_by_chat(
            ChatIdentity(
                "teams",
                "0f0f0f0f-0000-4000-8000-0000000vendr",
                "99999999-0000-4000-8000-000000000003",
            )
        )
        adam = await uow.directory.staff_by_email("adam@vendor.example")
        commanders = await uow.directory.staff_members(StaffRole.INCIDENT_COMMANDER)
    assert isinstance(alice, Contact) and alice == same == by_mail
    assert alice.grants == (Grant("acme", AccessLevel.DESIGNATED),)
    assert alice.chats == (ALICE_SLACK, ALICE_TEAMS)
    assert maria is not None and [(g.account_id, g.level) for g in maria.grants] == [
        ("globex", AccessLevel.READ_ONLY),
        ("wayne", AccessLevel.DESIGNATED),
    ]
    assert nobody is None and elsewhere is None  # the platform is part of the identity
    assert isinstance(ivy, Staff) and ivy == ivy_teams
    assert ivy.roles == {StaffRole.INCIDENT_COMMANDER, StaffRole.ANALYST}
    assert adam is not None and adam.roles == {StaffRole.ADMIN}
    assert [s.email for s in commanders] == ["ivy@vendor.example"]


async def test_accounts_contacts_and_channels_are_listed_by_role(store: SqlStore) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work() as uow:
        accounts = await uow.directory.accounts()
        hooli = await uow.directory.account("initech-hooli")
        designated = await uow.directory.designated_contacts("initech-hooli")
        everyone = await uow.directory.contacts_of("initech-hooli")
        acme_channels = await uow.directory.account_channels("acme")
        bridges = await uow.directory.bridge_channels()
        teams_channel = await uow.directory.channel(
            Platform.TEAMS, "19:globex-support@thread.tacv2"
        )
        na_low = await uow.directory.queue_channels("NA", Priority.LOW)
        emea_critical = await uow.directory.queue_channels("EMEA", Priority.CRITICAL)
        apac_incident = await uow.directory.queue_channels("APAC", Priority.INCIDENT)
    assert [a.id for a in accounts] == ["acme", "globex", "initech-hooli", "umbrella", "wayne"]
    assert hooli is not None and hooli.partner and hooli.end_user == "Hooli Pty Ltd"
    assert [c.email for c in designated] == ["grace@initech.example", "hiro@initech.example"]
    assert len(everyone) == 4
    assert [(c.platform, c.channel_id) for c in acme_channels] == [(Platform.SLACK, "C0ACME001")]
    assert {c.channel_id for c in bridges} == {"C0BRIDGE1", "19:bridge@thread.tacv2"}
    assert teams_channel is not None and teams_channel.purpose is ChannelPurpose.ACCOUNT
    assert dict(teams_channel.route)["service_url"] == "https://smba.trafficmanager.net/emea/"
    assert [c.channel_id for c in na_low] == ["C0QUEUEAM"]
    assert {c.channel_id for c in emea_critical} == {"C0QUEUEEU", "C0QUEUECR"}
    assert {c.channel_id for c in apac_incident} == {"C0QUEUECR", "19:queue-apac@thread.tacv2"}


async def test_a_reload_replaces_a_contacts_grants_and_moves_a_chat_id(store: SqlStore) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work() as uow:
        carol = await uow.directory.contact_by_email("carol@acme.example")
        alice = await uow.directory.contact_by_email("alice@acme.example")
        assert carol is not None and alice is not None
        # Carol takes over Alice's Slack id and loses her grant; Alice is not in this file.
        changed = dataclasses.replace(carol, grants=(), chats=(ALICE_SLACK,))
        await uow.directory.upsert(Directory(contacts=(changed,)))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.directory.person_by_chat(ALICE_SLACK) == changed
        alice_now = await uow.directory.contact_by_email("alice@acme.example")
    # Alice keeps her Teams id and her grants; only the id given to Carol left her (ACC-7).
    assert alice_now is not None and alice_now.chats == (ALICE_TEAMS,)
    assert alice_now.grants == alice.grants


async def test_acc_7_a_staff_member_given_a_contacts_chat_id_takes_it_from_the_contact(
    store: SqlStore,
) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work() as uow:
        adam = await uow.directory.staff_by_email("adam@vendor.example")
        assert adam is not None
        moved = dataclasses.replace(adam, chats=tuple(sorted((*adam.chats, ALICE_TEAMS))))
        await uow.directory.upsert(Directory(staff=(moved,)))
        await uow.commit()
    directory = await store.directory()
    alice = await directory.contact_by_email("alice@acme.example")
    assert await directory.person_by_chat(ALICE_TEAMS) == moved
    assert await directory.person_by_chat(ALICE_SLACK) == alice
    assert alice is not None and alice.chats == (ALICE_SLACK,)
    async with store.engine.connect() as conn:
        held = (
            await conn.execute(
                select(chat_identities.c.person_kind, chat_identities.c.email).where(
                    chat_identities.c.user_id == ALICE_TEAMS.user
                )
            )
        ).all()
    assert held == [("staff", "adam@vendor.example")]


async def test_a_file_with_several_bad_entries_is_refused_whole_and_changes_nothing(
    store: SqlStore, tmp_path: Path
) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    before = await row_counts(store)
    text = EXAMPLE_DIRECTORY.read_text(encoding="utf-8")
    text = text.replace("name: Alice Able", "name: Alice Renamed")  # a valid change, not applied
    text = text.replace(
        "care_level: premium\n    region: EMEA", "care_level: gold\n    region: EMEA", 1
    )
    text = text.replace("email: luis@umbrella.example", "email: support@umbrella.example")
    text = text.replace("{account: acme, level: read_only}", "{account: nowhere, level: read_only}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as refused:
        await load_directory(store, bad)
    errors = refused.value.errors
    assert len(errors) == 3
    assert errors[0].startswith(f"{bad}: accounts[1] globex: care_level 'gold' is not one of")
    assert errors[1].startswith(
        f"{bad}: contacts[2] carol@acme.example: grants[0] nowhere: account"
    )
    assert errors[2].startswith(f"{bad}: contacts[11] support@umbrella.example: ")
    assert errors[2].endswith("(ACC-5)")
    assert await row_counts(store) == before
    async with store.unit_of_work() as uow:
        alice = await uow.directory.contact_by_email("alice@acme.example")
    assert alice is not None and alice.name == "Alice Able"


async def test_acc_4_company_ids_are_stored_and_read_back(store: SqlStore) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work(read_only=True) as uow:
        hooli = await uow.directory.account("initech-hooli")
        acme = await uow.directory.account("acme")
        nadia = await uow.directory.contact_by_email("nadia@integra.example")
        frank = await uow.directory.contact_by_email("frank@globex.example")
    assert hooli is not None and acme is not None
    assert (hooli.sold_to_id, hooli.end_user_id, hooli.end_user_subsidiary) == (
        "initech",
        "hooli",
        False,
    )
    assert (acme.sold_to_id, acme.end_user_id) == ("acme-corp", None)
    assert nadia is not None and nadia.company_id == "integra"
    assert frank is not None and frank.company_id is None


async def test_acc_4_check_names_a_partner_account_without_company_ids(
    store: SqlStore, tmp_path: Path
) -> None:
    text = EXAMPLE_DIRECTORY.read_text(encoding="utf-8")
    text = text.replace("    sold_to_id: initech\n", "").replace("    end_user_id: hooli\n", "")
    legacy = tmp_path / "legacy.yaml"
    legacy.write_text(text, encoding="utf-8")
    await load_directory(store, legacy)  # the format without ids still loads
    lines = await check_directory(store, date(2026, 6, 1), PolicyConfig())
    assert (
        "account initech-hooli: a partner account without sold_to_id and end_user_id: its "
        "contacts cannot be told apart, so each acts as an end-user contact (ACC-4)"
    ) in lines
    # Failing closed: the partner's own designated contacts act as unapproved end users.
    assert any(
        line.startswith("account initech-hooli: contact grace@initech.example: inert designated")
        and "does not identify your company" in line
        for line in lines
    )


async def test_acc_6_acc_3_acc_4_check_names_accounts_and_contacts(store: SqlStore) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    lines = await check_directory(store, date(2026, 6, 1), PolicyConfig())
    assert any(
        line.startswith("account wayne: 1 designated") and "(ACC-6)" in line for line in lines
    )
    assert any(line.startswith("account umbrella: 0 designated") for line in lines)
    assert any(
        line.startswith("account umbrella: contact karla@umbrella.example: inert designated")
        and "(ACC-3)" in line
        for line in lines
    )
    assert any(
        line.startswith("account initech-hooli: contact jack@hooli.example: inert read_only")
        and "(ACC-4)" in line
        for line in lines
    )
    assert not any("isla@hooli.example" in line or "account acme" in line for line in lines)
    assert len(lines) == 5


async def test_not_1_inc_6_an_accounts_time_zone_and_agents_are_stored_and_can_be_removed(
    store: SqlStore, tmp_path: Path
) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work(read_only=True) as uow:
        acme = await uow.directory.account("acme")
        wayne = await uow.directory.account("wayne")
    assert acme is not None and (acme.timezone, acme.agents) == ("America/Chicago", 250)
    assert wayne is not None and (wayne.timezone, wayne.agents) == (None, None)
    # A reload without the fields clears them: the file is the truth for an account it lists.
    text = EXAMPLE_DIRECTORY.read_text(encoding="utf-8")
    text = text.replace("    timezone: America/Chicago", "    # no timezone").replace(
        "    agents: 250 ", "    # no agents "
    )
    path = tmp_path / "directory.yaml"
    path.write_text(text, encoding="utf-8")
    await load_directory(store, path)
    async with store.unit_of_work(read_only=True) as uow:
        acme = await uow.directory.account("acme")
    assert acme is not None and (acme.timezone, acme.agents) == (None, None)


async def test_conv_6_an_accounts_own_workspaces_and_tenants_are_stored_and_reloaded(
    store: SqlStore,
) -> None:
    await load_directory(store, EXAMPLE_DIRECTORY)
    async with store.unit_of_work() as uow:
        acme = await uow.directory.account("acme")
        umbrella = await uow.directory.account("umbrella")
    assert acme is not None and umbrella is not None
    assert acme.homes_on("slack") == {"T0ACME001"}
    assert acme.homes_on("teams") == {"0a0a0a0a-0000-4000-8000-00000000acme"}
    assert umbrella.homes == frozenset()


async def test_acc_8_check_names_staff_listed_by_a_chat_id_outside_the_vendors_own_spaces(
    store: SqlStore, tmp_path: Path
) -> None:
    # Ben's Slack id copied with a customer's workspace: whoever holds it there would be staff.
    text = EXAMPLE_DIRECTORY.read_text(encoding="utf-8")
    moved = text.replace(
        "slack: {team: T0VEND001, user: U0BEN0002}", "slack: {team: T0ACME001, user: U0BEN0002}"
    )
    assert moved != text
    (tmp_path / "directory.yaml").write_text(moved, encoding="utf-8")
    await load_directory(store, tmp_path / "directory.yaml")
    vendor = "0f0f0f0f-0000-4000-8000-0000000VENDR"  # tenant ids compare without case
    homes = {Platform.SLACK: frozenset({"T0VEND001"}), Platform.TEAMS: frozenset({vendor})}
    lines = await check_directory(store, date(2026, 6, 1), PolicyConfig(), staff_homes=homes)
    staff_lines = [line for line in lines if line.startswith("staff ")]
    assert staff_lines == [
        "staff ben@vendor.example: listed on slack in T0ACME001, which is not one of the "
        "vendor's own (T0VEND001): whoever has that id there acts as staff (ACC-8)"
    ]
    # Without the vendor's own spaces configured there is nothing to compare with.
    unconfigured = await check_directory(store, date(2026, 6, 1), PolicyConfig())
    assert not any(line.startswith("staff ") for line in unconfigured)
