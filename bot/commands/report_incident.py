"""`report-incident [SUMMARY] [--account ID] [...]`: report a suspected incident (INC-1).

The four INC-1 questions come as options (or from the form); until all four are answered the
reply is the form, pre-filled with what was given. A complete report goes to the analyst queue
at once and the reporter is told to phone: incidents are declared by phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from bot.casework import alerts
from bot.commands.context import (
    Context,
    answer,
    audience_for,
    check_action,
    choose_account,
)
from bot.commands.forms import incident_form, is_form
from bot.commands.verb import Verb
from bot.messages import ChatRequest, Fact, Message, Notice, NoticeKind, Outcome, Reply
from bot.model import Priority
from bot.policy.access import Action
from bot.policy.intake import MAX_IMPACT_CHARS, MAX_SHORT_FIELD_CHARS

DEFAULT_SUMMARY = "Suspected incident reported from chat"
# INC-1: the four questions, with the form's field names (the same as the command's options).
QUESTIONS = (
    ("affected", "How service is affected"),
    ("services", "Which services"),
    ("noticed", "First noticed"),
    ("all-users", "All users affected"),
)
_LIMITS = {
    "summary": 1000,
    "affected": MAX_IMPACT_CHARS,
    "services": MAX_IMPACT_CHARS,
    "noticed": MAX_SHORT_FIELD_CHARS,
}
_ALL_USERS = {"yes": "yes", "y": "yes", "true": "yes", "no": "no", "n": "no", "false": "no"}


@dataclass(frozen=True, slots=True)
class Options:
    """The options of `report-incident`."""

    account: str | None = None
    affected: str | None = None
    services: str | None = None
    noticed: str | None = None
    all_users: str | None = None


VERB = Verb(
    "report-incident",
    Action.REPORT_INCIDENT,
    (
        "report-incident [SUMMARY] [--account ID] [--affected TEXT] [--services TEXT] "
        "[--noticed TEXT] [--all-users yes|no]"
    ),
    "report a suspected incident (then phone us)",
    Options,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`report-incident [SUMMARY] [--account ID]`: report a suspected incident (then phone us)."""
    cmd = req.command
    values: dict[str, str | bool] = {
        k: v.strip() for k, v in cmd.options.items() if isinstance(v, str) and v.strip()
    }
    if not is_form(cmd) and cmd.args:
        values["summary"] = cmd.text_from(0).strip()
    explicit = (VERB.read(cmd).account or "").strip() or None
    account = await choose_account(req, ctx, Action.REPORT_INCIDENT, explicit)
    await check_action(req, ctx, Action.REPORT_INCIDENT, account)
    errors = _errors(values)
    missing = [name for name, _ in QUESTIONS if name not in values]
    if errors or (missing and is_form(cmd)):
        errors.update(dict.fromkeys(missing, "Please answer this question (INC-1)."))
        form = incident_form(values, errors)
        return answer(req, ctx, form, account, outcome=Outcome.INVALID)
    if missing:
        return answer(req, ctx, incident_form(values), account)
    answers = {name: str(values[name]) for name, _ in QUESTIONS}
    answers["all-users"] = _ALL_USERS[answers["all-users"].casefold()]
    summary = str(values.get("summary") or DEFAULT_SUMMARY)
    author = req.actor.email or req.actor.user_id
    phone = ctx.phone(account)
    notice = Notice(
        NoticeKind.INCIDENT_REPORTED,
        f"Suspected incident on {account.id}: {summary}",
        f"Reported from chat by {req.actor.name} ({author}), who was told to phone {phone} "
        "to declare it (INC-1).",
        (
            Fact("Account", f"{account.id} ({account.deployment.value}, {account.region})"),
            *(Fact(label, answers[name]) for name, label in QUESTIONS),
        ),
    )
    minute = f"{req.now.astimezone(UTC):%Y%m%d%H%M}"
    # Incidents are production-impacting: route the alert like a Critical case, so queues
    # that filter to the top priorities see it too.
    await alerts.to_queue(
        ctx.uow,
        account,
        Priority.CRITICAL,
        notice,
        f"incident-report:{account.id}:{author}:{minute}",
        req.now,
        ctx.time_zone(account),
    )
    await ctx.audit(
        req,
        "incident.report",
        None,
        account=account.id,
        summary=summary,
        all_users=answers["all-users"],
    )
    text = (
        f"Incidents are declared by phone: call support now on {phone} and say you reported a "
        f"suspected incident for account {account.id}. The support team has your answers "
        "already (INC-1)."
    )
    reply = Message(text, "Phone support now")
    return answer(req, ctx, reply, account, audience_for(req, account.id))


def _errors(values: dict[str, str | bool]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, limit in _LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors[name] = f"This answer is {len(value):,} characters; the limit is {limit:,}."
    all_users = values.get("all-users")
    if isinstance(all_users, str) and all_users.casefold() not in _ALL_USERS:
        errors["all-users"] = "Answer yes or no."
    return errors
