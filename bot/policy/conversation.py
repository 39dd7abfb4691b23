"""POLICY section 7: who a conversation event may act for, and how often the bot may offer.

Pure: the access level comes from `bot.policy.access` (the same checks as the verbs), the
caller passes `today` in the account's own calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.conversation import ThreadKind
from bot.messages import Actor
from bot.model import Account, ChannelBinding, ChannelPurpose, Contact, StaffRole
from bot.policy import access
from bot.policy.access import Action
from bot.policy.decision import Decision

OFFER_EVERY = timedelta(minutes=10)  # CONV-4: at most one capture offer per person per 10 min
ATTACHMENT_RETENTION = timedelta(days=30)  # CONV-5: purged 30 days after the case closed
DEFAULT_CAPTURE_EMOJI = "ticket"  # CONV-4


def thread_reply(actor: Actor, kind: ThreadKind) -> Decision:
    """CONV-2/CONV-3: what a reply in a case thread is, before the `update` checks run.

    Customer thread: a contact's reply is an update (the access checks of `update` decide);
    staff writing there reach the customer only through the explicit reply (CONV-3).
    Support thread: staff replies are internal notes; nobody else's reply counts.
    """
    if kind is ThreadKind.CUSTOMER:
        if actor.is_staff and actor.contact is None:
            return Decision.refuse(
                "CONV-3",
                "Replies by support in the customer's thread are not sent as case replies.",
                'Use `respond CASE TEXT` or the "Reply to customer" action in the support '
                "thread, so the reply is recorded and stops the response clock.",
            )
        return Decision.allow("CONV-2")
    if actor.is_staff:
        return Decision.allow("CONV-3")
    return Decision.refuse(
        "CONV-3",
        "Only support staff work in the support thread; your reply was not added to the case.",
        "Reply in the case's thread in your own channel, or use `update CASE TEXT`.",
    )


@dataclass(frozen=True, slots=True)
class CaptureDecision:
    """CONV-4: may a case be opened from this message, and who would be its opener."""

    decision: Decision
    opener: Contact | None = None  # the designated contact the case is opened for
    on_behalf: bool = False  # staff open it for the message's author (both names recorded)


def capture(
    actor: Actor,
    author: Actor | None,
    account: Account | None,
    channel: ChannelBinding | None,
    today: date,
) -> CaptureDecision:
    """CONV-4: a designated contact captures as themselves; staff for a designated author.

    `author` is the message's author for a reaction, None for a message's own author (then
    `actor` wrote it). Only messages in a channel bound to the account count.
    """
    if channel is None or channel.purpose is not ChannelPurpose.ACCOUNT or account is None:
        return CaptureDecision(
            Decision.refuse(
                "CONV-4",
                "Cases are opened from messages only in a channel bound to a customer account.",
                "Use `open` to open a case.",
            )
        )
    if actor.is_staff and actor.contact is None:
        if not (actor.has_role(StaffRole.ANALYST) or actor.has_role(StaffRole.INCIDENT_COMMANDER)):
            return CaptureDecision(
                Decision.refuse(
                    "ACC-8",
                    "Only support analysts and incident commanders open cases for customers.",
                    "Ask a support analyst, or the author's designated contact.",
                )
            )
        if author is None or author.contact is None:
            return CaptureDecision(_not_designated_author())
        on_behalf = access.check(author, Action.OPEN, account, today)
        if not on_behalf.allowed:
            return CaptureDecision(_not_designated_author())
        return CaptureDecision(Decision.allow("CONV-4"), author.contact, on_behalf=True)
    decision = access.check(actor, Action.OPEN, account, today)
    if not decision.allowed:
        return CaptureDecision(decision)
    return CaptureDecision(Decision.allow("CONV-4"), actor.contact)


def _not_designated_author() -> Decision:
    return Decision.refuse(
        "CONV-4",
        "Support can open a case from a message only for its author, and only when the author "
        "is a designated contact of this account today.",
        "Ask a designated contact of the account to open the case.",
    )
