"""`list [--account ID] [--closed] [--all] [--page N]`: my cases, or every case of the account."""

from __future__ import annotations

from bot.commands.context import Context, answer, audience_for, check_action, choose_account
from bot.commands.paging import PAGE_SIZE, page_number, titled
from bot.commands.views import case_line
from bot.messages import CaseList, ChatRequest, Reply
from bot.policy.access import Action
from bot.store.interface import CaseState


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`list [--account ID] [--closed] [--all] [--page N]`: your cases; --all: the account's."""
    opts = req.command.options
    explicit = opts.get("account")
    account = await choose_account(
        req, ctx, Action.LIST, explicit if isinstance(explicit, str) else None
    )
    await check_action(req, ctx, Action.LIST, account)
    state = CaseState.CLOSED if opts.get("closed") else CaseState.OPEN
    everyone = bool(opts.get("all")) or req.actor.is_staff
    opener = None if everyone else req.actor.email or ""
    page = page_number(req)
    # One page, its total and its events in two statements, whatever the account's size (#18).
    cases, total = await ctx.uow.cases.page(
        account.id, state, opener, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    if opener is None:
        title = f"{'Closed' if opts.get('closed') else 'Open'} cases of {account.id}"
    else:
        title = f"Your {'closed' if opts.get('closed') else 'open'} cases on {account.id}"
    title = titled(title, page, total)
    lines = tuple(case_line(c, account, ctx, req.now) for c in cases)
    empty = "No cases." if everyone else "No cases opened by you. `list --all` shows the account's."
    return answer(
        req, ctx, CaseList(title, lines, total, empty), account, audience_for(req, account.id)
    )
