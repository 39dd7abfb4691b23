"""The App Home tab: the viewer's open cases and, for designated contacts, "Open a case"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.cards.slack import render_home
from bot.commands.context import Context, level_on
from bot.commands.views import case_line
from bot.messages import Actor, CaseLine, CaseList
from bot.model import AccessLevel, Account
from bot.policy.config import PolicyConfig
from bot.store.interface import CaseState, Store

HOME_LIMIT = 25
_UNMAPPED = (
    "Your Slack account is not linked to a support contact yet. Ask a designated contact of "
    "your company (or your account manager) to add you; `/case whoami` shows what we see."
)
_STAFF = "Analysts work cases from the queue: `/case queue`."


async def home_view(
    store: Store, config: PolicyConfig, actor: Actor, now: datetime
) -> dict[str, Any]:
    """The views.publish payload for `actor`'s App Home."""
    if actor.contact is None:
        empty = _STAFF if actor.is_staff else _UNMAPPED
        return render_home(CaseList("Your open cases", (), 0, empty), can_open=False)
    contact = actor.contact
    lines: list[CaseLine] = []
    total = 0
    can_open = False
    zone = "UTC"
    async with store.unit_of_work(read_only=True) as uow:
        ctx = Context(uow, config)
        visible: dict[str, Account] = {}
        for grant in contact.grants:
            account = await uow.directory.account(grant.account_id)
            if account is None:
                continue
            level = level_on(contact, account, ctx, now)
            if level is None or level.rank < AccessLevel.READ_ONLY.rank:
                continue
            visible[account.id] = account
            can_open = can_open or level is AccessLevel.DESIGNATED
        if len(visible) == 1:
            zone = ctx.time_zone(next(iter(visible.values())))
        cases = await uow.cases.opened_by(contact.email, CaseState.OPEN, limit=None)
        mine = [case for case in cases if case.account_id in visible]
        total = len(mine)
        # SLA clocks only for the rows shown: a contact may have opened thousands of cases.
        lines = [case_line(c, visible[c.account_id], ctx, now) for c in mine[:HOME_LIMIT]]
    shown = tuple(lines)
    empty = (
        "No open cases opened by you."
        if visible
        else "You can't see cases on any account today; `/case whoami` shows why."
    )
    listing = CaseList("Your open cases", shown, total, empty)
    return render_home(listing, can_open=can_open, time_zone=zone)
