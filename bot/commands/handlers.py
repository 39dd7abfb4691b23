"""Which handler answers which verb."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands import help, list, open, show, update, whoami
from bot.commands.context import Context
from bot.messages import ChatRequest, Reply

Handler = Callable[[ChatRequest, Context], Awaitable[Reply]]

HANDLERS: dict[str, Handler] = {
    "help": help.handle,
    "whoami": whoami.handle,
    "open": open.handle,
    "list": list.handle,
    "show": show.handle,
    "update": update.handle,
}
