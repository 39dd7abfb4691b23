"""What the `supportbot` sub-commands do, once `bot.cli` has parsed them."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.console import run_console
from bot.adapters.registry import PLATFORMS
from bot.admin_outbox import OutboxCommandError, outbox_command
from bot.app import Services, services
from bot.cards.reports import render_availability, render_monthly
from bot.commands.parser import parse_case_ref
from bot.demo.script import run_demo
from bot.directory import DirectoryError, check_directory, load_directory
from bot.jobs.reports import availability_report, monthly_report
from bot.jobs.scheduler import run_once
from bot.metrics import Metrics
from bot.model import (
    Case,
    CaseEvent,
    EventKind,
    Platform,
    Priority,
    Stage,
    Status,
    SubStatus,
    format_case_number,
)
from bot.policy import sla
from bot.policy.config_file import PolicyConfigError
from bot.policy.reports import ReportError, ReportMonth
from bot.server import Server, serve
from bot.settings import Settings
from bot.store.interface.errors import SchemaOutdated
from bot.store.sql import upgrade

# Directory errors and `directory check` cite rule ids; this is where an admin reads them.
_DIRECTORY_HELP = (
    "The directory format: README.md#directory-file; the rules cited: docs/policy.md "
    "(e.g. docs/policy.md#acc-4)."
)


class CommandFailed(Exception):
    """A sub-command could not do its job; the message says why (printed, exit status 1)."""


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch a parsed command line."""
    try:
        if args.command == "db":
            await upgrade(settings.database_url)
            print(f"Database is up to date ({_redacted(settings.database_url)}).")
            return 0
        if args.command == "manifest":
            return _manifest(args, settings)
        if args.command == "demo":
            return await run_demo()  # its own temporary database: no `services()` here
        if args.command == "serve":
            metrics = Metrics()
            async with services(settings, observe=metrics.observe_request) as svc:
                await serve(svc, metrics, args.host, args.port, not args.no_scheduler)
            return 0
        async with services(settings) as svc:
            return await _dispatch(args, svc)
    except DirectoryError as err:
        raise CommandFailed(f"{err}\n{_DIRECTORY_HELP}") from err
    except (PolicyConfigError, SchemaOutdated) as err:
        raise CommandFailed(str(err)) from err
    except OSError as err:
        raise CommandFailed(str(err)) from err


async def _dispatch(args: argparse.Namespace, svc: Services) -> int:
    match args.command:
        case "directory":
            return await _directory(args, svc)
        case "sla":
            return await _sla_due(args, svc)
        case "chat":
            platform = Platform(args.platform)
            return await run_console(svc.router, args.email, platform, args.channel, args.now)
        case "audit":
            return await _audit(args, svc)
        case "scheduler":
            return await _run_once(args, svc)
        case "report":
            return await _report(args, svc)
        case "outbox":
            try:
                return await outbox_command(args, svc.store)
            except OutboxCommandError as err:
                raise CommandFailed(str(err)) from err
    raise CommandFailed(f"unknown command {args.command}")


async def _directory(args: argparse.Namespace, svc: Services) -> int:
    if args.directory_command == "load":
        summary = await load_directory(svc.store, args.file, svc.config)
        print(
            f"Loaded {args.file}: {summary.accounts} accounts, {summary.contacts} contacts, "
            f"{summary.grants} grants, {summary.staff} staff, {summary.channels} channels."
        )
        return 0
    now = datetime.now(UTC)
    # Without --today each account is judged on its own day, as chat judges it (ACC-3).
    homes = {
        Platform.SLACK: svc.settings.slack_staff_workspaces,
        Platform.TEAMS: svc.settings.teams_staff_tenants,
    }
    lines = await check_directory(svc.store, args.today, svc.config, now, homes)
    today = args.today or now.date()
    for line in lines:
        print(line)
    if not lines:
        print(f"No problems on {today.isoformat()}.")
    else:
        print(_DIRECTORY_HELP)
    return 0


async def _sla_due(args: argparse.Namespace, svc: Services) -> int:
    async with svc.store.unit_of_work() as uow:
        account = await uow.directory.account(args.account)
    if account is None:
        raise CommandFailed(f"no account {args.account!r}; load the directory first")
    try:
        priority = Priority(args.priority.strip().lower())
    except ValueError:
        choices = ", ".join(p.value for p in Priority)
        raise CommandFailed(f"unknown priority {args.priority!r}; use one of: {choices}") from None
    if args.production_down and priority is not Priority.CRITICAL:
        raise CommandFailed("--production-down goes with --priority critical (CASE-3)")
    opened = (args.opened or datetime.now(UTC)).astimezone(UTC)
    event = CaseEvent(
        EventKind.OPENED,
        opened,
        "cli",
        status=Status.OPEN,
        sub_status=SubStatus.NEW,
        priority=priority,
        production_down=args.production_down,
    )
    case = Case(
        0,
        account.id,
        "(what-if)",
        "",
        priority,
        "Support",
        "Problem",
        Stage.PRODUCTION,
        Status.OPEN,
        SubStatus.NEW,
        "cli",
        opened,
        opened,
        args.production_down,
        events=(event,),
    )
    try:
        clocks = sla.clocks(case, account, svc.config, opened)
    except ValueError as err:
        raise CommandFailed(str(err)) from err
    zone = ZoneInfo(svc.config.region(account.region).time_zone)
    label = priority.label + (" - Production Down" if args.production_down else "")
    print(
        f"Account {account.id} ({account.deployment.value}, {account.care_level.value}, "
        f"region {account.region}, {zone.key}); priority {label}"
    )
    print(f"Opened:     {_both(opened, zone)}")
    for clock in (clocks.response, clocks.resolution):
        if clock is None:
            continue
        due = _both(clock.due_at, zone) if clock.due_at else "n/a"
        print(f"{clock.label.capitalize() + ':':<11} {clock.duration.describe():<22} due {due}")
    return 0


def _both(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a %d %b %Y %H:%M %Z}  ({at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


async def _audit(args: argparse.Namespace, svc: Services) -> int:
    number = None
    if args.case:
        number = parse_case_ref(args.case)
        if number is None:
            raise CommandFailed(f"{args.case!r} is not a case number")
    async with svc.store.unit_of_work() as uow:
        entries = await uow.audit.entries(number)
    for e in entries:
        case = format_case_number(e.case_number) if e.case_number else "-"
        platform = e.platform.value if e.platform else "-"
        print(
            f"{e.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z  {platform:<7} {case:<10}  "
            f"{e.actor:<28} {e.action}  {e.detail}"
        )
    if not entries:
        print("No audit entries.")
    return 0


async def _run_once(args: argparse.Namespace, svc: Services) -> int:
    server = Server(svc, Metrics(), scheduler=False)
    now = (args.now or datetime.now(UTC)).astimezone(UTC)
    try:
        report = await run_once(svc.store, svc.config, now, server.deliverers, worker=server.worker)
    finally:
        await server.close_adapters()
    queued = ", ".join(f"{name} {count}" for name, count in report.queued.items())
    d = report.delivery
    print(
        f"Pass at {now.isoformat()}: queued {queued or 'nothing'}; delivered {d.delivered}, "
        f"retrying {d.retried}, dead {d.dead}."
    )
    if report.failed:
        raise CommandFailed(
            f"these parts of the pass failed (see the log): {', '.join(report.failed)}"
        )
    return 0


async def _report(args: argparse.Namespace, svc: Services) -> int:
    # INC-6: the account's licensed agents come from the directory; --agents overrides them.
    agents: int | None = args.agents
    if agents is not None and agents <= 0:
        raise CommandFailed("--agents must be a positive number")
    try:
        month = ReportMonth.parse(args.month)
        async with svc.store.unit_of_work(read_only=True) as uow:
            if args.kind == "availability":
                found = await availability_report(uow, svc.config, args.account, month, agents)
                print(render_availability(found))
            else:
                report = await monthly_report(uow, svc.config, args.account, month, agents)
                print(render_monthly(report))
    except ReportError as err:
        raise CommandFailed(str(err)) from err
    return 0


def _manifest(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.app_id:
        settings = dataclasses.replace(settings, microsoft_app_id=args.app_id)
    for platform in PLATFORMS:  # what each platform's admin installs the app with
        try:
            built = platform.package(args.url, settings, out)
        except ValueError as err:
            raise CommandFailed(f"{platform.platform.value}: {err}") from err
        if built.path is None:
            print(f"{built.title}: {built.note}")
        else:
            print(f"{built.title}: {built.path}  {built.note}")
    return 0


def _redacted(url: str) -> str:
    """R8: never print a database password."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in credentials else url
