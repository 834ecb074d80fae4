"""What every part of the mail store shares: the database, the blob store, the notifier, a clock and the time
zone in which IMAP day comparisons are made, plus the few statements that differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert

from congvu.mailstore.notify import MailboxEvent, Notifier
from congvu.store.blobs import BlobStore
from congvu.store.database import Database

# Viet Nam keeps UTC+07:00 all year (no daylight saving).
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class MailContext:
    db: Database
    blobs: BlobStore
    notifier: Notifier
    clock: Callable[[], datetime] = field(default=utcnow)
    day_zone: tzinfo = VIETNAM_TIME
    # Called with the ids of committed contents whose body text waits in the backlog (congvu.mailstore.textbacklog).
    text_deferred: Callable[[Sequence[int]], None] = field(default=lambda content_ids: None)

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    def now(self) -> datetime:
        # IMAP dates carry whole seconds (RFC 9051 §9 date-time).
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def insert_ignore(self, table: Table, keys: Iterable[str]) -> Insert:
        """INSERT … ON CONFLICT (keys) DO NOTHING on either engine."""
        if self.is_sqlite:
            return sqlite_insert(table).on_conflict_do_nothing(index_elements=list(keys))
        return pg_insert(table).on_conflict_do_nothing(index_elements=list(keys))

    @contextmanager
    def snapshot_read(self) -> Iterator[Connection]:
        """A read transaction that sees one state of the database from its first to its last statement
        (SQLite read transactions always do; PostgreSQL needs REPEATABLE READ)."""
        with self.db.read() as conn:
            if not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def publish(self, events: Iterable[MailboxEvent]) -> None:
        for event in events:
            self.notifier.publish(event)
