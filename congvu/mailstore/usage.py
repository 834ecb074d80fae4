"""Usage events for monitoring (logins, inbox checks, messages sent), recorded without slowing anyone down.

:meth:`UsageRecorder.record` only appends to an in-memory queue and returns; a background thread writes the
queue to ``usage_events`` in batches (every ``flush_interval_s``, or at once when ``batch_size`` events are
waiting), through :class:`congvu.store.batched.BatchedInserts`: a monitoring outage can never exhaust memory or
block mail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum

from congvu.mailstore.context import utcnow
from congvu.store.batched import BatchedInserts
from congvu.store.database import Database
from congvu.store.schema import usage_events


class UsageKind(StrEnum):
    LOGIN = "login"
    INBOX_CHECK = "inbox_check"
    SEND = "send"


class UsageRecorder:
    def __init__(self, db: Database, *, batch_size: int = 500, flush_interval_s: float = 2.0,
                 max_pending: int = 100_000, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self._writer = BatchedInserts(db, usage_events, name="usage-events", batch_size=batch_size,
                                      flush_interval_s=flush_interval_s, max_pending=max_pending)

    def record(self, kind: UsageKind | str, *, account_id: int | None, protocol: str,
               detail: Mapping[str, str | int | bool | None] | None = None) -> None:
        """Queue one event; never blocks on the database."""
        self._writer.add(({"at": self.clock(), "account_id": account_id, "kind": str(kind), "protocol": protocol,
                           "detail": dict(detail) if detail else None},))

    @property
    def pending(self) -> int:
        return self._writer.pending

    @property
    def dropped(self) -> int:
        return self._writer.dropped

    @property
    def batches_written(self) -> int:
        return self._writer.batches_written

    def flush(self) -> int:
        """Write everything queued now, in batches; the number of events written."""
        return self._writer.flush()

    def close(self) -> None:
        """Stop the background thread after writing what is queued."""
        self._writer.close()
