"""`request-info CASE TEXT`: ask the customer for information (CASE-6 Awaiting Information)."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.staff_reply import StaffReply, send
from bot.commands.verb import NoOptions, Verb
from bot.messages import ChatRequest, Reply
from bot.model import Case, Status, SubStatus
from bot.policy.access import Action

VERB = Verb(
    "request-info",
    Action.REQUEST_INFO,
    "request-info CASE TEXT",
    "ask the customer for information (Awaiting Information; follow-ups start)",
    NoOptions,
)


def _moves_to(case: Case) -> tuple[Status, SubStatus]:
    # SLA-4: the resolution clock pauses; FUP-1: the follow-up timer starts (FUP-3: restarts).
    return Status.AWAITING_INFORMATION, SubStatus.INFORMATION_REQUIRED


REQUEST_INFO = StaffReply(
    verb=VERB,
    moves_to=_moves_to,
    status_note="Support needs information from the customer.",
    done="Information requested; the resolution clock is paused and follow-ups have started.",
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`request-info CASE TEXT`: ask the customer for information (follow-ups start)."""
    return await send(req, ctx, REQUEST_INFO)
