"""What every handler gets: the open unit of work, the policy, and the lookups they all share.

The router owns the transaction: it opens the unit of work, claims the request's de-duplication
key (R2), calls the handler and commits only when the reply says the action happened (or the
handler asked to keep an alert it wrote while refusing, ESC-7). Handlers never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.messages import Audience, Body, ChatRequest, Outcome, Reply, case_not_found
from bot.model import AccessLevel, Account, Case, format_case_number
from bot.policy import access
from bot.policy.access import AccountAccess, Action
from bot.policy.config import PolicyConfig
from bot.policy.decision import Decision
from bot.store.interface import UnitOfWork
from bot.store.interface.json_values import JsonValue


@dataclass(slots=True)
class Context:
    """The unit of work of one request and the policy it is judged by."""

    uow: UnitOfWork
    config: PolicyConfig
    keep_writes: bool = False  # set by a handler that refuses but must still alert (ESC-7)

    def time_zone(self, account: Account) -> str:
        """NOT-1: times shown to an account are in its own zone (else its region's)."""
        return self.config.account_time_zone(account)

    def phone(self, account: Account) -> str:
        return self.config.region(account.region).phone

    async def audit(
        self,
        req: ChatRequest,
        action: str,
        case_number: int | None,
        **detail: JsonValue,
    ) -> None:
        """R7: who did what, when, from which platform."""
        who = req.actor.email or f"{req.actor.platform.value}:{req.actor.user_id}"
        await self.uow.audit.add(who, req.platform, action, case_number, detail, req.now)


class Refused(Exception):
    """Raised by shared lookups to end a handler with a ready reply."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body)
        self.reply = reply


def refusal(decision: Decision) -> Reply:
    return Reply.refused(decision.rule, decision.reason, decision.instead)


def ensure(decision: Decision) -> None:
    """Raise `Refused` when the decision is a refusal."""
    if not decision.allowed:
        raise Refused(refusal(decision))


def answer(
    req: ChatRequest,
    ctx: Context,
    body: Body,
    account: Account | None,
    audience: Audience = Audience.PRIVATE,
    outcome: Outcome = Outcome.OK,
) -> Reply:
    """A reply with times in the viewer's account zone, and in UTC too for staff."""
    zone = ctx.time_zone(account) if account is not None else "UTC"
    return Reply(body, audience, outcome, time_zone=zone, show_utc=req.actor.is_staff)


def audience_for(req: ChatRequest, account_id: str) -> Audience:
    """ACC-9: case details go to the channel only where that account's details may be seen."""
    if req.is_direct or access.channel_may_show(account_id, req.channel, req.actor):
        return Audience.CHANNEL
    return Audience.PRIVATE


async def accounts_today(req: ChatRequest, ctx: Context) -> tuple[AccountAccess, ...]:
    """The asker's granted accounts as they may use them now, by account id (`access_today`)."""
    contact = req.actor.contact
    if contact is None:
        return ()
    found = [await ctx.uow.directory.account(g.account_id) for g in contact.grants]
    return access.access_today(contact, [a for a in found if a is not None], req.now, ctx.config)


def access_on(req: ChatRequest, ctx: Context, account: Account) -> AccountAccess | None:
    """How the asker may use `account` now; None for no grant (staff included, ACC-8)."""
    contact = req.actor.contact
    return None if contact is None else access.access_on(contact, account, req.now, ctx.config)


def designated_on(req: ChatRequest, ctx: Context, account: Account) -> bool:
    """ACC-2: does the asker act as a designated contact on `account` now?"""
    today = access_on(req, ctx, account)
    return today is not None and today.level is AccessLevel.DESIGNATED


async def check_action(
    req: ChatRequest, ctx: Context, action: Action, account: Account | None
) -> None:
    """ACC-2..ACC-8 for `action` on `account`; raises `Refused`."""
    # Without an account the day decides nothing; with one, it is the account's own (ACC-3).
    today = req.now.date() if account is None else access.local_date(account, req.now, ctx.config)
    ensure(await _decide(req, ctx, action, account, today))


async def _decide(
    req: ChatRequest, ctx: Context, action: Action, account: Account | None, today: date
) -> Decision:
    """The access decision; a refusal names who can act instead (ACC-4), read only when needed."""
    decision = access.check(req.actor, action, account, today)
    if account is not None and req.actor.contact is not None and access.names_deputies(decision):
        deputies = await ctx.uow.directory.designated_contacts(account.id)
        decision = access.check(req.actor, action, account, today, deputies)
    return decision


async def visible_case(
    req: ChatRequest, ctx: Context, ref: str | None, for_change: bool = False
) -> tuple[Case, Account]:
    """The case `ref` names if the asker may see it; otherwise the not-found reply (ACC-9).

    `for_change`: the handler may change the case, so it is read locked (R9) and a concurrent
    change of the same case waits until this request's unit of work ends.
    """
    from bot.commands import suggest
    from bot.commands.parser import parse_case_ref

    await _ensure_reads_some_account(req, ctx)
    if not ref:
        raise Refused(Reply.invalid("Which case? Give its number, for example `show 1001`."))
    number = parse_case_ref(ref)
    shown = format_case_number(number) if number is not None else ref[:40]
    if number is None:
        fixed = suggest.case_ref(ref)
        hint = f" Did you mean `{req.command.verb} {fixed}`?" if fixed else ""
        raise Refused(
            Reply.invalid(
                f"`{shown}` is not a case number; write it as 1001, #1001 or 0000001001.{hint}"
            )
        )
    cases = ctx.uow.cases
    case = await (cases.get_for_change(number) if for_change else cases.get(number))
    account = await ctx.uow.directory.account(case.account_id) if case is not None else None
    if case is None or account is None or not _may_see(req, ctx, account):
        raise Refused(case_not_found(shown))
    return case, account


async def _ensure_reads_some_account(req: ChatRequest, ctx: Context) -> None:
    """Someone who can read no case at all is told why (ACC-2, ACC-3, ACC-4, ACC-7).

    The answer names their own access, never the case asked about, so it is the same whether
    that case exists or not (ACC-9).
    """
    if req.actor.is_staff:
        return
    # Imported here: the registry imports the handlers, and they import this module.
    from bot.commands.registry import VERBS

    verb = VERBS.get(req.command.verb)
    action = verb.action if verb is not None else Action.SHOW
    if req.actor.contact is None:
        ensure(access.check(req.actor, action, None, req.now.date()))
        return
    usable = await accounts_today(req, ctx)
    if any(a.allows(AccessLevel.READ_ONLY) for a in usable):
        return
    if not usable:
        raise Refused(
            Reply.refused(
                "ACC-2",
                "You have no access to any support account.",
                "Ask your company's designated support contact to grant you access; "
                "`whoami` shows how you are known.",
            )
        )
    ensure(await _decide(req, ctx, action, usable[0].account, usable[0].today))


def _may_see(req: ChatRequest, ctx: Context, account: Account) -> bool:
    if req.actor.is_staff:
        return True
    today = access_on(req, ctx, account)
    return today is not None and today.allows(AccessLevel.READ_ONLY)


async def choose_account(
    req: ChatRequest, ctx: Context, action: Action, explicit: str | None
) -> Account:
    """The account a command is about: `--account`, the channel's, or the only one that fits."""
    if not req.actor.is_mapped:
        ensure(access.check(req.actor, action, None, req.now.date()))  # ACC-7, with the hint
    if explicit:
        account = await ctx.uow.directory.account(explicit.strip().lower())
        if account is None or not _has_grant(req, account.id):
            raise Refused(
                Reply.invalid(
                    f"You have no account `{explicit[:40]}`. `whoami` lists the accounts you can use."
                )
            )
        return account
    if req.channel is not None and req.channel.account_id:
        account = await ctx.uow.directory.account(req.channel.account_id)
        if account is not None and _has_grant(req, account.id):
            return account
    contact = req.actor.contact
    if contact is None:
        if req.actor.is_staff:
            raise Refused(Reply.invalid("Name the account with `--account ID`."))
        ensure(access.check(req.actor, action, None, req.now.date()))
        raise Refused(Reply.invalid("Name the account with `--account ID`."))
    needed = access.required_level(action) or AccessLevel.DESIGNATED
    usable = await accounts_today(req, ctx)
    fitting = [a.account for a in usable if a.allows(needed)]
    if len(fitting) == 1:
        return fitting[0]
    if not fitting and len(usable) == 1:
        return usable[0].account  # the access check then explains why it is refused (ACC-3, ACC-4)
    if not usable:
        ensure(access.check(req.actor, action, None, req.now.date()))
    options = ", ".join(a.id for a in fitting) or ", ".join(a.account.id for a in usable)
    raise Refused(Reply.invalid(f"Which account? Add `--account ID` with one of: {options}."))


def _has_grant(req: ChatRequest, account_id: str) -> bool:
    if req.actor.is_staff:
        return True
    contact = req.actor.contact
    return contact is not None and any(g.account_id == account_id for g in contact.grants)
