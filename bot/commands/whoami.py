"""`whoami`: how the bot knows you, your accounts and your access level on each today."""

from __future__ import annotations

from bot.commands.context import Context, accounts_today, answer
from bot.messages import ChatRequest, GrantLine, Identity, Reply
from bot.model import StaffRole

_HINT = (
    "This chat account isn't linked to a support contact. Ask your company's designated "
    "support contact to add you to the support directory with this {platform} account "
    "(user id {user}), or to record your corporate e-mail address there."
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`whoami`: identity, accounts and access level per account."""
    actor = req.actor
    if not actor.is_mapped:
        hint = _HINT.format(platform=req.platform.value.capitalize(), user=actor.user_id)
        return answer(req, ctx, Identity(actor.name, None, hint=hint), None)
    lines = [
        GrantLine(
            a.account.id, a.account.end_user, a.level, a.why if a.level is not a.granted else None
        )
        for a in await accounts_today(req, ctx)
    ]
    roles: tuple[StaffRole, ...] = tuple(sorted(actor.staff.roles)) if actor.staff else ()
    return answer(req, ctx, Identity(actor.name, actor.email, tuple(lines), roles), None)
