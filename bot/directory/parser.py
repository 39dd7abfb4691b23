"""Parsing and validating a directory file: every bad entry named, nothing half-read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from bot.directory.account_extras import FIELDS as _ACCOUNT_EXTRAS
from bot.directory.account_extras import account_extras
from bot.directory.companies import (
    COMPANY_FIELDS,
    account_companies,
    company_id_of,
    end_user_of_partner,
)
from bot.directory.entries import SLACK_HOME, TEAMS_TENANT, DirectoryError, Entry, Loader
from bot.model import (
    AccessLevel,
    Account,
    CareLevel,
    ChannelBinding,
    ChannelPurpose,
    ChatIdentity,
    Contact,
    Deployment,
    Grant,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.policy.config import PolicyConfig
from bot.policy.identity import corporate_email_problem
from bot.store.interface.directory import Directory

_SECTIONS = ("accounts", "contacts", "staff", "channels")
_CHAT_PLATFORMS = (Platform.SLACK.value, Platform.TEAMS.value)


class _Parser:
    def __init__(self, source: str, config: PolicyConfig) -> None:
        self.source = source
        self.config = config
        self.errors: list[str] = []
        self.accounts: dict[str, Account] = {}
        self.declared: set[str] = set()  # every account id in the file, valid or not
        self.chat_ids: dict[tuple[str, str, str], str] = {}

    def report(self, message: str) -> None:
        self.errors.append(f"{self.source}: {message}")

    def entries(self, doc: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
        items = doc.get(section) or []
        if not isinstance(items, list):
            self.report(f"{section} must be a list")
            return []
        found: list[tuple[int, Mapping[str, Any]]] = []
        for i, item in enumerate(items):
            if isinstance(item, dict):
                found.append((i, item))
            else:
                self.report(f"{section}[{i}]: must be a mapping, not {item!r}")
        return found

    def claim_chat_id(self, entry: Entry, kind: str, ids: tuple[str, str] | None) -> None:
        """ACC-7: one chat identity maps to one person."""
        if ids is None:
            return
        holder = self.chat_ids.setdefault((kind, *ids), entry.label)
        if holder != entry.label:
            entry.error(f"{kind} identity {ids[0]}/{ids[1]} is already used by {holder}")

    def account(self, i: int, data: Mapping[str, Any]) -> None:
        e = Entry(data, f"accounts[{i}] {data.get('id', '?')}", self.report)
        e.allow(
            "id",
            "sold_to",
            "end_user",
            "partner",
            "deployment",
            "care_level",
            "region",
            "contract",
            *COMPANY_FIELDS,
            *_ACCOUNT_EXTRAS,
            "slack_workspaces",
            "teams_tenants",
        )
        account_id, sold_to, end_user = e.text("id"), e.text("sold_to"), e.text("end_user")
        if account_id is not None and account_id in self.declared:
            e.error(f"duplicate account id {account_id!r}")
            account_id = None
        if account_id is not None:
            self.declared.add(account_id)
        partner = data.get("partner", False)
        if not isinstance(partner, bool):
            e.error(f"partner must be true or false, not {partner!r}")
        deployment = e.choice("deployment", Deployment)
        care_level = e.choice("care_level", CareLevel)
        region = e.text("region")
        if region is not None and region not in self.config.regions:
            e.error(
                f"region {region!r} is not a support region; known: "
                f"{', '.join(sorted(self.config.regions))} (CAL-1)"
            )
            region = None
        contract = data.get("contract")
        if not isinstance(contract, dict):
            e.error("contract is required: {start: YYYY-MM-DD, end: YYYY-MM-DD}")
            contract = {}
        slack_workspaces = e.ids("slack_workspaces", SLACK_HOME, "T... or E... ids")
        teams_tenants = e.ids("teams_tenants", TEAMS_TENANT, "tenant ids", lower=True)
        start = e.day("contract.start", contract.get("start"))
        end = e.day("contract.end", contract.get("end"))
        if start is not None and end is not None and start > end:
            e.error(f"contract starts {start} after it ends {end}")
            return
        companies = account_companies(e, partner is True)
        timezone, agents = account_extras(e)
        if (
            account_id is None
            or sold_to is None
            or end_user is None
            or deployment is None
            or care_level is None
            or region is None
            or start is None
            or end is None
            or not isinstance(partner, bool)
            or companies is None
            or slack_workspaces is None
            or teams_tenants is None
        ):
            return
        self.accounts[account_id] = Account(
            account_id,
            sold_to,
            end_user,
            partner,
            deployment,
            care_level,
            region,
            start,
            end,
            *companies,
            timezone=timezone,
            agents=agents,
            homes=frozenset(
                {(Platform.SLACK.value, w) for w in slack_workspaces}
                | {(Platform.TEAMS.value, t) for t in teams_tenants}
            ),
        )

    def grant(self, owner: Entry, j: int, data: Any, company_id: str | None) -> Grant | None:
        if not isinstance(data, dict):
            owner.error(f"grants[{j}] must be a mapping, not {data!r}")
            return None
        e = Entry(data, f"{owner.label}: grants[{j}] {data.get('account', '?')}", self.report)
        e.allow("account", "level", "approved_by", "approved_at")
        account_id, level = e.text("account"), e.choice("level", AccessLevel)
        approved_by = e.text("approved_by", required=False)
        approved_at = e.day("approved_at", data.get("approved_at"), required=False)
        account = None if account_id is None else self.accounts.get(account_id)
        # An account that is in the file but invalid has its own error; no second one here.
        if account_id is not None and account_id not in self.declared:
            e.error(f"account {account_id!r} is not in the directory's accounts")
        if (approved_by is None) != (approved_at is None):
            e.error("a partner approval needs both approved_by and approved_at (ACC-4)")
        if account is None or level is None:
            return None
        if level is AccessLevel.DESIGNATED and end_user_of_partner(account, company_id):
            e.error(
                f"account {account.id} is resold by the partner {account.sold_to}: contacts of "
                f"the end user ({account.end_user_id}) may hold at most read_only (ACC-4)"
            )
            return None
        return Grant(account.id, level, approved_by, approved_at)

    def contact(self, i: int, data: Mapping[str, Any], seen: set[str]) -> Contact | None:
        e = Entry(data, f"contacts[{i}] {data.get('email', '?')}", self.report)
        e.allow("email", "name", "company", "company_id", "slack", "teams", "grants")
        email, name, company = e.text("email"), e.text("name"), e.text("company")
        company_id = company_id_of(e, "company_id")
        slack, teams = e.pair("slack", "team", "user"), e.pair("teams", "tenant", "aad_object_id")
        self.claim_chat_id(e, "slack", slack)
        self.claim_chat_id(e, "teams", teams)
        grants = [self.grant(e, j, g, company_id) for j, g in enumerate(e.listing("grants"))]
        if email is not None:
            if email.lower() in seen:
                e.error(f"duplicate contact e-mail {email}")
            seen.add(email.lower())
            if any(g is not None and g.level is AccessLevel.DESIGNATED for g in grants):
                problem = corporate_email_problem(email, self.config)
                if problem is not None:
                    e.error(problem)
        accounts = [g.account_id for g in grants if g is not None]
        for twice in sorted({a for a in accounts if accounts.count(a) > 1}):
            e.error(f"more than one grant on account {twice}")
        if email is None or name is None or company is None:
            return None
        return Contact(
            email.lower(),
            name,
            company,
            tuple(g for g in grants if g is not None),
            _chats(slack, teams),
            company_id,
        )

    def staff(self, i: int, data: Mapping[str, Any], seen: set[str]) -> Staff | None:
        e = Entry(data, f"staff[{i}] {data.get('email', '?')}", self.report)
        e.allow("email", "name", "roles", "slack", "teams")
        email, name = e.text("email"), e.text("name")
        slack, teams = e.pair("slack", "team", "user"), e.pair("teams", "tenant", "aad_object_id")
        self.claim_chat_id(e, "slack", slack)
        self.claim_chat_id(e, "teams", teams)
        roles: set[StaffRole] = set()
        names = tuple(r.value for r in StaffRole)
        for role in e.listing("roles"):
            if role in names:
                roles.add(StaffRole(role))
            else:
                e.error(f"role {role!r} is not one of: {', '.join(names)} (ACC-8)")
        if not e.listing("roles"):
            e.error("roles is required: at least one of " + ", ".join(names))
        if email is not None:
            if email.lower() in seen:
                e.error(f"duplicate staff e-mail {email}")
            seen.add(email.lower())
        if email is None or name is None or not roles:
            return None
        return Staff(
            email.lower(),
            name,
            frozenset(roles),
            _chats(slack, teams),
        )

    def channel(
        self, i: int, data: Mapping[str, Any], seen: set[tuple[str, str]]
    ) -> ChannelBinding | None:
        e = Entry(
            data, f"channels[{i}] {data.get('platform', '?')} {data.get('id', '?')}", self.report
        )
        e.allow(
            "platform", "id", "purpose", "account", "regions", "priorities", "service_url", "tenant"
        )
        key = e.word("platform", _CHAT_PLATFORMS)
        platform = None if key is None else Platform(key)
        channel_id, purpose = e.text("id"), e.choice("purpose", ChannelPurpose)
        account_id = e.text("account", required=purpose is ChannelPurpose.ACCOUNT)
        if account_id is not None and purpose is not ChannelPurpose.ACCOUNT:
            e.error("only an account channel names an account")
        if account_id is not None and account_id not in self.declared:
            e.error(f"account {account_id!r} is not in the directory's accounts")
        regions = [str(r) for r in e.listing("regions")]
        for region in regions:
            if region not in self.config.regions:
                e.error(f"region {region!r} is not a support region (CAL-1)")
        priorities: set[Priority] = set()
        for priority in e.listing("priorities"):
            if priority in tuple(p.value for p in Priority):
                priorities.add(Priority(priority))
            else:
                e.error(
                    f"priority {priority!r} is not one of: {', '.join(p.value for p in Priority)}"
                )
        if (regions or priorities) and purpose is not ChannelPurpose.QUEUE:
            e.error("only a queue channel has regions or priorities filters")
        if platform is not None and channel_id is not None:
            if (platform.value, channel_id) in seen:
                e.error(f"duplicate channel {platform.value} {channel_id}")
            seen.add((platform.value, channel_id))
        if platform is None or channel_id is None or purpose is None:
            return None
        return ChannelBinding(
            platform,
            channel_id,
            purpose,
            account_id,
            frozenset(regions),
            frozenset(priorities),
            _route(e.text("service_url", required=False), e.text("tenant", required=False)),
        )


def _chats(
    slack: tuple[str, str] | None, teams: tuple[str, str] | None
) -> tuple[ChatIdentity, ...]:
    """The file's `slack: {team, user}` and `teams: {tenant, aad_object_id}` as chat identities."""
    pairs = ((Platform.SLACK, slack), (Platform.TEAMS, teams))
    return tuple(sorted(ChatIdentity(p.value, *ids) for p, ids in pairs if ids is not None))


def _route(service_url: str | None, tenant: str | None) -> tuple[tuple[str, str], ...]:
    """A channel's `service_url` and `tenant` as its route (the Teams deliverer reads it)."""
    route = {"service_url": service_url, "space": tenant}
    return tuple(sorted((name, value) for name, value in route.items() if value))


def parse_directory(text: str, source: str, config: PolicyConfig) -> Directory:
    """Parse and validate a directory file; raise DirectoryError naming every bad entry."""
    try:
        doc = yaml.load(text, Loader=Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        raise DirectoryError([f"{source}: not valid YAML: {exc}"]) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise DirectoryError([f"{source}: the file must be a mapping with {', '.join(_SECTIONS)}"])
    parser = _Parser(source, config)
    for key in sorted(set(doc) - set(_SECTIONS)):
        parser.report(f"unknown section {key!r}; expected {', '.join(_SECTIONS)}")
    for i, data in parser.entries(doc, "accounts"):
        parser.account(i, data)
    emails: set[str] = set()
    contacts = [parser.contact(i, d, emails) for i, d in parser.entries(doc, "contacts")]
    emails = set()
    staff = [parser.staff(i, d, emails) for i, d in parser.entries(doc, "staff")]
    seen: set[tuple[str, str]] = set()
    channels = [parser.channel(i, d, seen) for i, d in parser.entries(doc, "channels")]
    if parser.errors:
        raise DirectoryError(parser.errors)
    return Directory(
        accounts=tuple(parser.accounts.values()),
        contacts=tuple(c for c in contacts if c is not None),
        staff=tuple(s for s in staff if s is not None),
        channels=tuple(c for c in channels if c is not None),
    )
