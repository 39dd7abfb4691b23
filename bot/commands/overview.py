"""The asker's overview: their open cases and whether they may open one (ACC-2..ACC-4).

Not a typed verb: a platform asks for it when the user opens a surface of their own (Slack's
App Home) through `Router.overview`, so the access policy is applied here, in the router's
read-only unit of work, and never in an adapter.
"""

from __future__ import annotations

from bot.commands.context import Context, accounts_today
from bot.commands.views import case_line
from bot.messages import CaseList, ChatRequest, Overview, Reply
from bot.model import AccessLevel
from bot.store.interface.cases import CaseState

TITLE = "Your open cases"
LIMIT = 25  # rows shown; the total still counts every open case
_UNMAPPED = (
    "Your {platform} account is not linked to a support contact yet. Ask a designated contact "
    "of your company (or your account manager) to add you; `whoami` shows what we see."
)
_STAFF = "Analysts work cases from the queue: `queue`."


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """The asker's open cases on the accounts they may read today, newest first."""
    if req.actor.contact is None:
        platform = req.platform.value.capitalize()
        empty = _STAFF if req.actor.is_staff else _UNMAPPED.format(platform=platform)
        return Reply(Overview(CaseList(TITLE, (), 0, empty)))
    readable = [a for a in await accounts_today(req, ctx) if a.allows(AccessLevel.READ_ONLY)]
    visible = {a.account.id: a.account for a in readable}
    cases = await ctx.uow.cases.opened_by(req.actor.contact.email, CaseState.OPEN, limit=None)
    mine = [case for case in cases if case.account_id in visible]
    # SLA clocks only for the rows shown: a contact may have opened thousands of cases.
    lines = tuple(case_line(c, visible[c.account_id], ctx, req.now) for c in mine[:LIMIT])
    empty = (
        "No open cases opened by you."
        if visible
        else "You can't see cases on any account today; `whoami` shows why."
    )
    can_open = any(a.level is AccessLevel.DESIGNATED for a in readable)
    # Times in the account's zone when there is just one account to speak of (NOT-1).
    zone = ctx.time_zone(readable[0].account) if len(readable) == 1 else "UTC"
    listing = CaseList(TITLE, lines, len(mine), empty)
    return Reply(Overview(listing, can_open), time_zone=zone)
