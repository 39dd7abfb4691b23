"""`supportbot`: the console script. Thin: parse arguments, then call into the package."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime

from bot import admin
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
    check.add_argument("--today", type=_day, help="judge contracts on this day (default: today)")

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

    audit = commands.add_parser("audit", help="the audit trail (R7)")
    audit.add_argument("--case", help="only this case (1001, #1001 or 0000001001)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `supportbot` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
        return asyncio.run(admin.run(args, settings))
    except admin.CommandFailed as failed:
        print(f"supportbot: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
