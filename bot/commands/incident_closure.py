"""`incident restore|all-clear|rca`: the end of an incident (INC-4, INC-5), and the incident
lookups every `incident` step shares."""

from __future__ import annotations

from bot.casework import incident_notices as cards
from bot.casework.tracking import record
from bot.commands.context import Context, Refused, answer
from bot.commands.limits import MAX_TEXT_CHARS, require_text
from bot.commands.restore import record_restoration
from bot.messages import ChatRequest, Fact, Message, Notice, NoticeKind, Reply
from bot.model import CaseEvent, EventKind, Status, SubStatus, Visibility
from bot.store.interface.incidents import Incident

RESTORE_USAGE = "incident restore ID [--agents N] [TEXT]"
ALL_CLEAR_USAGE = "incident all-clear ID INSTRUCTIONS"
RCA_USAGE = "incident rca ID TEXT"
MAX_AGENTS = 1_000_000


async def find_incident(req: ChatRequest, ctx: Context, usage: str) -> Incident:
    """The incident the second word names; raises `Refused` with the usage otherwise."""
    ref = (req.command.arg(1) or "").strip().lstrip("#")
    if not ref.isdigit():
        raise Refused(Reply.invalid(f"Give the incident id as a number. Usage: `{usage}`"))
    found = await ctx.uow.incidents.get(int(ref))
    if found is None:
        raise Refused(Reply.invalid(f"There is no incident {ref[:12]}."))
    return found


def ensure_running(incident: Incident, what: str) -> None:
    """INC-4: nothing more happens on an incident after its all-clear."""
    if not incident.is_open:
        raise Refused(
            Reply.refused(
                "INC-4",
                f"Incident {incident.id} had its all-clear, so you can't {what} it any more.",
                "Declare a new incident if the problem is back.",
            )
        )


async def restore(req: ChatRequest, ctx: Context, agents_option: str | None) -> Reply:
    """`incident restore ID [--agents N] [TEXT]`: announce restoration (INC-4, INC-6)."""
    incident = await find_incident(req, ctx, RESTORE_USAGE)
    ensure_running(incident, "restore")
    if incident.restored_at is not None:
        return Reply.refused(
            "INC-4",
            f"Incident {incident.id} was already restored.",
            f"Give the all-clear with `incident all-clear {incident.id} INSTRUCTIONS`.",
        )
    agents = _agents(agents_option)
    text = req.command.text_from(2).strip() or None
    if text is not None and len(text) > MAX_TEXT_CHARS:
        return Reply.invalid(f"The restoration text is over {MAX_TEXT_CHARS:,} characters.")
    incident = await ctx.uow.incidents.restore(incident.id, text, agents, req.now)
    restored_case = await _restore_case(req, ctx, incident, text)
    due = await cards.arm_rca_reminder(ctx.uow, ctx.config, incident)
    facts = cards.base_facts(incident)
    if agents is not None:
        facts = (*facts, Fact("Agents affected", str(agents)))
    times = (("Declared", incident.declared_at), ("Restored", req.now))
    card = Notice(
        NoticeKind.RESTORATION,
        cards.title(incident, "Service restored"),
        text or "Service has been restored. The all-clear with instructions follows.",
        facts,
        case_number=incident.case_number,
        incident_id=incident.id,
        times=(*times, ("RCA due", due)) if due is not None else times,
    )
    on_bridges, on_accounts = await cards.announce(
        ctx.uow, ctx.config, incident, card, f"incident:{incident.id}:restored", req.now
    )
    await ctx.audit(
        req,
        "incident.restore",
        incident.case_number,
        incident=incident.id,
        agents=agents,
        case_restored=restored_case,
    )
    rca = f" The RCA is due {due:%a %d %b %Y %H:%M} UTC (INC-5)." if due is not None else ""
    reply = (
        f"Restoration of incident {incident.id} announced on {on_bridges} bridge and "
        f"{on_accounts} account channel(s).{rca} Status cards continue until the all-clear."
    )
    if restored_case:
        reply += f" Case {incident.case_number} records the restoration (SLA-4)."
    return answer(req, ctx, Message(reply), None)


async def _restore_case(
    req: ChatRequest, ctx: Context, incident: Incident, text: str | None
) -> bool:
    """SLA-4: the linked case's restoration clock stops when its incident is restored."""
    if incident.case_number is None:
        return False
    case = await ctx.uow.cases.get_for_change(incident.case_number)
    account = await ctx.uow.directory.account(case.account_id) if case is not None else None
    if case is None or account is None or case.status is Status.CLOSED:
        return False
    note = text or f"incident {incident.id} is restored."
    author = req.actor.email or req.actor.user_id
    await record_restoration(ctx, case, account, author, req.platform, note, req.now)
    return True


def _agents(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.strip().isdigit() or int(raw) > MAX_AGENTS:
        raise Refused(
            Reply.invalid(
                f"--agents takes a whole number of affected agents. Usage: `{RESTORE_USAGE}`"
            )
        )
    return int(raw)


async def all_clear(req: ChatRequest, ctx: Context) -> Reply:
    """`incident all-clear ID INSTRUCTIONS`: back to normal operations; ends the INC-3 posts."""
    incident = await find_incident(req, ctx, ALL_CLEAR_USAGE)
    ensure_running(incident, "give the all-clear on")
    if incident.restored_at is None:
        return Reply.refused(
            "INC-4",
            f"Incident {incident.id} is not restored yet; the all-clear comes after restoration.",
            f"Announce restoration first: `incident restore {incident.id} [--agents N] [TEXT]`.",
        )
    text = require_text(req.command.text_from(2), "instructions", ALL_CLEAR_USAGE, MAX_TEXT_CHARS)
    incident = await ctx.uow.incidents.all_clear(incident.id, text, req.now)
    await ctx.uow.timers.set(cards.POST_TIMER, str(incident.id), None)
    card = Notice(
        NoticeKind.ALL_CLEAR,
        cards.title(incident, "All clear"),
        text,
        cards.base_facts(incident),
        case_number=incident.case_number,
        incident_id=incident.id,
        times=(("Declared", incident.declared_at), ("All clear", req.now)),
    )
    on_bridges, on_accounts = await cards.announce(
        ctx.uow, ctx.config, incident, card, f"incident:{incident.id}:all-clear", req.now
    )
    await ctx.audit(req, "incident.all_clear", incident.case_number, incident=incident.id)
    reply = (
        f"All-clear for incident {incident.id} announced on {on_bridges} bridge and "
        f"{on_accounts} account channel(s); the 30-minute status cards have stopped."
    )
    return answer(req, ctx, Message(reply), None)


async def rca(req: ChatRequest, ctx: Context) -> Reply:
    """`incident rca ID TEXT`: deliver the RCA; the linked case moves to Solution Proposed."""
    incident = await find_incident(req, ctx, RCA_USAGE)
    if incident.restored_at is None:
        return Reply.refused(
            "INC-5",
            f"Incident {incident.id} is not restored yet; the RCA follows restoration.",
            f"Announce restoration first: `incident restore {incident.id} [--agents N] [TEXT]`.",
        )
    if incident.rca_at is not None:
        return Reply.refused(
            "INC-5",
            f"The RCA of incident {incident.id} was already delivered.",
            "Add further findings to the linked case with `respond CASE TEXT`.",
        )
    text = require_text(req.command.text_from(2), "RCA", RCA_USAGE, MAX_TEXT_CHARS)
    incident = await ctx.uow.incidents.rca(incident.id, text, req.now)
    await ctx.uow.timers.set(cards.RCA_REMINDER_TIMER, str(incident.id), None)
    card = Notice(
        NoticeKind.RCA,
        cards.title(incident, "Root cause analysis"),
        text,
        cards.base_facts(incident),
        case_number=incident.case_number,
        incident_id=incident.id,
        times=(("Declared", incident.declared_at), ("Delivered", req.now)),
    )
    on_bridges, on_accounts = await cards.announce(
        ctx.uow, ctx.config, incident, card, f"incident:{incident.id}:rca", req.now
    )
    moved = await _move_case(req, ctx, incident, text)
    await ctx.audit(req, "incident.rca", incident.case_number, incident=incident.id, moved=moved)
    reply = (
        f"RCA of incident {incident.id} delivered on {on_bridges} bridge and {on_accounts} "
        f"account channel(s)."
    )
    if incident.case_number is not None:
        reply += (
            f" Case {incident.case_number} is now Solution Proposed; follow-ups have started."
            if moved
            else f" Case {incident.case_number} is closed, so its status was left as it is."
        )
    return answer(req, ctx, Message(reply), None)


async def _move_case(req: ChatRequest, ctx: Context, incident: Incident, text: str) -> bool:
    """INC-5: the RCA is delivered in the linked case, which moves to Solution Proposed."""
    if incident.case_number is None:
        return False
    case = await ctx.uow.cases.get_for_change(incident.case_number)
    account = await ctx.uow.directory.account(case.account_id) if case is not None else None
    if case is None or account is None or case.status is Status.CLOSED:
        return False
    author = req.actor.email or req.actor.user_id
    body = f"Root cause analysis of incident {incident.id} (INC-5):\n{text}"
    reply = CaseEvent(EventKind.STAFF_RESPONSE, req.now, author, req.platform, body=body)
    case = await record(ctx, case, account, reply)
    change = CaseEvent(
        EventKind.STATUS_CHANGE,
        req.now,
        author,
        req.platform,
        Visibility.PUBLIC,
        "Root cause analysis delivered (INC-5).",
        status=Status.SOLUTION_PROPOSED,
        sub_status=SubStatus.REPLIED,
    )
    # record() moves the FUP-1 timer: Solution Proposed starts the follow-ups.
    await record(
        ctx, case, account, change, status=Status.SOLUTION_PROPOSED, sub_status=SubStatus.REPLIED
    )
    return True
