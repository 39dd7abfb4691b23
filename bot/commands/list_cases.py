"""`list [--account ID] [--closed] [--all] [--page N]`: my cases, or every case of the account.

A contact who can read cases on several accounts and names none (in a DM, or a channel bound to
no account) gets one list per account, in the directory's order, rather than a question.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.commands.context import (
    Context,
    accounts_today,
    answer,
    audience_for,
    check_action,
    choose_account,
)
from bot.commands.paging import PAGE_SIZE, page_number, titled
from bot.commands.verb import Verb
from bot.commands.views import actions_for, case_line
from bot.messages import Audience, CaseAction, CaseList, ChatRequest, Reply
from bot.model import AccessLevel, Account, Case
from bot.policy import access
from bot.policy.access import Action
from bot.store.interface.cases import CaseState


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `list`."""

    account: str | None = None
    closed: bool = False
    all: bool = False
    page: str | None = None


VERB = Verb(
    "list",
    Action.LIST,
    "list [--account ID] [--closed] [--all] [--page N]",
    "your cases; --all: every case of the account; --closed: closed ones",
    Options,
    read_only=True,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`list [--account ID] [--closed] [--all] [--page N]`: your cases; --all: the account's."""
    explicit = VERB.read(req.command).account
    several = [] if explicit else await _readable_accounts(req, ctx)
    if len(several) > 1:
        lists = [await _case_list(req, ctx, account) for account in several]
        private = any(audience_for(req, a.id) is Audience.PRIVATE for a in several)
        reply = answer(
            req, ctx, lists[0], several[0], Audience.PRIVATE if private else Audience.CHANNEL
        )
        return replace(reply, follow_ups=tuple(lists[1:]))
    account = await choose_account(req, ctx, Action.LIST, explicit)
    cases = await _case_list(req, ctx, account)
    return answer(req, ctx, cases, account, audience_for(req, account.id))


async def _readable_accounts(req: ChatRequest, ctx: Context) -> list[Account]:
    """The accounts a contact may list here when none is named; empty where one is implied."""
    contact = req.actor.contact
    if contact is None or req.actor.is_staff:
        return []
    if req.channel is not None and req.channel.account_id:
        return []  # the channel's account is the one meant
    needed = access.required_level(Action.LIST) or AccessLevel.READ_ONLY
    return [a.account for a in await accounts_today(req, ctx) if a.allows(needed)]


def _row_actions(
    req: ChatRequest, ctx: Context, case: Case, account: Account
) -> tuple[CaseAction, ...]:
    """Show for every row; Update where the case card would offer it (designated, open)."""
    update = CaseAction.UPDATE in actions_for(req, ctx, case, account)
    return (CaseAction.SHOW, CaseAction.UPDATE) if update else (CaseAction.SHOW,)


async def _case_list(req: ChatRequest, ctx: Context, account: Account) -> CaseList:
    await check_action(req, ctx, Action.LIST, account)
    opts = VERB.read(req.command)
    state = CaseState.CLOSED if opts.closed else CaseState.OPEN
    everyone = opts.all or req.actor.is_staff
    opener = None if everyone else req.actor.email or ""
    page = page_number(opts.page)
    # One page, its total and its events in two statements, whatever the account's size (#18).
    cases, total = await ctx.uow.cases.page(
        account.id, state, opener, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    if opener is None:
        title = f"{'Closed' if opts.closed else 'Open'} cases of {account.id}"
    else:
        title = f"Your {'closed' if opts.closed else 'open'} cases on {account.id}"
    title = titled(title, page, total)
    lines = tuple(
        replace(case_line(c, account, ctx, req.now), actions=_row_actions(req, ctx, c, account))
        for c in cases
    )
    empty = "No cases." if everyone else "No cases opened by you. `list --all` shows the account's."
    return CaseList(title, lines, total, empty)
