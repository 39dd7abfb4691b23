"""`list [--account ID] [--closed] [--all]`: my cases, or every case of the account."""

from __future__ import annotations

from bot.commands.context import Context, answer, audience_for, check_action, choose_account
from bot.commands.views import case_line
from bot.messages import CaseList, ChatRequest, Reply
from bot.policy.access import Action
from bot.store.interface import CaseState

LIST_LIMIT = 25


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`list [--account ID] [--closed] [--all]`: your cases; --all: all cases of the account."""
    opts = req.command.options
    explicit = opts.get("account")
    account = await choose_account(
        req, ctx, Action.LIST, explicit if isinstance(explicit, str) else None
    )
    await check_action(req, ctx, Action.LIST, account)
    state = CaseState.CLOSED if opts.get("closed") else CaseState.OPEN
    everyone = bool(opts.get("all")) or req.actor.is_staff
    opener = None if everyone else req.actor.email or ""
    if opener is None:
        cases = await ctx.uow.cases.for_account(account.id, state, limit=LIST_LIMIT)
        title = f"{'Closed' if opts.get('closed') else 'Open'} cases of {account.id}"
    else:
        cases = await ctx.uow.cases.opened_by(opener, state, LIST_LIMIT, account.id)
        title = f"Your {'closed' if opts.get('closed') else 'open'} cases on {account.id}"
    total = len(cases)
    if total == LIST_LIMIT:
        total = await ctx.uow.cases.count(account.id, state, opener)
    lines = tuple(case_line(c, account, ctx, req.now) for c in cases)
    empty = "No cases." if everyone else "No cases opened by you. `list --all` shows the account's."
    return answer(
        req, ctx, CaseList(title, lines, total, empty), account, audience_for(req, account.id)
    )
