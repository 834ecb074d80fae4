"""Usage events for monitoring (logins, inbox checks, messages sent), recorded without slowing anyone down.

:meth:`UsageRecorder.record` only appends to an in-memory queue and returns; a background thread writes the
queue to ``usage_events`` in batches (every ``flush_interval_s``, or at once when ``batch_size`` events are
waiting). If the database is unreachable the events wait and are retried; past ``max_pending`` the oldest are
dropped and counted, so a monitoring outage can never exhaust memory or block mail.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from congvu.mailstore.context import utcnow
from congvu.store.database import Database
from congvu.store.schema import usage_events

log = logging.getLogger(__name__)


class UsageKind(StrEnum):
    LOGIN = "login"
    INBOX_CHECK = "inbox_check"
    SEND = "send"


@dataclass(frozen=True)
class UsageEvent:
    at: datetime
    account_id: int | None
    kind: str
    protocol: str
    detail: Mapping[str, str | int | bool | None] | None = None


class UsageRecorder:
    def __init__(self, db: Database, *, batch_size: int = 500, flush_interval_s: float = 2.0,
                 max_pending: int = 100_000, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_pending = max_pending
        self.clock = clock
        self.dropped = 0
        self.batches_written = 0
        self._pending: deque[UsageEvent] = deque()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def record(self, kind: UsageKind | str, *, account_id: int | None, protocol: str,
               detail: Mapping[str, str | int | bool | None] | None = None) -> None:
        """Queue one event; never blocks on the database."""
        event = UsageEvent(self.clock(), account_id, str(kind), protocol, dict(detail) if detail else None)
        with self._lock:
            if len(self._pending) >= self.max_pending:
                self._pending.popleft()
                self.dropped += 1
            self._pending.append(event)
            size = len(self._pending)
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="usage-events", daemon=True)
                self._thread.start()
        if size >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write everything queued now, in batches; the number of events written."""
        written = 0
        with self._flush_lock:
            while True:
                with self._lock:
                    batch = [self._pending.popleft() for _ in range(min(self.batch_size, len(self._pending)))]
                if not batch:
                    return written
                try:
                    with self.db.begin() as conn:
                        conn.execute(insert(usage_events), [
                            {"at": e.at, "account_id": e.account_id, "kind": e.kind, "protocol": e.protocol,
                             "detail": e.detail} for e in batch])
                except SQLAlchemyError:
                    log.warning("usage events not written yet (%d waiting)", len(batch), exc_info=True)
                    with self._lock:
                        self._pending.extendleft(reversed(batch))
                    return written
                written += len(batch)
                self.batches_written += 1

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
            self.flush()

    def close(self) -> None:
        """Stop the background thread after writing what is queued."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=30)
        self.flush()
