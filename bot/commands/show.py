"""`show CASE`: the case card with its recent updates."""

from __future__ import annotations

from bot.commands.context import Context, check_action, visible_case
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply
from bot.messages import ChatRequest, Reply
from bot.policy.access import Action

VERB = Verb(
    "show",
    Action.SHOW,
    "show CASE",
    "a case with its recent updates",
    NoOptions,
    read_only=True,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`show CASE`: a case with its recent updates."""
    case, account = await visible_case(req, ctx, req.command.arg(0))
    await check_action(req, ctx, Action.SHOW, account)
    return case_reply(req, ctx, case, account)
