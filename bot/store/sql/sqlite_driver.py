"""SQLite through aiosqlite with one thread hop per statement, and one per batch of them (#18).

aiosqlite runs every call on its connection's own thread and returns through the event loop:
about 90 us per hop on this hardware. SQLAlchemy's adapter makes three or four hops per
statement (open a cursor, execute, fetch, close), and one more for the BEGIN. Here a statement
runs whole on the thread in one hop (execute, rows, description, close), BEGIN goes out in the
same hop as the transaction's first statement, a commit or rollback with nothing begun makes no
hop, and `on_thread` runs a whole batch of statements (a unit of work's noted writes and its
COMMIT) in a single hop: SQLAlchemy's sync API runs on the connection's thread, where this
adapter calls sqlite3 directly. The router still owns the transaction: nothing here commits on
its own, and one unit of work uses one connection at a time, as before.

Reads make no hop at all (#18): a SELECT that is not the first statement of a writing
transaction runs on the calling (event loop) thread. In WAL mode a reader never waits for a
lock, so the loop is held for the statement's own work, microseconds for the point lookups of a
`show`, while a hop costs the loop a round trip and, when the loop is busy, the worker thread
waits for the GIL up to the interpreter's 5 ms switch interval per hop: a `show` started while a
`queue` computed its candidates took 120-475 of them to answer, one hop at a time. Statements
that may wait for the writer lock (BEGIN IMMEDIATE and every write) still hop, so a writer of
another process never blocks the loop. Without WAL (a file system that refuses it) every
statement hops, since readers then wait for writers too.
"""

from __future__ import annotations

import collections
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_only

T = TypeVar("T")
# What one statement left behind: description, rows, rowcount, lastrowid, still in a transaction.
_Outcome = tuple[Any, list[Any], int, int | None, bool]


def _run(
    raw: sqlite3.Connection, begin: str | None, operation: str | None, parameters: Any, many: bool
) -> _Outcome:
    """One statement (and the BEGIN before it, if any), whole, on the connection's thread."""
    cursor = raw.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        if operation is None:
            pass
        elif many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid, raw.in_transaction
    finally:
        cursor.close()


async def _ready(value: T) -> T:
    return value


def _reads_here(begin: str | None, operation: str | None, many: bool) -> bool:
    """A lone SELECT, or one that only starts a read transaction: it takes no writer lock."""
    return (
        not many
        and operation is not None
        and operation[:6].upper() == "SELECT"
        and (begin is None or begin == READ_BEGIN)
    )


READ_BEGIN = "BEGIN DEFERRED"


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection adapter, hopping once per statement or batch."""

    __slots__ = ("_begin", "_in_transaction", "_thread_id", "_wrote", "reads_inline")

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        self._begin: str | None = None  # BEGIN to send with the next statement
        self._in_transaction = False
        self._wrote = False  # this transaction took (or may have taken) the writer lock
        self._thread_id = connection._thread.ident
        # Set once the database is known to be in WAL mode (`setup`): reads never wait then.
        self.reads_inline = False

    def setup(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the raw sqlite3 connection in one hop (a new connection's PRAGMAs)."""
        result: T = await_only(self._connection._execute(work, self._connection._conn))
        return result

    def create_function(self, *args: Any, **kw: Any) -> None:
        # SQLAlchemy's dialect registers its functions (regexp, floor) on every new connection:
        # registering takes no lock, so here, not in two more hops.
        try:
            self._connection._conn.create_function(*args, **kw)
        except Exception as error:
            self._handle_exception(error)

    def cursor(self, server_side: bool = False) -> Any:
        if not server_side:
            return OneHopCursor(self)
        # A streamed result (`AsyncConnection.stream`) keeps aiosqlite's own cursor, so its
        # rows arrive in parts; the BEGIN waiting for a statement goes out first, alone.
        if self._begin is not None:
            self.run(None, None, False)
        self._in_transaction = True  # not tracked through aiosqlite's cursor: end it for sure
        self._wrote = True  # nor is what it did: its end hops
        return super().cursor(server_side)

    def begin_with_next_statement(self, begin: str) -> None:
        """Send `begin` (e.g. BEGIN IMMEDIATE) in the same hop as the next statement."""
        self._begin = begin

    def on_own_thread(self) -> bool:
        return bool(threading.get_ident() == self._thread_id)

    def run(self, operation: str | None, parameters: Any, many: bool) -> _Outcome:
        begin, self._begin = self._begin, None
        raw = self._connection._conn
        reads = _reads_here(begin, operation, many)
        self._wrote = self._wrote or not reads
        try:
            if self.on_own_thread():
                outcome = _run(raw, begin, operation, parameters, many)
            elif self.reads_inline and reads:
                # Through the greenlet all the same (no loop round trip): SQLAlchemy's async
                # API refuses a statement that never awaited, taking its driver for a sync one.
                outcome = await_only(_ready(_run(raw, begin, operation, parameters, many)))
            else:
                outcome = await_only(
                    self._connection._execute(_run, raw, begin, operation, parameters, many)
                )
        except BaseException:
            self._in_transaction = True  # unknown: the rollback that follows must really run
            raise
        self._in_transaction = outcome[4]
        if not self._in_transaction:
            self._wrote = False  # an autocommitted statement: nothing is held after it
        return outcome

    def commit(self) -> None:
        self._end(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._end(sqlite3.Connection.rollback)

    def _end(self, how: Callable[[sqlite3.Connection], None]) -> None:
        self._begin = None  # a BEGIN never sent needs no end
        if not self._in_transaction or not self._connection._connection:
            self._wrote = False
            return
        try:
            # A read transaction ends without waiting for anyone; a write's COMMIT hops.
            if self.on_own_thread():
                how(self._connection._conn)
            elif self.reads_inline and not self._wrote:
                how(self._connection._conn)
                await_only(_ready(None))  # through the greenlet, as a statement is
            else:
                await_only(self._connection._execute(how, self._connection._conn))
        except Exception as error:
            self._handle_exception(error)
        self._in_transaction = False
        self._wrote = False


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor with no aiosqlite cursor behind it: each statement's results come back whole."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: OneHopConnection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._keep(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._keep(operation, seq_of_parameters, many=True)

    def _keep(self, operation: str, parameters: Any, many: bool) -> None:
        adapter = self._adapt_connection
        if not isinstance(adapter, OneHopConnection):
            raise TypeError("a OneHopCursor belongs to a OneHopConnection")
        try:
            outcome = adapter.run(operation, parameters, many)
        except Exception as error:
            adapter._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid, _ = outcome
        self._rows = collections.deque(rows)

    def close(self) -> None:
        self._rows.clear()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (`create_engine(module=...)`)."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        # Reads run on the event loop's thread, writes on aiosqlite's: one connection, used by
        # one unit of work at a time, from two threads in turn (never at once).
        kw["check_same_thread"] = False
        adapted: Any = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def set_up(dbapi_connection: Any, pragmas: Sequence[str]) -> bool:
    """Run a new connection's PRAGMAs in one hop; reads go inline when WAL is on.

    False when the driver is not this one (the caller then runs them itself).
    """
    if not isinstance(dbapi_connection, OneHopConnection):
        return False

    def run_all(raw: sqlite3.Connection) -> bool:
        wal = False
        for pragma in pragmas:
            row = raw.execute(pragma).fetchone()
            if pragma.lower().startswith("pragma journal_mode"):
                wal = row is not None and str(row[0]).lower() == "wal"
        return wal

    dbapi_connection.reads_inline = dbapi_connection.setup(run_all)
    return True


def begin_with_next_statement(dbapi_connection: Any, begin: str) -> bool:
    """Defer `begin` to the next statement's hop; False when the driver is not this one."""
    if isinstance(dbapi_connection, OneHopConnection):
        dbapi_connection.begin_with_next_statement(begin)
        return True
    return False


def on_thread(conn: Connection, work: Callable[[Connection], T]) -> T:
    """Run `work(conn)` (sync SQLAlchemy calls) in one hop to the SQLite connection's thread.

    Call it inside SQLAlchemy's greenlet (`AsyncConnection.run_sync`, an engine event); on any
    other driver `work` simply runs here.
    """
    dbapi: Any = conn.connection.dbapi_connection
    if not isinstance(dbapi, OneHopConnection) or dbapi.on_own_thread():
        return work(conn)
    result: T = await_only(dbapi._connection._execute(work, conn))
    return result


__all__: Sequence[str] = (
    "READ_BEGIN",
    "OneHopDBAPI",
    "begin_with_next_statement",
    "on_thread",
    "set_up",
)
