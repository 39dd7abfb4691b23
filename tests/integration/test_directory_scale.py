"""A real vendor's directory (#18): 40,000 contacts load and serve, on SQLite and PostgreSQL.

PostgreSQL refuses a statement with more than 32,767 parameters; before #18 reading the
directory into memory put every contact's e-mail into one `IN (...)` and every request failed.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import identity
from bot.commands.router import Router
from bot.messages import CaseView, ChatRequest, Command, Identity, Outcome, Reply
from bot.model import (
    AccessLevel,
    Account,
    CareLevel,
    ChatIdentity,
    Contact,
    Deployment,
    Grant,
    Platform,
)
from bot.policy.config import PolicyConfig
from bot.store.interface.directory import Directory
from bot.store.sql import SqlStore
from tests.builders import T0

CONTACTS, ACCOUNTS = 40_000, 4_000


def vendor_directory(contacts: int = CONTACTS, accounts: int = ACCOUNTS) -> Directory:
    """`accounts` accounts, `contacts` contacts spread over them, each with a Slack id."""
    made_accounts = tuple(
        Account(
            id=f"acct{a:05d}",
            sold_to=f"Customer {a}",
            end_user=f"Customer {a}",
            partner=False,
            deployment=Deployment.CLOUD,
            care_level=CareLevel.BUSINESS,
            region="NA",
            contract_start=date(2026, 1, 1),
            contract_end=date(2027, 12, 31),
        )
        for a in range(accounts)
    )
    made_contacts = tuple(
        Contact(
            email=f"person{c:06d}@customer{c % accounts}.example",
            name=f"Person {c}",
            company=f"Customer {c % accounts}",
            grants=(Grant(f"acct{c % accounts:05d}", AccessLevel.DESIGNATED),),
            chats=(ChatIdentity("slack", f"T{c % accounts:07d}", f"U{c:08d}"),),
        )
        for c in range(contacts)
    )
    return Directory(accounts=made_accounts, contacts=made_contacts)


async def say(router: Router, store: SqlStore, team: str, user: str, text: str) -> Reply:
    actor = await identity.by_chat(await store.directory(), ChatIdentity("slack", team, user))
    assert actor is not None, (team, user)
    req = ChatRequest(
        platform=Platform.SLACK,
        workspace=team,
        channel_id="D1",
        actor=actor,
        command=Command.unparsed(text),
        now=T0,
        is_direct=True,
    )
    return await router.handle(req)


@pytest.mark.slow
async def test_a_directory_of_40000_contacts_loads_and_serves_whoami_open_and_show(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        summary = await uow.directory.upsert(vendor_directory())
        await uow.commit()
    assert (summary.accounts, summary.contacts, summary.grants) == (ACCOUNTS, CONTACTS, CONTACTS)
    snapshot = await store.directory_cache.snapshot()
    assert len(snapshot.contacts) == CONTACTS
    router = Router(store, PolicyConfig())
    last = CONTACTS - 1  # the very last contact read, beyond PostgreSQL's 32,767
    team, user = f"T{last % ACCOUNTS:07d}", f"U{last:08d}"
    who = await say(router, store, team, user, "whoami")
    assert who.outcome is Outcome.OK
    assert isinstance(who.body, Identity)
    assert [line.account_id for line in who.body.grants] == [f"acct{last % ACCOUNTS:05d}"]
    opened = await say(router, store, team, user, "open medium The export fails for every report")
    assert opened.outcome is Outcome.OK, opened
    assert isinstance(opened.body, CaseView)
    number = opened.body.case.number
    assert isinstance(number, int)
    shown = await say(router, store, team, user, f"show {number}")
    assert shown.outcome is Outcome.OK
    async with store.unit_of_work(read_only=True) as uow:
        case = await uow.cases.get(number)
    assert case is not None
    assert case.account_id == f"acct{last % ACCOUNTS:05d}"
