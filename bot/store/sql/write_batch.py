"""Writes nobody reads back at once, sent together: before the next statement or the commit (#18).

A command's timers and audit rows are written at the end of its work and never read by it, so
`SqlTimerRepository.set` and `SqlAuditRepository.add` only note them here. The unit of work's
connection carries the batch; an engine-wide `before_execute` hook sends it just before any
other statement on that connection (so every read in the unit of work still sees its own
writes), and `commit` sends it in the same step as the COMMIT. The batch goes out as one
statement per kind of write (executemany), however many rows: `open` sets three timers and one
audit row with two statements where it took four, an `update` likewise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, event
from sqlalchemy.engine import Engine

from bot.store.sql.sqlite_driver import on_thread
from bot.store.sql.statements import sync_upsert_rows
from bot.store.sql.tables import audit, timers

BATCH_KEY = "supportbot_write_batch"  # in the connection's `info` while a unit of work holds it

_DELETE_TIMER = delete(timers).where(
    timers.c.kind == bindparam("k"), timers.c.subject == bindparam("s")
)


class WriteBatch:
    """Timers to set or remove (the last word per timer wins) and audit rows, in order."""

    def __init__(self) -> None:
        self._timers: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._audit: list[dict[str, Any]] = []

    @property
    def empty(self) -> bool:
        return not self._timers and not self._audit

    def set_timer(self, kind: str, subject: str, row: dict[str, Any] | None) -> None:
        """Create or move the (kind, subject) timer to `row`, or remove it when None."""
        self._timers.pop((kind, subject), None)  # re-insert: the last word goes out last
        self._timers[(kind, subject)] = row

    def add_audit(self, row: dict[str, Any]) -> None:
        self._audit.append(row)

    def discard(self) -> None:
        """Forget everything noted (the transaction is being rolled back)."""
        self._timers, self._audit = {}, []

    def send(self, conn: Connection) -> None:
        """Write everything noted so far on `conn` (sync: inside SQLAlchemy's greenlet)."""
        if self.empty:
            return
        noted, self._timers = self._timers, {}
        entries, self._audit = self._audit, []
        gone = [{"k": kind, "s": subject} for (kind, subject), row in noted.items() if row is None]
        kept = [row for row in noted.values() if row is not None]
        if gone:
            conn.execute(_DELETE_TIMER, gone)
        if kept:
            sync_upsert_rows(conn, timers, kept, ["kind", "subject"])
        if entries:
            conn.execute(audit.insert(), entries)


def _send_first(conn: Connection, *_args: Any) -> None:
    batch = conn.info.get(BATCH_KEY)
    if batch is not None and not batch.empty:
        on_thread(conn, batch.send)  # its own statements find the batch empty: no recursion


def send_and_commit(conn: Connection, batch: WriteBatch) -> None:
    """The batch and the COMMIT in one step (on SQLite one thread hop, not one per statement)."""

    def work(on: Connection) -> None:
        batch.send(on)
        on.commit()

    on_thread(conn, work)


def send_before_statements(engine: Engine) -> None:
    """Install the hook that sends a connection's batch before its next statement."""
    if not event.contains(engine, "before_execute", _send_first):
        event.listen(engine, "before_execute", _send_first)
