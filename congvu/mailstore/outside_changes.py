"""Changes made outside the server's processes — a ``congvu`` command (a held message released, a document
delivered by the CLI), another node on the same PostgreSQL — shown to this process's IDLE and NOOP sessions.

Changes made by the server itself reach sessions through the notifier at once (and through the bus between its
processes). Every ``interval_s`` the watch reads the ``uidnext`` and ``highestmodseq`` of the folders some session
of this process follows (one query per 500 folders, whatever the number of sessions) and publishes, in this
process only, a change event for each folder that moved beyond what the events already seen say; the sessions then
ask the store what changed, as they do for any event. A folder that is gone gets a ``deleted`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence

from sqlalchemy import select

from congvu.mailstore.context import MailContext
from congvu.mailstore.notify import LocalNotifier, MailboxEvent, MailboxEventKind
from congvu.store.schema import folders

log = logging.getLogger("congvu.mailstore")

DEFAULT_INTERVAL_S = 2.0
CHUNK = 500


def folder_marks(ctx: MailContext, folder_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """``{folder id: (uidnext, highestmodseq)}`` of the folders that still exist."""
    marks: dict[int, tuple[int, int]] = {}
    with ctx.db.read() as conn:
        for start in range(0, len(folder_ids), CHUNK):
            chunk = list(folder_ids[start:start + CHUNK])
            for row in conn.execute(select(folders.c.id, folders.c.uidnext, folders.c.highestmodseq)
                                    .where(folders.c.id.in_(chunk))):
                marks[int(row.id)] = (int(row.uidnext), int(row.highestmodseq))
    return marks


class OutsideChangeWatch:
    def __init__(self, ctx: MailContext, notifier: LocalNotifier, *, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.ctx = ctx
        self.notifier = notifier
        self.interval_s = interval_s
        self._known: dict[int, tuple[int, int]] = {}  # the last marks read or announced per followed folder
        self._seen_modseq: dict[int, int] = {}  # the highest MODSEQ an event told this process of, per folder
        self._lock = threading.Lock()
        notifier.observe(self._saw)

    def _saw(self, event: MailboxEvent) -> None:
        if event.modseq:
            with self._lock:
                if event.modseq > self._seen_modseq.get(event.folder_id, 0):
                    self._seen_modseq[event.folder_id] = event.modseq

    def check(self) -> list[MailboxEvent]:
        """One round (blocking: run it in a thread); returns the events it published."""
        followed = self.notifier.subscribed_folders()
        marks = folder_marks(self.ctx, followed) if followed else {}
        events: list[MailboxEvent] = []
        with self._lock:
            for folder_id in followed:
                now = marks.get(folder_id)
                before = self._known.get(folder_id)
                if now is None:
                    if before is not None:
                        events.append(MailboxEvent(folder_id, MailboxEventKind.DELETED))
                    continue
                self._known[folder_id] = now
                if before is None or now == before:
                    continue  # first look, or nothing new
                if now[1] <= self._seen_modseq.get(folder_id, 0):
                    continue  # an event already told the sessions of this change (new mail bumps MODSEQ too)
                events.append(MailboxEvent(folder_id, MailboxEventKind.ADDED if now[0] != before[0]
                                           else MailboxEventKind.FLAGS, (), now[1]))
            gone = set(self._known) - set(followed)
            for folder_id in gone:  # nobody follows it any more
                self._known.pop(folder_id, None)
                self._seen_modseq.pop(folder_id, None)
        for event in events:
            self.notifier.publish_local(event)
        return events

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.check)
            except Exception:  # a watch round must never end the server
                log.exception("checking folders for outside changes failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
