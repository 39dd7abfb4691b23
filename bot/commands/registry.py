"""Every chat verb, collected from one list of verb modules: the grammar of PRODUCT.md.

The router parses and dispatches with it and `help` prints it, filtered to what the asker may
do; the order of `MODULES` is the order `help` lists the verbs in. Adding a verb is one module
(its `VERB` and `handle`) and one line here; `tests/unit/commands/test_verb_registry.py` checks
that the registry, the policy's actions, `help` and the R5 matrix agree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.commands import (
    close,
    escalate,
    escalation,
    help_page,
    incident,
    list_cases,
    notices,
    notify,
    open_case,
    priority,
    propose,
    queue,
    reopen,
    report_incident,
    request_info,
    respond,
    restore,
    set_priority,
    set_status,
    show,
    sla,
    survey,
    take,
    update,
    whoami,
)
from bot.commands.context import Context
from bot.commands.verb import Verb
from bot.messages import ChatRequest, Reply

Handler = Callable[[ChatRequest, Context], Awaitable[Reply]]


class VerbModule(Protocol):
    """A module of `bot/commands/` that is one chat verb."""

    VERB: Verb[Any]

    async def handle(self, req: ChatRequest, ctx: Context) -> Reply: ...


MODULES: tuple[VerbModule, ...] = (
    help_page,
    whoami,
    notices,
    open_case,
    list_cases,
    show,
    sla,
    update,
    close,
    reopen,
    escalate,
    priority,
    report_incident,
    survey,
    queue,
    take,
    respond,
    request_info,
    propose,
    set_priority,
    set_status,
    restore,
    escalation,
    incident,
    notify,
)

VERBS: dict[str, Verb[Any]] = {module.VERB.name: module.VERB for module in MODULES}
HANDLERS: dict[str, Handler] = {module.VERB.name: module.handle for module in MODULES}


def lookup(name: str) -> Verb[Any] | None:
    """The verb typed as `name` (any case), if there is one."""
    return VERBS.get(name.lower())
