"""Rows that may be written a little later, queued in memory and inserted in batches by a background thread.

For records that must never slow down or block the work they describe (usage events, the message trace):
:meth:`BatchedInserts.add` only appends and returns; a thread inserts what is queued every ``flush_interval_s``, or
at once when ``batch_size`` rows wait, one multi-row insert per batch, so no record costs a commit of its own. If
the database is unreachable the rows wait and are retried; past ``max_pending`` the oldest are dropped and counted,
so an outage can never exhaust memory. A crash loses at most the last interval's rows.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import Table, insert
from sqlalchemy.exc import SQLAlchemyError

from congvu.store.database import Database

log = logging.getLogger(__name__)

Row = Mapping[str, object]


class BatchedInserts:
    def __init__(self, db: Database, table: Table, *, name: str, batch_size: int = 500,
                 flush_interval_s: float = 2.0, max_pending: int = 100_000,
                 after_flush: Callable[[], None] | None = None) -> None:
        """``name`` names the thread and the log lines; ``after_flush`` runs on the thread after each round."""
        self.db = db
        self.table = table
        self.name = name
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_pending = max_pending
        self.after_flush = after_flush
        self.dropped = 0
        self.batches_written = 0
        self._pending: deque[Row] = deque()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def add(self, rows: Iterable[Row]) -> None:
        """Queue ``rows``; never blocks on the database."""
        new = list(rows)
        if not new:
            return
        with self._lock:
            overflow = len(self._pending) + len(new) - self.max_pending
            for _ in range(min(max(overflow, 0), len(self._pending))):
                self._pending.popleft()
                self.dropped += 1
            self._pending.extend(new)
            size = len(self._pending)
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        if size >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write everything queued now, in batches; the number of rows written."""
        written = 0
        with self._flush_lock:
            while True:
                with self._lock:
                    batch = [self._pending.popleft() for _ in range(min(self.batch_size, len(self._pending)))]
                if not batch:
                    return written
                try:
                    with self.db.begin() as conn:
                        conn.execute(insert(self.table), batch)
                except SQLAlchemyError:
                    log.warning("%s: %d rows not written yet", self.name, len(batch), exc_info=True)
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
            if self.after_flush is not None:
                try:
                    self.after_flush()
                except SQLAlchemyError:
                    log.warning("%s: housekeeping failed", self.name, exc_info=True)

    def close(self) -> None:
        """Stop the background thread after writing what is queued."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=30)
        self.flush()
