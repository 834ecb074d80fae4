"""Indexing large messages in worker processes, beside the delivery that waits for them.

Indexing a message (ENVELOPE, BODYSTRUCTURE, part table) and computing its content row (search folds of the
headers and the whole body text) is pure Python work: in one process every delivery's indexing shares one core
through the interpreter lock, however many SMTP sessions deliver at once. A message of
:data:`OFFLOAD_FROM_BYTES` or more is therefore indexed in a process of a small pool (one per extra core, started
on first use with ``spawn``, shared by every mail store of the process) while the delivering thread writes and
fsyncs its blob; smaller ones cost less to index than to ship to another process. The result is the same
:func:`compute_content` either way; if the pool cannot run (no spare core, a worker died) the thread computes it
itself, so a delivery never fails for the pool's sake. Nothing here touches the database or the disk.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime

from congvu.mail.index import index_message
from congvu.mailstore.contents import content_values
from congvu.mailstore.textbacklog import DEFER_FROM_CHARS

log = logging.getLogger("congvu.mailstore")

OFFLOAD_FROM_BYTES = 16 * 1024
MAX_WORKERS = 4


def compute_content(raw: bytes, now: datetime) -> dict[str, object]:
    """The content row of ``raw`` (:func:`congvu.mailstore.contents.content_values`) without its SHA-256; a long
    body is left to :mod:`congvu.mailstore.textbacklog`."""
    return content_values(index_message(raw), "", now, defer_from_chars=DEFER_FROM_CHARS)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_workers(processes: int = 1) -> int:
    """One worker per core beyond those the server's own ``processes`` use (at most :data:`MAX_WORKERS`);
    ``CONGVU_INDEX_WORKERS`` overrides (``0``: index in the delivering thread)."""
    configured = os.environ.get("CONGVU_INDEX_WORKERS", "").strip()
    if configured.isdigit():
        return min(int(configured), 16)
    return max(0, min(MAX_WORKERS, _cores() - max(processes, 1)))


def share_cores(processes: int) -> None:
    """``congvu serve`` runs ``processes`` processes, one per core: the shared pool keeps only the cores beyond
    them (with one process per core, none: each delivery indexes in its own thread, and the processes already
    spread the work over the cores)."""
    SHARED.workers = default_workers(processes)


class IndexPool:
    def __init__(self, workers: int | None = None, *, min_bytes: int = OFFLOAD_FROM_BYTES) -> None:
        self.workers = default_workers() if workers is None else workers
        self.min_bytes = min_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, raw: bytes, now: datetime) -> Future[dict[str, object]] | None:
        """Start indexing ``raw`` in a worker; None when it is better (or only possible) done by the caller."""
        if self.workers <= 0 or len(raw) < self.min_bytes:
            return None
        try:
            return self._executor().submit(compute_content, raw, now)
        except Exception:  # a broken or closed pool: the caller indexes the message itself
            log.warning("index workers unavailable; indexing in the delivering thread", exc_info=True)
            self._discard()
            return None

    def content(self, raw: bytes, now: datetime, future: Future[dict[str, object]] | None) -> dict[str, object]:
        """The content row from ``future`` (of :meth:`submit`), or computed here when there is none or it failed."""
        if future is not None:
            try:
                return future.result()
            except Exception:  # a worker that died: the same work in this thread
                log.warning("an index worker failed; indexing in the delivering thread", exc_info=True)
                self._discard()
        return compute_content(raw, now)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def _discard(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


SHARED = IndexPool()
atexit.register(SHARED.close)

__all__ = ["MAX_WORKERS", "OFFLOAD_FROM_BYTES", "SHARED", "IndexPool", "compute_content", "default_workers"]
