"""`respond CASE TEXT`: a public reply to the customer; the first one stops the response clock."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.staff_reply import StaffReply, send
from bot.commands.verb import NoOptions, Verb
from bot.messages import ChatRequest, Reply
from bot.model import Case, Status, SubStatus
from bot.policy.access import Action

# Sub-statuses that mean "support has not picked this up yet" (004 "Case Statuses": New is
# "waiting to be reviewed"); a reply means support is now researching it.
_NOT_PICKED_UP = frozenset(
    {SubStatus.NEW, SubStatus.CUSTOMER_RESPONDED, SubStatus.REOPEN_REQUESTED}
)


VERB = Verb(
    "respond",
    Action.RESPOND,
    "respond CASE TEXT",
    "reply to the customer (stops the response clock)",
    NoOptions,
)


def _moves_to(case: Case) -> tuple[Status, SubStatus] | None:
    if case.status is Status.OPEN and case.sub_status in _NOT_PICKED_UP:
        return Status.OPEN, SubStatus.INVESTIGATION
    return None


RESPOND = StaffReply(
    verb=VERB,
    moves_to=_moves_to,
    status_note="Support is investigating.",
    done="Reply sent to the customer.",
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`respond CASE TEXT`: reply to the customer (stops the response clock)."""
    return await send(req, ctx, RESPOND)
