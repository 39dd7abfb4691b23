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


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection adapter, hopping once per statement or batch."""

    __slots__ = ("_begin", "_in_transaction", "_thread_id")

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        self._begin: str | None = None  # BEGIN to send with the next statement
        self._in_transaction = False
        self._thread_id = connection._thread.ident

    def cursor(self, server_side: bool = False) -> Any:
        if not server_side:
            return OneHopCursor(self)
        # A streamed result (`AsyncConnection.stream`) keeps aiosqlite's own cursor, so its
        # rows arrive in parts; the BEGIN waiting for a statement goes out first, alone.
        if self._begin is not None:
            self.run(None, None, False)
        self._in_transaction = True  # not tracked through aiosqlite's cursor: end it for sure
        return super().cursor(server_side)

    def begin_with_next_statement(self, begin: str) -> None:
        """Send `begin` (e.g. BEGIN IMMEDIATE) in the same hop as the next statement."""
        self._begin = begin

    def on_own_thread(self) -> bool:
        return bool(threading.get_ident() == self._thread_id)

    def run(self, operation: str | None, parameters: Any, many: bool) -> _Outcome:
        begin, self._begin = self._begin, None
        raw = self._connection._conn
        try:
            if self.on_own_thread():
                outcome = _run(raw, begin, operation, parameters, many)
            else:
                outcome = await_only(
                    self._connection._execute(_run, raw, begin, operation, parameters, many)
                )
        except BaseException:
            self._in_transaction = True  # unknown: the rollback that follows must really run
            raise
        self._in_transaction = outcome[4]
        return outcome

    def commit(self) -> None:
        self._end(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._end(sqlite3.Connection.rollback)

    def _end(self, how: Callable[[sqlite3.Connection], None]) -> None:
        self._begin = None  # a BEGIN never sent needs no end
        if not self._in_transaction or not self._connection._connection:
            return
        try:
            if self.on_own_thread():
                how(self._connection._conn)
            else:
                await_only(self._connection._execute(how, self._connection._conn))
        except Exception as error:
            self._handle_exception(error)
        self._in_transaction = False


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
        adapted: Any = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


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


__all__: Sequence[str] = ("OneHopDBAPI", "begin_with_next_statement", "on_thread")
