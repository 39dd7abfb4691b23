"""`propose CASE TEXT`: propose a solution (CASE-6 Solution Proposed / Replied)."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.staff_reply import StaffReply, send
from bot.commands.verb import NoOptions, Verb
from bot.messages import ChatRequest, Reply
from bot.model import Case, Status, SubStatus
from bot.policy.access import Action

VERB = Verb(
    "propose",
    Action.PROPOSE,
    "propose CASE TEXT",
    "propose a solution (Solution Proposed; follow-ups start)",
    NoOptions,
)


def _moves_to(case: Case) -> tuple[Status, SubStatus]:
    # SLA-4: the resolution clock pauses while the customer confirms; FUP-1 follow-ups start.
    # `set-status CASE "Solution Proposed/Fixed - Software Provided"` records a software fix.
    return Status.SOLUTION_PROPOSED, SubStatus.REPLIED


PROPOSE = StaffReply(
    verb=VERB,
    moves_to=_moves_to,
    status_note="Support proposed a solution.",
    done="Solution proposed; the resolution clock is paused and follow-ups have started.",
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`propose CASE TEXT`: propose a solution (follow-ups start)."""
    return await send(req, ctx, PROPOSE)
