"""`incident declare|status|restore|all-clear|rca`: run an incident from its bridge (INC-2..INC-5).

Declaring posts the incident card at once and arms the INC-3 timer; the 30-minute status cards
are the scheduler's (`bot.jobs.incident_sweep`). Restoration, the all-clear and the RCA are in
`bot.commands.incident_closure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

from bot.casework import incident_notices as cards
from bot.commands import incident_closure
from bot.commands.context import Context, Refused, answer, check_action
from bot.commands.incident_closure import ensure_running, find_incident
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.parser import parse_case_ref
from bot.commands.verb import Verb
from bot.messages import ChatRequest, Message, Notice, NoticeKind, Reply
from bot.model import Account, ChannelBinding, ChannelPurpose
from bot.policy.access import Action
from bot.store.interface.incidents import ChannelRef

DECLARE_USAGE = (
    "incident declare SEVERITY SUMMARY --accounts A,B --bridge CHANNEL[,CHANNEL] "
    "[--services TEXT] [--case CASE]"
)
STATUS_USAGE = "incident status ID TEXT [--next TEXT]"
STEP_USAGE = "incident declare|status|restore|all-clear|rca ID ..."  # which step is missing
MAX_SUMMARY_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `incident`."""

    accounts: str | None = None
    bridge: str | None = None
    services: str | None = None
    case: str | None = None
    next: str | None = None
    agents: str | None = None


VERB = Verb(
    "incident",
    Action.INCIDENT_RUN,
    " | ".join(
        (
            DECLARE_USAGE,
            STATUS_USAGE,
            incident_closure.RESTORE_USAGE,
            incident_closure.ALL_CLEAR_USAGE,
            incident_closure.RCA_USAGE,
        )
    ),
    "declare and run an incident: status cards every 30 minutes, restoration, RCA",
    Options,
    more_actions=(Action.INCIDENT_DECLARE,),
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`incident declare|status|restore|all-clear|rca ...`: declare and run an incident."""
    sub = (req.command.arg(0) or "").lower()
    if sub == "declare":
        await check_action(req, ctx, Action.INCIDENT_DECLARE, None)
        return await _declare(req, ctx)
    await check_action(req, ctx, Action.INCIDENT_RUN, None)
    if sub == "status":
        return await _status(req, ctx)
    if sub == "restore":
        return await incident_closure.restore(req, ctx, VERB.read(req.command).agents)
    if sub == "all-clear":
        return await incident_closure.all_clear(req, ctx)
    if sub == "rca":
        return await incident_closure.rca(req, ctx)
    return Reply.invalid(f"Which incident step? Usage: `{STEP_USAGE}`")


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _stripped(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


async def _declare(req: ChatRequest, ctx: Context) -> Reply:
    severity = cards.parse_severity(req.command.arg(1) or "")
    if severity is None:
        choices = ", ".join(cards.SEVERITIES)
        return Reply.invalid(f"Give the severity as one of {choices}. Usage: `{DECLARE_USAGE}`")
    summary = require_text(req.command.text_from(2), "summary", DECLARE_USAGE, MAX_SUMMARY_CHARS)
    opts = VERB.read(req.command)
    accounts = await _accounts(ctx, _stripped(opts.accounts))
    bridges = await _bridges(ctx, _stripped(opts.bridge), req.channel_refs)
    services = _stripped(opts.services)
    if services is not None and len(services) > MAX_SUMMARY_CHARS:
        return Reply.invalid(f"--services is over {MAX_SUMMARY_CHARS:,} characters.")
    case_number = await _linked_case(ctx, _stripped(opts.case))
    commander = req.actor.email or req.actor.user_id
    incident = await ctx.uow.incidents.declare(
        severity,
        summary,
        [a.id for a in accounts],
        services,
        [ChannelRef(b.platform, b.channel_id) for b in bridges],
        case_number,
        commander,
        req.now,
    )
    first = incident.declared_at.astimezone(UTC) + cards.interval(ctx.config)
    card = Notice(
        NoticeKind.INCIDENT_DECLARED,
        cards.title(incident, "Incident declared"),
        summary,
        cards.base_facts(incident),
        case_number=case_number,
        incident_id=incident.id,
        times=(("Declared", incident.declared_at), ("First status update", first)),
    )
    on_bridges, on_accounts = await cards.announce(
        ctx.uow, ctx.config, incident, card, f"incident:{incident.id}:declared", req.now
    )
    # INC-3: the first card is due one interval after the declaration; the sweep re-arms it.
    await ctx.uow.timers.set(cards.POST_TIMER, str(incident.id), first, {cards.SEEN_KEY: 0})
    await ctx.audit(
        req,
        "incident.declare",
        case_number,
        incident=incident.id,
        severity=severity,
        accounts=[a.id for a in accounts],
        bridges=[b.channel_id for b in bridges],
    )
    text = (
        f"Incident {incident.id} declared ({cards.severity_label(severity)}). The incident card "
        f"went to {on_bridges} bridge channel(s) ({', '.join(b.channel_id for b in bridges)}) and "
        f"{on_accounts} channel(s) of {', '.join(a.id for a in accounts)}. Status cards follow "
        f"every {ctx.config.incident_status_interval_minutes} minutes from "
        f"{first:%H:%M} UTC; post status with `incident status {incident.id} TEXT --next TEXT`."
    )
    return answer(req, ctx, Message(text, f"Incident {incident.id} declared"), None)


async def _accounts(ctx: Context, text: str | None) -> list[Account]:
    if not text:
        raise Refused(Reply.invalid(f"Name the affected accounts. Usage: `{DECLARE_USAGE}`"))
    found: list[Account] = []
    unknown: list[str] = []
    for name in _names(text.lower()):
        account = await ctx.uow.directory.account(name)
        if account is None:
            unknown.append(name[:40])
        else:
            found.append(account)
    if unknown:
        raise Refused(Reply.invalid(f"Unknown account(s): {', '.join(unknown)}."))
    return found


async def _bridges(ctx: Context, text: str | None, refs: Mapping[str, str]) -> list[ChannelBinding]:
    if not text:
        raise Refused(Reply.invalid(f"Name the bridge channel(s). Usage: `{DECLARE_USAGE}`"))
    bound = await ctx.uow.directory.bridge_channels()
    found: list[ChannelBinding] = []
    wrong: list[str] = []
    for typed in _names(text):
        # A channel the platform resolved ("#bridge") by its id, what the directory binds; the
        # platform is the binding's: a channel id names one bridge on any platform.
        name = refs.get(typed, typed)
        match = [b for b in bound if b.channel_id == name] or [
            b for b in bound if b.channel_id.casefold() == name.casefold()
        ]
        if match:
            found.extend(b for b in match if b not in found)
        else:
            wrong.append(name[:60])
    if wrong:
        raise Refused(
            Reply.invalid(
                f"Not a bridge channel in the directory: {', '.join(wrong)}. Bridges: "
                f"{', '.join(b.channel_id for b in bound) or 'none bound'} "
                f"(purpose {ChannelPurpose.BRIDGE.value})."
            )
        )
    return found


async def _linked_case(ctx: Context, text: str | None) -> int | None:
    if text is None:
        return None
    number = parse_case_ref(text)
    if number is None or await ctx.uow.cases.get(number) is None:
        raise Refused(Reply.invalid(f"There is no case `{text[:40]}` to link."))
    return number


async def _status(req: ChatRequest, ctx: Context) -> Reply:
    incident = await find_incident(req, ctx, STATUS_USAGE)
    ensure_running(incident, "post a status on")
    text = require_text(req.command.text_from(2), "status", STATUS_USAGE, MAX_TEXT_CHARS)
    next_steps = _stripped(VERB.read(req.command).next)
    if next_steps is not None and len(next_steps) > MAX_TEXT_CHARS:
        return Reply.invalid(f"--next is over {MAX_TEXT_CHARS:,} characters.")
    by = req.actor.email or req.actor.user_id
    await ctx.uow.incidents.add_status(incident.id, text, next_steps, by, req.now)
    await ctx.audit(req, "incident.status", incident.case_number, incident=incident.id)
    timer = await ctx.uow.timers.get(cards.POST_TIMER, str(incident.id))
    when = f" at {timer.due_at.astimezone(UTC):%H:%M} UTC" if timer is not None else ""
    reply = f"Status recorded for incident {incident.id}; the next status card{when} carries it."
    return answer(req, ctx, Message(reply), None)
