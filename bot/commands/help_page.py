"""`help [VERB]`: what the asker may do here, or how to use one verb."""

from __future__ import annotations

from bot.commands.context import Context, accounts_today, answer
from bot.commands.verbs import VERBS
from bot.messages import ChatRequest, Help, HelpEntry, Reply
from bot.model import Priority
from bot.policy import access
from bot.policy.intake import CHAT_PRIORITIES, priority_guide

# CASE-3: where a priority is chosen, `help VERB` shows what each one means.
_CHOOSES_PRIORITY: dict[str, tuple[Priority, ...]] = {
    "open": CHAT_PRIORITIES,
    "priority": CHAT_PRIORITIES,
    "set-priority": tuple(Priority),
}
_INTRO = "Commands you can use (options go anywhere; quote values with spaces):"
_UNMAPPED = (
    "Your chat account isn't linked to a support contact yet, so you can only use these. "
    "Ask your company's designated support contact to add you to the support directory."
)


async def handle(req: ChatRequest, ctx: Context) -> Reply:
    """`help [VERB]`: the verbs you may use, or one verb's usage."""
    allowed = access.allowed_actions(req.actor, await accounts_today(req, ctx), req.now)
    visible = [v for v in VERBS.values() if v.action in allowed]
    if req.command.args:
        name = req.command.args[0].lower()
        match = [v for v in visible if v.name == name]
        if not match:
            return Reply.invalid(
                f"Unknown command `{name[:30]}`. Type `help` to see what you can do."
            )
        verb = match[0]
        summary = verb.summary
        if verb.name in _CHOOSES_PRIORITY:
            summary += "\n" + priority_guide(_CHOOSES_PRIORITY[verb.name])
        return answer(req, ctx, Help((HelpEntry(verb.name, verb.usage, summary),)), None)
    entries = tuple(HelpEntry(v.name, v.usage, v.summary) for v in visible)
    intro = _UNMAPPED if not req.actor.is_mapped else _INTRO
    return answer(req, ctx, Help(entries, intro), None)
