"""Which handler answers which verb."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
from bot.messages import ChatRequest, Reply

Handler = Callable[[ChatRequest, Context], Awaitable[Reply]]

HANDLERS: dict[str, Handler] = {
    "help": help_page.handle,
    "whoami": whoami.handle,
    "notices": notices.handle,
    "open": open_case.handle,
    "list": list_cases.handle,
    "show": show.handle,
    "update": update.handle,
    "sla": sla.handle,
    "close": close.handle,
    "reopen": reopen.handle,
    "escalate": escalate.handle,
    "priority": priority.handle,
    "survey": survey.handle,
    "report-incident": report_incident.handle,
    "queue": queue.handle,
    "take": take.handle,
    "respond": respond.handle,
    "request-info": request_info.handle,
    "propose": propose.handle,
    "set-priority": set_priority.handle,
    "set-status": set_status.handle,
    "restore": restore.handle,
    "escalation": escalation.handle,
    "incident": incident.handle,
    "notify": notify.handle,
}
