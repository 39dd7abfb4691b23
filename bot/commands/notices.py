"""`notices [--account ID]`: the service notices (NOT-1) of your accounts from the last 30 days.

Every contact may read them, basic ones included (ACC-2), so people whose contract lapsed still
learn about maintenance windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.commands.context import Context, accounts_today, answer, check_action
from bot.commands.notify import notice_card
from bot.commands.verb import Verb
from bot.messages import ChatRequest, Message, Reply
from bot.model import Account
from bot.policy.access import Action
from bot.store.interface.incidents import ServiceNotice

WINDOW = timedelta(days=30)
SHOWN = 10


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `notices`."""

    account: str | None = None


VERB = Verb(
    "notices",
    Action.NOTICES,
    "notices [--account ID]",
    "maintenance notices and advisories for your accounts (last 30 days)",
    Options,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`notices [--account ID]`: recent maintenance notices and advisories for your accounts."""
    await check_action(req, ctx, Action.NOTICES, None)
    accounts = await _accounts(req, ctx)
    wanted = VERB.read(req.command).account
    if wanted is not None:
        accounts = [a for a in accounts if a.id == wanted.strip().lower()]
        if not accounts:
            return Reply.invalid(
                f"You have no account `{wanted[:40]}`. `whoami` lists the accounts you can use."
            )
    found: dict[int, ServiceNotice] = {}
    for account in accounts:
        for notice in await ctx.uow.notices.for_account(account.id, req.now - WINDOW):
            found.setdefault(notice.reference, notice)
    zone_of = accounts[0] if accounts else None
    if not found:
        return answer(req, ctx, Message("No service notices in the last 30 days."), zone_of)
    newest = sorted(found.values(), key=lambda n: n.posted_at, reverse=True)
    summary = f"{len(newest)} service notice(s) in the last 30 days"
    if len(newest) > SHOWN:
        summary += f"; the {SHOWN} most recent follow"
    reply = answer(req, ctx, Message(summary + ".", "Service notices"), zone_of)
    return Reply(
        reply.body,
        reply.audience,
        reply.outcome,
        reply.time_zone,
        reply.show_utc,
        tuple(notice_card(n) for n in newest[:SHOWN]),
    )


async def _accounts(req: ChatRequest, ctx: Context) -> list[Account]:
    if req.actor.is_staff:
        return await ctx.uow.directory.accounts()
    # Every grant gives at least basic access, and basic contacts read notices (ACC-2).
    return [a.account for a in await accounts_today(req, ctx)]
