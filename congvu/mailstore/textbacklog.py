"""Folding and indexing large message bodies after their delivery has committed.

The search fold of a long body (:func:`congvu.vntext.fold.fold`) and its entry in the text index (SQLite's FTS5
trigram table, PostgreSQL's ``pg_trgm`` index) cost more than the rest of a delivery together: about 2 ms for a
100 KB message, half of it inside the one database writer's turn. A body of :data:`DEFER_FROM_CHARS` characters
or more is therefore stored with an empty ``search_body`` and its content listed in ``message_text_backlog``, in
the delivery's own transaction; the message is complete and durable for everything else (FETCH, IMAP and the
webmail list it at once). Afterwards:

* :class:`TextIndexer`, a thread of the process that delivered the message, folds the body again from its blob
  and writes it (the SQLite trigger updates the index), once deliveries have paused for :data:`QUIET_S` — or
  sooner when the backlog grows past :data:`MAX_QUEUED` contents or waits :data:`MAX_WAIT_S` — so that a burst of
  mail is accepted first and indexed just after;
* a search that looks at body text first indexes whatever its folder still has in the backlog
  (:func:`catch_up`), so a search never misses a message because its index entry is late;
* ``congvu serve`` indexes at start whatever an earlier run left in the backlog, and then every minute what has
  waited there longer than :data:`STALE_S` (bodies queued by a process that stopped before indexing them).

A content is taken off the backlog in the same transaction that writes its fold, and only if it is still there:
two processes folding the same body write it once. Nothing is lost if a process stops mid-way: the backlog row
stays until its fold commits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from sqlalchemy import Connection, bindparam, delete, select, update

from congvu.errors import NotFound
from congvu.mail.mime import parse_entity
from congvu.mail.searchfields import body_text
from congvu.mailstore.context import MailContext
from congvu.store.schema import message_contents, message_text_backlog, messages
from congvu.vntext.fold import fold

log = logging.getLogger("congvu.mailstore")

DEFER_FROM_CHARS = 8_192
BATCH = 16
QUIET_S = 0.3
MAX_WAIT_S = 30.0
MAX_QUEUED = 2_000
STALE_S = 120.0

_backlog = message_text_backlog.c
_PENDING_IN_FOLDER = (select(_backlog.content_id).distinct()
                      .select_from(message_text_backlog.join(messages, messages.c.content_id == _backlog.content_id))
                      .where(messages.c.folder_id == bindparam("folder_id")))
_PENDING_SHAS = (select(message_contents.c.id, message_contents.c.sha256)
                 .select_from(message_contents.join(message_text_backlog, _backlog.content_id == message_contents.c.id))
                 .where(message_contents.c.id.in_(bindparam("ids", expanding=True))))
_CLAIM = delete(message_text_backlog).where(_backlog.content_id.in_(bindparam("ids", expanding=True))).returning(
    _backlog.content_id)
_WRITE_FOLD = (update(message_contents).where(message_contents.c.id == bindparam("content_id"))
               .values(search_body=bindparam("folded")))


def body_fold(raw: bytes) -> str:
    """The search fold of ``raw``'s body text, as delivery would have stored it."""
    return fold(body_text(raw, parse_entity(raw, 0, len(raw))))


def index_contents(ctx: MailContext, content_ids: Sequence[int]) -> int:
    """Fold and index the bodies of those of ``content_ids`` still in the backlog; how many this call wrote."""
    if not content_ids:
        return 0
    with ctx.db.read() as conn:
        pending = conn.execute(_PENDING_SHAS, {"ids": list(content_ids)}).all()
    folded: dict[int, str] = {}
    for content_id, sha256 in pending:
        try:
            raw = ctx.blobs.get(str(sha256))
        except NotFound:  # the bytes are gone (so is the message's body): never block its folder's searches
            log.warning("content %s: blob %s is missing; its body stays out of the text index", content_id, sha256)
            raw = b""
        folded[int(content_id)] = body_fold(raw) if raw else ""  # outside any transaction
    if not folded:
        return 0
    with ctx.db.begin() as conn:
        claimed = [int(content_id) for content_id in conn.execute(_CLAIM, {"ids": sorted(folded)}).scalars()]
        if claimed:
            conn.execute(_WRITE_FOLD, [{"content_id": content_id, "folded": folded[content_id]}
                                       for content_id in sorted(claimed)])
    return len(claimed)


def pending_in_folder(conn: Connection, folder_id: int) -> list[int]:
    """The contents of ``folder_id``'s messages still in the backlog."""
    return [int(content_id) for content_id in conn.execute(_PENDING_IN_FOLDER, {"folder_id": folder_id}).scalars()]


def index_all(ctx: MailContext, content_ids: Sequence[int]) -> int:
    """:func:`index_contents` for any number of contents, :data:`BATCH` per transaction; how many were written."""
    return sum(index_contents(ctx, content_ids[start:start + BATCH]) for start in range(0, len(content_ids), BATCH))


def catch_up(ctx: MailContext, folder_id: int) -> int:
    """Index every body of ``folder_id`` still in the backlog (before a search of body text); how many."""
    with ctx.db.read() as conn:
        waiting = pending_in_folder(conn, folder_id)
    return index_all(ctx, waiting)


def all_pending(ctx: MailContext, *, older_than_s: float | None = None) -> list[int]:
    """The contents in the backlog (with ``older_than_s``: only those queued longer ago than that)."""
    query = select(_backlog.content_id).order_by(_backlog.content_id)
    if older_than_s is not None:
        query = query.where(_backlog.queued_at < ctx.now() - timedelta(seconds=older_than_s))
    with ctx.db.read() as conn:
        return [int(content_id) for content_id in conn.execute(query).scalars()]


class TextIndexer:
    """The background folding of one process's deferred bodies (a daemon thread while there is work)."""

    def __init__(self, ctx: MailContext, last_delivery: Callable[[], float] = lambda: 0.0) -> None:
        self.ctx = ctx
        self.last_delivery = last_delivery  # time.monotonic() of the latest delivery, to wait for a pause
        self._queue: deque[tuple[int, float]] = deque()  # (content id, time.monotonic() when queued)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._wake = threading.Event()
        self.indexed = 0

    def queue(self, content_ids: Iterable[int]) -> None:
        """Index ``content_ids`` (committed, listed in the backlog) soon."""
        ids = list(content_ids)
        if not ids:
            return
        with self._lock:
            if self._closed:
                return
            now = time.monotonic()
            self._queue.extend((content_id, now) for content_id in ids)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="congvu-text-index", daemon=True)
                self._thread.start()
        self._wake.set()

    def resume(self, *, older_than_s: float | None = None) -> int:
        """Queue what the backlog holds (at start: what an earlier run left), or only what has waited longer than
        ``older_than_s`` (what a process that stopped meanwhile had queued) and is not queued here; how many."""
        waiting = all_pending(self.ctx, older_than_s=older_than_s)
        with self._lock:
            mine = {content_id for content_id, _queued in self._queue}
        waiting = [content_id for content_id in waiting if content_id not in mine]
        self.queue(waiting)
        return len(waiting)

    def close(self, timeout_s: float = 5.0) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    def _delay(self) -> float:
        """Seconds to wait before the next batch (0: now)."""
        now = time.monotonic()
        if len(self._queue) >= MAX_QUEUED or now - self._queue[0][1] >= MAX_WAIT_S:
            return 0.0
        return max(0.0, QUIET_S - (now - self.last_delivery()))

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._queue:
                    self._thread = None
                    return
                delay = self._delay()
                batch = [] if delay else [self._queue.popleft()[0] for _ in range(min(BATCH, len(self._queue)))]
            if delay:
                self._wake.clear()
                self._wake.wait(delay)
                continue
            try:
                self.indexed += index_contents(self.ctx, batch)
            except Exception:  # left in the backlog: the next start, or a search of the folder, indexes them
                log.exception("could not index the text of %d messages; they stay in the backlog", len(batch))
