"""`supportbot outbox list|retry`: see what waits or was given up on, and re-queue it (R3)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage, OutboxState

LIST_LIMIT = 200


class OutboxCommandError(Exception):
    """Bad input; the message says what and how to fix it. Nothing was changed."""


async def outbox_command(args: argparse.Namespace, store: Store) -> int:
    if args.outbox_command == "list":
        return await _list(store, dead=args.dead)
    return await _retry(store, args.id, all_dead=args.all_dead)


async def _list(store: Store, *, dead: bool) -> int:
    state = OutboxState.DEAD if dead else OutboxState.PENDING
    async with store.unit_of_work(read_only=True) as uow:
        rows = await uow.outbox.listing(state, LIST_LIMIT + 1)
        backlog = await uow.outbox.backlog()
    total = backlog.dead if dead else backlog.pending
    if not rows:
        print("No dead letters." if dead else "Nothing is waiting in the outbox.")
        return 0
    print(
        f"{'ID':>8}  {'PLATFORM':<8} {'TARGET':<24} {'TRIES':>5}  {'NEXT TRY (UTC)':<19}  LAST ERROR / KEY"
    )
    for row in rows[:LIST_LIMIT]:
        print(_line(row, dead))
    if total > LIST_LIMIT:
        print(f"... and {total - LIST_LIMIT} more ({total} {state.value} in all).")
    if dead:
        print("Re-queue with `supportbot outbox retry ID` or `supportbot outbox retry --all-dead`.")
    return 0


def _line(row: OutboxMessage, dead: bool) -> str:
    when = "-" if dead else f"{row.next_attempt_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"
    held = f" (held by {row.lease_owner})" if row.lease_owner and not dead else ""
    detail = (row.last_error or "no error yet") + f"  [{row.dedup_key}]{held}"
    target = row.target if len(row.target) <= 24 else row.target[:21] + "..."
    return (
        f"{row.id:>8}  {row.platform.value:<8} {target:<24} {row.attempts:>5}  {when:<19}  {detail}"
    )


def parse_id(text: str) -> int:
    try:
        value = int(text.strip().lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an outbox post id: {text!r} (a number from `supportbot outbox list`)"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not an outbox post id: {text!r}")
    return value


async def _retry(store: Store, message_id: int | None, *, all_dead: bool) -> int:
    now = datetime.now(UTC)
    if all_dead == (message_id is not None):
        raise OutboxCommandError("give one post id or --all-dead (not both)")
    async with store.unit_of_work() as uow:
        if message_id is not None:
            row = await uow.outbox.get(message_id)
            if row is None:
                raise OutboxCommandError(
                    f"no outbox post {message_id}; `supportbot outbox list --dead` shows them"
                )
            if row.state is OutboxState.SENT:
                sent = (
                    f" at {row.sent_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
                    if row.sent_at
                    else ""
                )
                raise OutboxCommandError(
                    f"outbox post {message_id} was delivered{sent}; nothing to retry"
                )
            if row.leased_until is not None and row.leased_until > now:
                raise OutboxCommandError(
                    f"outbox post {message_id} is being delivered right now; nothing to retry"
                )
        requeued = await uow.outbox.requeue([message_id] if message_id else None, now)
        await uow.commit()
    if all_dead:
        print(
            f"Re-queued {len(requeued)} dead letter(s)."
            if requeued
            else "No dead letters to re-queue."
        )
    else:
        print(f"Re-queued outbox post {message_id}: it goes out with the next delivery.")
    return 0
