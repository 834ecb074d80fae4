"""Group commit for local delivery: deliveries that arrive while another is committing share the next commit.

A durable commit costs a disk flush (SQLite's WAL with ``synchronous=FULL``, PostgreSQL's WAL) and, on SQLite,
the one write lock; committed one by one, deliveries from many SMTP sessions queue behind each other's flushes.
Here each caller prepares its own delivery (index, content row, blob fsynced — in parallel, in its own thread:
fsyncs running side by side share journal commits) and queues it; one of the waiting callers becomes the leader,
takes every delivery queued so far, writes them all in one transaction
(:func:`congvu.mailstore.delivery.write_batch`) and commits. Each caller returns only after the commit that holds
its delivery: :meth:`DeliveryBatcher.deliver` is as durable on return as a delivery of its own (RFC 5321 §6.1:
the ``250`` after DATA takes responsibility for the message). Only the callers whose deliveries a commit holds are
woken, and the lead passes to the oldest caller still waiting: with many sessions, waking every waiting thread
after each commit cost more than the commit's own Python work.

Failures stay with their delivery: a delivery to an account that does not exist gets its ``NotFound`` and the
others commit; if the shared transaction fails for any other reason, nothing of it is kept and each delivery is
retried alone in a transaction of its own, so one bad delivery fails alone and leaves no rows behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from congvu.errors import NotFound
from congvu.mailstore.api import DeliveryResult
from congvu.mailstore.context import MailContext
from congvu.mailstore.delivery import MAX_RECIPIENTS, PreparedDelivery, publish_delivered, write_batch

log = logging.getLogger("congvu.mailstore")


@dataclass(eq=False)
class _Waiting:
    """One queued delivery and, once its batch is over, what became of it."""

    prepared: PreparedDelivery
    done: bool = False
    result: DeliveryResult | None = None
    error: BaseException | None = None
    # A follower sleeps on this lock (held from the start) until its delivery is over or the lead is handed to it:
    # only that thread wakes, not every waiting one.
    wake: threading.Lock | None = None

    def finish(self, outcome: DeliveryResult | BaseException) -> None:
        if isinstance(outcome, BaseException):
            self.error = outcome
        else:
            self.result = outcome
        self.done = True
        if self.wake is not None:
            self.wake.release()


class DeliveryBatcher:
    """Leader/follower group commit over one mail context; thread-safe.

    ``max_mailboxes`` bounds one transaction (the recipients of all the deliveries in it, at least one delivery
    whatever its size), so that its statements stay within the database's limits on parameters.
    """

    def __init__(self, ctx: MailContext, *, max_mailboxes: int = MAX_RECIPIENTS) -> None:
        self.ctx = ctx
        self.max_mailboxes = max_mailboxes
        self._lock = threading.Lock()
        self._queue: deque[_Waiting] = deque()
        self._leading = False
        self._transactions = 0
        self.last_delivery = 0.0  # time.monotonic() of the latest commit or queued delivery

    @property
    def transactions(self) -> int:
        """Transactions committed or attempted so far (for monitoring: fewer than deliveries under load)."""
        return self._transactions

    @property
    def queued(self) -> int:
        """Deliveries waiting for a commit now."""
        return len(self._queue)

    def deliver(self, prepared: PreparedDelivery) -> DeliveryResult:
        """Commit ``prepared`` (with whatever else is queued) and return once it is durable."""
        waiting = _Waiting(prepared)
        self.last_delivery = time.monotonic()
        wake: threading.Lock | None = None
        with self._lock:
            self._queue.append(waiting)
            if self._leading:
                wake = waiting.wake = threading.Lock()
                wake.acquire()
            else:
                self._leading = True
        if wake is not None:
            wake.acquire()  # released once: the delivery is over, or the lead is handed to this thread
            waiting.wake = None  # leading now (if not done): its own batch must not release the lock again
        if not waiting.done:
            try:
                while not waiting.done:
                    self._lead()
            finally:
                self._hand_over()
        if waiting.error is not None:
            raise waiting.error
        assert waiting.result is not None
        return waiting.result

    def _hand_over(self) -> None:
        """The leader is done: the oldest follower still queued leads next, or nobody leads."""
        with self._lock:
            for queued in self._queue:
                if queued.wake is not None:
                    queued.wake.release()
                    return
            self._leading = False

    def _take(self) -> list[_Waiting]:
        with self._lock:
            batch: list[_Waiting] = []
            mailboxes = 0
            while self._queue:
                size = len(self._queue[0].prepared.account_ids)
                if batch and mailboxes + size > self.max_mailboxes:
                    break
                batch.append(self._queue.popleft())
                mailboxes += size
            return batch

    def _lead(self) -> None:
        batch = self._take()
        try:
            if len(batch) == 1 or not self._commit(batch):
                for waiting in batch:
                    self._commit_alone(waiting)
        except BaseException:  # never leave a follower waiting on a batch that was abandoned
            for waiting in batch:
                if not waiting.done:
                    waiting.finish(RuntimeError("giao thư bị gián đoạn (delivery interrupted)"))
            raise

    def _commit(self, batch: list[_Waiting]) -> bool:
        """The whole batch in one transaction; False (nothing kept) when it failed."""
        ctx = self.ctx
        self._transactions += 1
        try:
            with ctx.db.begin() as conn:
                outcomes = write_batch(ctx, conn, [waiting.prepared for waiting in batch])
        except Exception:  # retried one by one, where the failing delivery gets its own error
            log.warning("a batch of %d deliveries failed; committing them one by one", len(batch), exc_info=True)
            return False
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.finish(outcome)
        self._publish([(waiting.prepared, outcome) for waiting, outcome in zip(batch, outcomes, strict=True)
                       if isinstance(outcome, DeliveryResult)])
        return True

    def _commit_alone(self, waiting: _Waiting) -> None:
        ctx = self.ctx
        self._transactions += 1
        try:
            with ctx.db.begin() as conn:
                (outcome,) = write_batch(ctx, conn, [waiting.prepared])
        except Exception as error:  # the caller's own failure, raised in its thread
            waiting.finish(error)
            return
        waiting.finish(outcome)
        if not isinstance(outcome, NotFound):
            self._publish([(waiting.prepared, outcome)])

    def _publish(self, committed: list[tuple[PreparedDelivery, DeliveryResult]]) -> None:
        self.last_delivery = time.monotonic()
        try:
            publish_delivered(self.ctx, committed)
        except Exception:  # the deliveries are durable: a notification fault must not turn them into failures
            log.exception("could not announce %d committed deliveries", len(committed))
