"""`notify maintenance|emergency|advisory ...`: service notices to accounts (NOT-1).

Each notice gets a unique reference number and is queued to every channel of each recipient
account, with its times shown in that account's own time zone (seeds/002 section 10).
Times typed without an offset are read as UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.casework import alerts
from bot.commands.context import Context, Refused, answer, check_action
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.verb import Verb
from bot.messages import ChatRequest, Fact, Message, Notice, NoticeKind, Reply
from bot.model import Account
from bot.policy.access import Action
from bot.store.interface.incidents import ServiceNotice

# NOT-1 (seeds/002 section 10): planned maintenance is announced 7 to 14 days ahead.
PLANNED_MIN_NOTICE = timedelta(days=7)
PLANNED_MAX_NOTICE = timedelta(days=14)
MAX_IMPACT_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `notify`."""

    accounts: str | None = None
    start: str | None = None
    end: str | None = None
    impact: str | None = None


VERB = Verb(
    "notify",
    Action.NOTIFY,
    (
        "notify maintenance|emergency|advisory --accounts A,B|all --start ISO --end ISO "
        "[--impact TEXT] TEXT"
    ),
    "announce maintenance or an advisory to accounts, in each account's time zone",
    Options,
)


@dataclass(frozen=True, slots=True)
class _Kind:
    stored: str  # the notice kind the store keeps
    notice: NoticeKind
    label: str
    needs_times: bool


KINDS = {
    "maintenance": _Kind("maintenance", NoticeKind.MAINTENANCE, "Planned maintenance", True),
    "emergency": _Kind(
        "emergency", NoticeKind.EMERGENCY_MAINTENANCE, "Emergency maintenance", True
    ),
    "advisory": _Kind("advisory", NoticeKind.ADVISORY, "Advisory", False),
}


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`notify maintenance|emergency|advisory --accounts A,B|all --start ISO --end ISO TEXT`."""
    await check_action(req, ctx, Action.NOTIFY, None)
    kind = KINDS.get((req.command.arg(0) or "").lower())
    if kind is None:
        return Reply.invalid(f"Which kind of notice? Usage: `{VERB.usage}`")
    opts = VERB.read(req.command)
    start = _time("start", opts.start)
    end = _time("end", opts.end)
    _check_times(req, kind, start, end)
    text = require_text(req.command.text_from(1), "notice", VERB.usage, MAX_TEXT_CHARS)
    impact = opts.impact.strip() or None if opts.impact is not None else None
    if impact is not None and len(impact) > MAX_IMPACT_CHARS:
        return Reply.invalid(f"--impact is over {MAX_IMPACT_CHARS:,} characters.")
    everyone, accounts = await _recipients(req, ctx)
    by = req.actor.email or req.actor.user_id
    notice = await ctx.uow.notices.add(
        kind.stored,
        [] if everyone else [a.id for a in accounts],
        text,
        by,
        req.now,
        starts_at=start,
        ends_at=end,
        impact=impact,
    )
    card = notice_card(notice)
    channels = 0
    silent: list[str] = []
    for account in accounts:
        # NOT-1: one post per channel, its times in the recipient account's own zone.
        queued = await alerts.to_account(
            ctx.uow, account, card, f"notice:{notice.reference}", req.now, ctx.time_zone(account)
        )
        channels += queued
        if not queued:
            silent.append(account.id)
    await ctx.audit(
        req,
        f"notice.{kind.stored}",
        None,
        reference=notice.reference,
        accounts="all" if everyone else [a.id for a in accounts],
    )
    reply = (
        f"{kind.label} notice {notice.reference} queued to {channels} channel(s) of "
        f"{len(accounts) - len(silent)} account(s), with times in each account's time zone."
    )
    if silent:
        reply += f" No channel is bound for: {', '.join(silent)}."
    return answer(req, ctx, Message(reply, f"Notice {notice.reference}"), None)


def notice_card(notice: ServiceNotice) -> Notice:
    """NOT-1: the card of a service notice; its times are shown in each viewer's zone."""
    kind = KINDS.get(notice.kind, KINDS["advisory"])
    times = tuple(
        (label, at) for label, at in (("Starts", notice.starts_at), ("Ends", notice.ends_at)) if at
    )
    return Notice(
        kind.notice,
        f"{kind.label} (reference {notice.reference})",
        notice.text,
        (
            Fact("Reference", str(notice.reference)),
            Fact("Expected impact", notice.impact or "none stated"),
        ),
        times=times,
    )


def _time(name: str, raw: str | None) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        at = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Refused(
            Reply.invalid(
                f"--{name} `{raw[:40]}` is not an ISO time; write it like 2026-12-05T22:00Z "
                "or 2026-12-05T23:00+01:00."
            )
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _check_times(
    req: ChatRequest, kind: _Kind, start: datetime | None, end: datetime | None
) -> None:
    if kind.needs_times and (start is None or end is None):
        raise Refused(Reply.invalid(f"{kind.label} needs --start and --end. Usage: `{VERB.usage}`"))
    if start is not None and end is not None and end <= start:
        raise Refused(Reply.invalid("--end must be after --start."))
    if kind.notice is NoticeKind.MAINTENANCE and start is not None:
        ahead = start - req.now
        if not PLANNED_MIN_NOTICE <= ahead <= PLANNED_MAX_NOTICE:
            raise Refused(
                Reply.refused(
                    "NOT-1",
                    "Planned maintenance is announced 7 to 14 days ahead; this one starts "
                    f"{_days(ahead)}.",
                    "Move the start into that window, or post it as `notify emergency` if it "
                    "cannot wait.",
                )
            )
    if kind.notice is NoticeKind.EMERGENCY_MAINTENANCE and end is not None and end <= req.now:
        raise Refused(Reply.invalid("This maintenance has already ended; --end is in the past."))


def _days(delta: timedelta) -> str:
    if delta < timedelta(0):
        return "in the past"
    return f"in {delta / timedelta(days=1):.1f} days"


async def _recipients(req: ChatRequest, ctx: Context) -> tuple[bool, list[Account]]:
    raw = VERB.read(req.command).accounts
    if raw is None or not raw.strip():
        raise Refused(Reply.invalid(f"Name the accounts, or `all`. Usage: `{VERB.usage}`"))
    names = list(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))
    if names == ["all"]:
        return True, await ctx.uow.directory.accounts()
    found: list[Account] = []
    unknown: list[str] = []
    for name in names:
        account = await ctx.uow.directory.account(name)
        if account is None:
            unknown.append(name[:40])
        else:
            found.append(account)
    if unknown or not found:
        raise Refused(Reply.invalid(f"Unknown account(s): {', '.join(unknown) or raw[:40]}."))
    return False, found
