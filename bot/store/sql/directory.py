"""`SqlDirectoryRepository`: accounts, contacts, grants, staff and channel bindings.

Upsert semantics (`directory load`): every entry of the file is inserted or updated by its
natural key (account id, e-mail, (platform, channel id)); a contact's grants and a staff
member's roles become exactly the file's. Entries missing from the file are left alone, since
cases and the audit trail still name them: to revoke a contact's access, list it with no grants.
Loading the same file twice therefore leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import (
    AccessLevel,
    Account,
    CareLevel,
    ChannelBinding,
    ChannelPurpose,
    Contact,
    Deployment,
    Grant,
    Platform,
    Priority,
    SlackIdentity,
    Staff,
    StaffRole,
    TeamsIdentity,
)
from bot.store.interface import Directory, UpsertSummary
from bot.store.sql.statements import upsert_row
from bot.store.sql.tables import accounts, channels, contacts, grants, staff


def _account(row: RowMapping) -> Account:
    return Account(
        id=row["id"],
        sold_to=row["sold_to"],
        end_user=row["end_user"],
        partner=row["partner"],
        deployment=Deployment(row["deployment"]),
        care_level=CareLevel(row["care_level"]),
        region=row["region"],
        contract_start=row["contract_start"],
        contract_end=row["contract_end"],
        sold_to_id=row["sold_to_id"],
        end_user_id=row["end_user_id"],
        end_user_subsidiary=bool(row["end_user_subsidiary"]),
        timezone=row["timezone"],
        agents=row["agents"],
        slack_workspaces=frozenset(row["slack_workspaces"] or ()),
        teams_tenants=frozenset(row["teams_tenants"] or ()),
    )


def _slack(row: RowMapping) -> SlackIdentity | None:
    if row["slack_team"] is None or row["slack_user"] is None:
        return None
    return SlackIdentity(row["slack_team"], row["slack_user"])


def _teams(row: RowMapping) -> TeamsIdentity | None:
    if row["teams_tenant"] is None or row["teams_aad_object_id"] is None:
        return None
    return TeamsIdentity(row["teams_tenant"], row["teams_aad_object_id"])


def _staff(row: RowMapping) -> Staff:
    roles = frozenset(StaffRole(r) for r in row["roles"].split(",") if r)
    return Staff(row["email"], row["name"], roles, _slack(row), _teams(row))


def _channel(row: RowMapping) -> ChannelBinding:
    return ChannelBinding(
        platform=Platform(row["platform"]),
        channel_id=row["channel_id"],
        purpose=ChannelPurpose(row["purpose"]),
        account_id=row["account_id"],
        regions=frozenset(row["regions"]),
        priorities=frozenset(Priority(p) for p in row["priorities"]),
        service_url=row["service_url"],
        tenant=row["tenant"],
    )


def _identity_columns(person: Contact | Staff) -> dict[str, Any]:
    return {
        "slack_team": person.slack.team if person.slack else None,
        "slack_user": person.slack.user if person.slack else None,
        "teams_tenant": person.teams.tenant if person.teams else None,
        "teams_aad_object_id": person.teams.aad_object_id if person.teams else None,
    }


class SqlDirectoryRepository:
    """The directory on SQL tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def account(self, account_id: str) -> Account | None:
        row = (
            await self._conn.execute(select(accounts).where(accounts.c.id == account_id))
        ).first()
        return None if row is None else _account(row._mapping)

    async def accounts(self) -> list[Account]:
        rows = await self._conn.execute(select(accounts).order_by(accounts.c.id))
        return [_account(r) for r in rows.mappings()]

    async def _contacts_where(self, *conditions: Any) -> list[Contact]:
        rows = (
            (
                await self._conn.execute(
                    select(contacts).where(*conditions).order_by(contacts.c.email)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        emails = [r["email"] for r in rows]
        grant_rows = await self._conn.execute(
            select(grants)
            .where(grants.c.contact_email.in_(emails))
            .order_by(grants.c.contact_email, grants.c.account_id)
        )
        by_email: dict[str, list[Grant]] = {e: [] for e in emails}
        for g in grant_rows.mappings():
            by_email[g["contact_email"]].append(
                Grant(g["account_id"], AccessLevel(g["level"]), g["approved_by"], g["approved_at"])
            )
        return [
            Contact(
                email=r["email"],
                name=r["name"],
                company=r["company"],
                grants=tuple(by_email[r["email"]]),
                slack=_slack(r),
                teams=_teams(r),
                company_id=r["company_id"],
            )
            for r in rows
        ]

    async def _one_contact(self, *conditions: Any) -> Contact | None:
        found = await self._contacts_where(*conditions)
        return found[0] if found else None

    async def contact_by_email(self, email: str) -> Contact | None:
        return await self._one_contact(contacts.c.email == email.lower())

    async def contact_by_slack(self, team: str, user: str) -> Contact | None:
        return await self._one_contact(contacts.c.slack_team == team, contacts.c.slack_user == user)

    async def contact_by_teams(self, tenant: str, aad_object_id: str) -> Contact | None:
        return await self._one_contact(
            contacts.c.teams_tenant == tenant, contacts.c.teams_aad_object_id == aad_object_id
        )

    async def contacts(self) -> list[Contact]:
        return await self._contacts_where()

    async def contacts_of(self, account_id: str) -> list[Contact]:
        granted = select(grants.c.contact_email).where(grants.c.account_id == account_id)
        return await self._contacts_where(contacts.c.email.in_(granted))

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        granted = select(grants.c.contact_email).where(
            and_(grants.c.account_id == account_id, grants.c.level == AccessLevel.DESIGNATED.value)
        )
        return await self._contacts_where(contacts.c.email.in_(granted))

    async def _staff_where(self, *conditions: Any) -> list[Staff]:
        rows = await self._conn.execute(select(staff).where(*conditions).order_by(staff.c.email))
        return [_staff(r) for r in rows.mappings()]

    async def staff_by_email(self, email: str) -> Staff | None:
        found = await self._staff_where(staff.c.email == email.lower())
        return found[0] if found else None

    async def staff_by_slack(self, team: str, user: str) -> Staff | None:
        found = await self._staff_where(staff.c.slack_team == team, staff.c.slack_user == user)
        return found[0] if found else None

    async def staff_by_teams(self, tenant: str, aad_object_id: str) -> Staff | None:
        found = await self._staff_where(
            staff.c.teams_tenant == tenant, staff.c.teams_aad_object_id == aad_object_id
        )
        return found[0] if found else None

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]:
        members = await self._staff_where()
        return [m for m in members if role is None or role in m.roles]

    async def _channels_where(self, *conditions: Any) -> list[ChannelBinding]:
        rows = await self._conn.execute(
            select(channels).where(*conditions).order_by(channels.c.platform, channels.c.channel_id)
        )
        return [_channel(r) for r in rows.mappings()]

    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None:
        found = await self._channels_where(
            channels.c.platform == platform.value, channels.c.channel_id == channel_id
        )
        return found[0] if found else None

    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        # Queues are few; the filters are JSON lists, matched here rather than per dialect.
        queues = await self._channels_where(channels.c.purpose == ChannelPurpose.QUEUE.value)
        return [
            q
            for q in queues
            if (not q.regions or region in q.regions)
            and (not q.priorities or priority in q.priorities)
        ]

    async def account_channels(self, account_id: str) -> list[ChannelBinding]:
        return await self._channels_where(
            channels.c.purpose == ChannelPurpose.ACCOUNT.value, channels.c.account_id == account_id
        )

    async def bridge_channels(self) -> list[ChannelBinding]:
        return await self._channels_where(channels.c.purpose == ChannelPurpose.BRIDGE.value)

    async def all_channels(self) -> list[ChannelBinding]:
        """Every binding (for the in-memory snapshot of `directory_cache`)."""
        return await self._channels_where()

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Insert or update every entry by natural key; see the module docstring."""
        for account in directory.accounts:
            await upsert_row(
                self._conn,
                accounts,
                {
                    "id": account.id,
                    "sold_to": account.sold_to,
                    "end_user": account.end_user,
                    "partner": account.partner,
                    "deployment": account.deployment.value,
                    "care_level": account.care_level.value,
                    "region": account.region,
                    "contract_start": account.contract_start,
                    "contract_end": account.contract_end,
                    "sold_to_id": account.sold_to_id,
                    "end_user_id": account.end_user_id,
                    "end_user_subsidiary": account.end_user_subsidiary,
                    "timezone": account.timezone,
                    "agents": account.agents,
                    "slack_workspaces": sorted(account.slack_workspaces),
                    "teams_tenants": sorted(account.teams_tenants),
                },
                ["id"],
            )
        await self._release_identities(contacts, directory.contacts)
        n_grants = 0
        for contact in directory.contacts:
            email = contact.email.lower()
            values = {
                "email": email,
                "name": contact.name,
                "company": contact.company,
                "company_id": contact.company_id,
            }
            await upsert_row(self._conn, contacts, values | _identity_columns(contact), ["email"])
            await self._conn.execute(delete(grants).where(grants.c.contact_email == email))
            for grant in contact.grants:
                await self._conn.execute(
                    grants.insert().values(
                        contact_email=email,
                        account_id=grant.account_id,
                        level=grant.level.value,
                        approved_by=grant.approved_by,
                        approved_at=grant.approved_at,
                    )
                )
                n_grants += 1
        await self._release_identities(staff, directory.staff)
        for member in directory.staff:
            roles = ",".join(sorted(r.value for r in member.roles))
            values = {"email": member.email.lower(), "name": member.name, "roles": roles}
            await upsert_row(self._conn, staff, values | _identity_columns(member), ["email"])
        for binding in directory.channels:
            await upsert_row(
                self._conn,
                channels,
                {
                    "platform": binding.platform.value,
                    "channel_id": binding.channel_id,
                    "purpose": binding.purpose.value,
                    "account_id": binding.account_id,
                    "regions": sorted(binding.regions),
                    "priorities": sorted(p.value for p in binding.priorities),
                    "service_url": binding.service_url,
                    "tenant": binding.tenant,
                },
                ["platform", "channel_id"],
            )
        return UpsertSummary(
            accounts=len(directory.accounts),
            contacts=len(directory.contacts),
            grants=n_grants,
            staff=len(directory.staff),
            channels=len(directory.channels),
        )

    async def _release_identities(self, table: Any, people: Sequence[Contact | Staff]) -> None:
        """A chat id given to someone else in the file is taken off its old holder (ACC-7)."""
        for person in people:
            if person.slack is not None:
                await self._conn.execute(
                    update(table)
                    .where(table.c.slack_team == person.slack.team)
                    .where(table.c.slack_user == person.slack.user)
                    .where(table.c.email != person.email.lower())
                    .values(slack_team=None, slack_user=None)
                )
            if person.teams is not None:
                await self._conn.execute(
                    update(table)
                    .where(table.c.teams_tenant == person.teams.tenant)
                    .where(table.c.teams_aad_object_id == person.teams.aad_object_id)
                    .where(table.c.email != person.email.lower())
                    .values(teams_tenant=None, teams_aad_object_id=None)
                )
