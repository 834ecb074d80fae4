"""The sign-in throttle's records in the installation's database, so that every process of ``congvu serve`` (and
every node over a shared PostgreSQL) counts failed sign-ins together, and a lockout outlives a restart.

Implements :class:`congvu.security.throttle.ThrottleStore`. Reads are one primary-key lookup; writes happen on
failures and on the first success after failures only. Expired rows are deleted now and then by the writes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from congvu.security.throttle import ThrottleState
from congvu.store.database import Database
from congvu.store.schema_throttle import signin_throttle

PURGE_EVERY_S = 300.0
MAX_FAILURES_KEPT = 100


class DatabaseThrottleStore:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def get(self, key: str) -> ThrottleState | None:
        with self.db.read() as conn:
            row = conn.execute(select(signin_throttle.c.failures, signin_throttle.c.locked_until,
                                      signin_throttle.c.lockouts, signin_throttle.c.expires_at)
                               .where(signin_throttle.c.key == key)).first()
        if row is None or row.expires_at <= self.clock():
            return None
        failures = tuple(float(t) for t in json.loads(row.failures))
        return ThrottleState(failures=failures, locked_until=float(row.locked_until), lockouts=int(row.lockouts))

    def put(self, key: str, state: ThrottleState, ttl_s: float) -> None:
        now = self.clock()
        values = {"failures": json.dumps(list(state.failures[-MAX_FAILURES_KEPT:])),
                  "locked_until": state.locked_until, "lockouts": state.lockouts, "expires_at": now + ttl_s}
        for attempt in (1, 2):
            try:
                with self.db.begin() as conn:
                    changed = conn.execute(update(signin_throttle).where(signin_throttle.c.key == key)
                                           .values(**values))
                    if not changed.rowcount:
                        conn.execute(insert(signin_throttle).values(key=key, **values))
                    if self._purge_due(now):
                        conn.execute(delete(signin_throttle).where(signin_throttle.c.expires_at <= now))
                return
            except IntegrityError:  # another process inserted the key meanwhile: update it instead
                if attempt == 2:
                    raise

    def delete(self, key: str) -> None:
        if self.get(key) is None:  # the common case (a sign-in with no failures before it) writes nothing
            return
        with self.db.begin() as conn:
            conn.execute(delete(signin_throttle).where(signin_throttle.c.key == key))

    def _purge_due(self, now: float) -> bool:
        with self._lock:
            if now < self._next_purge:
                return False
            self._next_purge = now + PURGE_EVERY_S
            return True
