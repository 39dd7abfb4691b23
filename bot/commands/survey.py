"""`survey CASE RATING [COMMENT]`: the opener rates a closed case, once (CASE-8)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.commands.context import Context, answer, check_action, ensure, visible_case
from bot.commands.forms import form_case_ref, form_text, is_form, survey_form
from bot.commands.limits import MAX_REASON_CHARS
from bot.commands.verb import NoOptions, Verb
from bot.messages import ChatRequest, Message, Outcome, Reply
from bot.model import CaseEvent, EventKind, Status, Visibility
from bot.policy import lifecycle
from bot.policy.access import Action

RATINGS = range(1, 6)  # CASE-8: a 1-5 rating


VERB = Verb(
    "survey",
    Action.SURVEY,
    "survey CASE RATING [COMMENT]",
    "rate how a closed case went (1-5), or just `survey CASE` for the form",
    NoOptions,
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`survey CASE RATING [COMMENT]`: rate how a closed case went (1-5)."""
    cmd = req.command
    case, account = await visible_case(req, ctx, form_case_ref(cmd), for_change=True)
    await check_action(req, ctx, Action.SURVEY, account)
    email = req.actor.email or ""
    if email.casefold() != case.opened_by.casefold():
        return Reply.refused(
            "CASE-8",
            f"The survey for case {case.ref} is for the contact who opened it ({case.opened_by}).",
            "Share your own feedback on the case with your account manager.",
        )
    closed_at = case.closed_at if case.status is Status.CLOSED else None
    ensure(lifecycle.survey_open(closed_at, req.now, ctx.config))
    if is_form(cmd):
        # The rating form (CASE-8): a rejected answer comes back with what was chosen and typed.
        rating, comment = _rating(form_text(cmd, "rating")), form_text(cmd, "comment")
        errors = _form_errors(rating, comment)
        if errors or rating is None:
            values = {"rating": form_text(cmd, "rating"), "comment": comment}
            form = survey_form(case.number, errors, values)
            return answer(req, ctx, form, account, outcome=Outcome.INVALID)
    elif not cmd.arg(1):
        return answer(req, ctx, survey_form(case.number), account)  # the Rate button
    else:
        rating, comment = _rating(cmd.arg(1)), cmd.text_from(2).strip()
        if rating is None:
            return Reply.invalid(f"The rating is a whole number from 1 to 5. Usage: `{VERB.usage}`")
        if len(comment) > MAX_REASON_CHARS:
            return Reply.invalid(
                f"The comment is {len(comment):,} characters; the limit is {MAX_REASON_CHARS:,}."
            )
    earlier = await ctx.uow.surveys.for_case(case.number)
    if earlier:
        first = earlier[0]
        zone = ctx.time_zone(account)
        when = first.at.astimezone(ZoneInfo(zone))
        return Reply.refused(
            "CASE-8",
            f"Case {case.ref} was already rated {first.rating}/5 on {when:%Y-%m-%d} ({zone}); "
            "a survey is answered once per case.",
            "Tell your account manager if you want to add to that feedback.",
        )
    author = req.actor.email or req.actor.user_id
    await ctx.uow.surveys.record(case.number, rating, comment, author, req.now)
    body = f"Rating: {rating}/5" + (f"\n{comment}" if comment else "")
    # An answer to the survey is not a change of the case: its fields and timers stay as closed.
    await ctx.uow.cases.add_event(
        case.number,
        CaseEvent(EventKind.SURVEY, req.now, author, req.platform, Visibility.INTERNAL, body),
    )
    await ctx.audit(req, "case.survey", case.number, rating=rating)
    return answer(
        req, ctx, Message(f"Thank you: you rated case {case.ref} {rating}/5.", "Survey"), account
    )


def _form_errors(rating: int | None, comment: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if rating is None:
        errors["rating"] = "Choose a rating from 1 (poor) to 5 (excellent)."
    if len(comment) > MAX_REASON_CHARS:
        errors["comment"] = (
            f"The comment is {len(comment):,} characters; the limit is {MAX_REASON_CHARS:,}."
        )
    return errors


def _rating(text: str | None) -> int | None:
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 2:
        return None
    value = int(digits)
    return value if value in RATINGS else None
