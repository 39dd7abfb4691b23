"""`show CASE`: the case card with its recent updates."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.context import Context, check_action, visible_case
from bot.commands.verb import NoOptions, Verb
from bot.commands.views import case_reply, customers_read
from bot.messages import AttachmentLine, CaseView, ChatRequest, Reply
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
    reply = case_reply(req, ctx, case, account)
    if req.actor.is_staff and isinstance(reply.body, CaseView) and not customers_read(req):
        # CONV-5: support see the case's attachments, to fetch them.
        files = await ctx.uow.attachments.for_case(case.number)
        lines = tuple(
            AttachmentLine(a.id, a.name, a.size, a.uploaded_by, a.uploaded_at)
            for a in files
            if a.id is not None
        )
        reply = replace(reply, body=replace(reply.body, attachments=lines))
    return reply
