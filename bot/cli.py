"""`supportbot`: the console script. Thin: parse arguments, then call into the package."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime

from bot import admin, logs
from bot.admin_outbox import parse_id
from bot.settings import Settings


def _instant(text: str) -> datetime:
    """An ISO 8601 instant; one without an offset is read as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date-time: {text!r} (e.g. 2026-11-24T09:30-05:00)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (e.g. 2026-11-24)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportbot",
        description="A Slack and Microsoft Teams bot for support cases, queues and incidents.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the database to this release's schema")

    directory = commands.add_parser("directory", help="accounts, contacts, grants, staff, channels")
    dir_commands = directory.add_subparsers(
        dest="directory_command", required=True, metavar="ACTION"
    )
    load = dir_commands.add_parser("load", help="load (upsert) a directory YAML file")
    load.add_argument("file", help="the directory file (see examples/directory.yaml)")
    check = dir_commands.add_parser("check", help="report ACC-6 shortfalls and inert grants")
    check.add_argument(
        "--today",
        type=_day,
        help="judge contracts on this day (default: today, in each account's time zone)",
    )

    sla = commands.add_parser("sla", help="SLA due times")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar="ACTION")
    due = sla_commands.add_parser("due", help="response and resolution due times for a new case")
    due.add_argument("--account", required=True, help="account id")
    due.add_argument("--priority", required=True, help="critical, high, medium, low (or incident)")
    due.add_argument("--opened", type=_instant, help="when it is opened (default: now)")
    due.add_argument("--production-down", action="store_true", help="Critical - Production Down")

    chat = commands.add_parser("chat", help="talk to the bot from the terminal as someone")
    chat.add_argument("--as", dest="email", required=True, help="the contact's or staff e-mail")
    chat.add_argument("--channel", help="act in this bound channel id (default: a direct chat)")
    chat.add_argument("--platform", choices=["slack", "teams"], default="slack")
    chat.add_argument("--now", type=_instant, help="a fixed clock (ISO 8601)")

    serve = commands.add_parser("serve", help="the HTTP server for Slack and Teams")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="listen port (default 8080)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler")

    scheduler = commands.add_parser("scheduler", help="due work: SLA warnings, follow-ups, ...")
    sched_commands = scheduler.add_subparsers(
        dest="scheduler_command", required=True, metavar="ACTION"
    )
    once = sched_commands.add_parser("run-once", help="one pass of all due work, then exit")
    once.add_argument("--now", type=_instant, help="run the pass as of this instant")

    outbox = commands.add_parser("outbox", help="posts waiting to go out, and dead letters (R3)")
    out_commands = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    listing = out_commands.add_parser("list", help="posts waiting to go out (or dead letters)")
    listing.add_argument("--dead", action="store_true", help="the dead letters instead")
    retry = out_commands.add_parser("retry", help="re-queue a dead letter (or all of them)")
    retry.add_argument("id", nargs="?", type=parse_id, help="the post id from `outbox list`")
    retry.add_argument("--all-dead", action="store_true", help="every dead letter")

    report = commands.add_parser("report", help="NOT-2 monthly report, INC-6 availability")
    report.add_argument("kind", choices=["monthly", "availability"])
    report.add_argument("--account", required=True, help="account id")
    report.add_argument("--month", required=True, help="YYYY-MM")
    report.add_argument(
        "--agents",
        type=int,
        default=None,
        help="total agents for INC-6 availability (default: the account's `agents` in the directory)",
    )

    manifest = commands.add_parser("manifest", help="Slack app manifest and Teams app package")
    man_commands = manifest.add_subparsers(dest="manifest_command", required=True, metavar="ACTION")
    build = man_commands.add_parser("build", help="write them filled in for a deployment")
    build.add_argument(
        "--url",
        default="http://localhost:8080",
        help="the public base URL of `supportbot serve` (https for Teams)",
    )
    build.add_argument("--out", default="build/manifest", help="output folder")
    build.add_argument("--app-id", help="the Teams app (bot) id (default: MICROSOFT_APP_ID)")

    commands.add_parser("demo", help="a scripted tour, offline, in under a minute")

    audit = commands.add_parser("audit", help="the audit trail (R7)")
    audit.add_argument("--case", help="only this case (1001, #1001 or 0000001001)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `supportbot` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as err:  # a malformed environment variable
        print(f"supportbot: {err}", file=sys.stderr)
        return 2
    try:
        # The server logs JSON lines for log collectors; the other commands talk to a person.
        serving = args.command == "serve"
        level = logging.DEBUG if args.verbose else logging.INFO if serving else logging.WARNING
        logs.configure(settings.secrets(), level, json_lines=serving)
        return asyncio.run(admin.run(args, settings))
    except admin.CommandFailed as failed:
        print(f"supportbot: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
