"""The database handle: one SQLAlchemy engine for SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` so that a committed transaction survives power loss (a ``250``
after DATA promises that), ``foreign_keys=ON`` and a busy timeout so that concurrent writers wait rather than fail.
Writers also queue before ``BEGIN IMMEDIATE``, on a lock of their process and then on a lock file beside the
database shared by every process (``congvu serve`` with several workers, the CLI): SQLite's busy handler waits by
sleeping (up to 100 ms a try), so writers left to it leave the database idle between transactions, while a
waiter on the lock file is woken the moment the writer before it is done.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_POOL_SIZE = 16
SQLITE_POOL_OVERFLOW = 16
PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection idle this long is checked before use (a busy one is not: it was just used)."""


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy manage transactions explicitly (BEGIN IMMEDIATE below), not the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the lock at BEGIN: no deadlock-prone lock upgrades between readers turned writers.
    # Readers start a deferred transaction and never block anyone under WAL. Sent straight to the driver: the
    # statement is fixed, and every mail store call begins one.
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("BEGIN IMMEDIATE" if conn.get_execution_options().get("congvu_write") else "BEGIN")


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    # Pessimistic disconnect handling, but only for connections that sat idle (a server restart, a firewall
    # dropping quiet connections): a ping on every checkout costs a round trip per transaction under load.
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:  # the pool opens a new connection and tries again
        raise exc.DisconnectionError(str(error)) from error


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class Database:
    """Owns the engine; hands out transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # SQLite has one writer at a time anyway; PostgreSQL writers run side by side under row locks.
        self._writer = threading.RLock() if self.is_sqlite else None
        self._writer_file: int | None = None
        self._writer_depth = 0  # nested writer turns of the thread holding the lock
        if self.is_sqlite:
            # A file database keeps enough connections for the mail store's worker threads and the other
            # services at once: a connection beyond the pool is opened (and its PRAGMAs run) for every use.
            pooled = {} if make_url(self.url).database in (None, "", ":memory:") else {
                "pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
            path = make_url(self.url).database
            if path not in (None, "", ":memory:"):
                self._writer_file = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self.engine: Engine = create_engine(self.url, echo=echo, connect_args={"timeout": 30}, **pooled)
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            self.engine = create_engine(self.url, echo=echo, pool_size=10, max_overflow=20)
            event.listen(self.engine, "checkin", _on_checkin)
            event.listen(self.engine, "checkout", _on_checkout)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A read-write transaction, committed when the block ends without error."""
        with self._writer_turn(), self.engine.connect() as raw:
            conn = raw.execution_options(congvu_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        # Bounded like the busy timeout: a writer that waits longer goes on to BEGIN IMMEDIATE, which fails with
        # "database is locked" as it would have without the queue, rather than hanging.
        got = self._writer is not None and self._writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        locked = nested = False
        try:
            if got and self._writer_file is not None:
                if self._writer_depth == 0:
                    fcntl.flock(self._writer_file, fcntl.LOCK_EX)
                    locked = True
                self._writer_depth += 1
                nested = True
            yield
        finally:
            if nested:
                self._writer_depth -= 1
            if locked and self._writer_file is not None:
                fcntl.flock(self._writer_file, fcntl.LOCK_UN)
            if got and self._writer is not None:
                self._writer.release()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (a transaction that is rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writer_file is not None:
            os.close(self._writer_file)
            self._writer_file = None
