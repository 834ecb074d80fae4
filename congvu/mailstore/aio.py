"""The mail store for asyncio servers: every operation of :class:`congvu.mailstore.api.MailStoreApi` as a
coroutine, run on a bounded thread pool so that the SMTP and IMAP listeners never block their loop and never
open more database connections than the pool allows.

Small reads may skip the pool (:meth:`AsyncMailStore.read`): on the embedded SQLite database, whose readers
never wait for a writer under WAL, a read of a few hundred rows takes less time than the trip to a worker, and
far less than the worker and the loop handing the interpreter lock to each other while the database steps
through rows (measured: about a hundred thread switches per IMAP command, half the server's time).

Semantics, arguments and errors are those of :mod:`congvu.mailstore.api`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import TypeVar

from congvu.mailstore.api import (
    MATCH_ALL,
    Appended,
    Changes,
    Criterion,
    DeliveryResult,
    Expunged,
    FlagMode,
    FlagUpdate,
    FolderInfo,
    FolderSnapshot,
    FolderStatus,
    MailStoreApi,
    MessageSummary,
    QuotaUsage,
    Rights,
    SortFields,
    SortOrder,
    SpecialUse,
    StoredMessage,
    Transfer,
    UidArg,
)
from congvu.mailstore.notify import Notifier, Subscription

DEFAULT_WORKERS = 8
DEFAULT_DELIVERY_WORKERS = 16
# Reads that touch at most this many messages may run on the caller's thread (a few milliseconds at most).
INLINE_ROWS = 2_000
T = TypeVar("T")


class AsyncMailStore:
    """Wraps a synchronous store; ``notifier`` is the store's, for IDLE."""

    def __init__(self, store: MailStoreApi, notifier: Notifier, *, max_workers: int = DEFAULT_WORKERS,
                 delivery_workers: int = DEFAULT_DELIVERY_WORKERS, inline_reads: bool | None = None) -> None:
        self.store = store
        self.notifier = notifier
        # None: as the store says (``MailStore.local_reads``: true on SQLite).
        self.inline_reads = bool(getattr(store, "local_reads", False)) if inline_reads is None else inline_reads
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="mailstore")
        # Deliveries have threads of their own: most of their time is spent waiting for an fsync or for the
        # shared commit (the store's group commit), and a burst of mail must not hold up IMAP and the webmail.
        self._delivery_pool = ThreadPoolExecutor(max_workers=delivery_workers, thread_name_prefix="delivery")

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def call(self, operations: Callable[[MailStoreApi], T]) -> T:
        """Several operations in one trip to a worker thread: ``operations`` gets the synchronous store (each
        operation is still its own transaction). For a command that needs more than one answer from the store."""
        return await self._run(partial(operations, self.store))

    async def read(self, operations: Callable[[MailStoreApi], T], *, rows: int = 0) -> T:
        """Read-only ``operations`` that touch at most ``rows`` messages (the caller's bound): at once on the
        caller's thread when :attr:`inline_reads` is on and ``rows`` is at most :data:`INLINE_ROWS`, otherwise on
        a worker as :meth:`call`. Nothing that writes, waits for a lock or reads a large blob belongs here."""
        if self.inline_reads and rows <= INLINE_ROWS:
            return operations(self.store)
        return await self._run(partial(operations, self.store))

    def subscribe(self, folder_id: int) -> Subscription:
        """Change events of a folder (see :mod:`congvu.mailstore.notify`)."""
        return self.notifier.subscribe(folder_id)

    def close(self) -> None:
        self._delivery_pool.shutdown(wait=True)
        self._pool.shutdown(wait=True)

    # -- delivery -----------------------------------------------------------------------------------------------

    async def deliver(self, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
                      folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
        call = partial(self.store.deliver, raw, tuple(mailbox_ids), internal_date=internal_date, folder=folder,
                       flags=tuple(flags))
        return await asyncio.get_running_loop().run_in_executor(self._delivery_pool, call)

    async def quota(self, account_id: int) -> QuotaUsage:
        return await self._run(partial(self.store.quota, account_id))

    # -- folders ------------------------------------------------------------------------------------------------

    async def ensure_default_folders(self, account_id: int) -> tuple[FolderInfo, ...]:
        return await self._run(partial(self.store.ensure_default_folders, account_id))

    async def rights(self, viewer_id: int, owner_id: int) -> Rights:
        return await self._run(partial(self.store.rights, viewer_id, owner_id))

    async def list_folders(self, viewer_id: int) -> tuple[FolderInfo, ...]:
        return await self._run(partial(self.store.list_folders, viewer_id))

    async def find_folder(self, viewer_id: int, path: str) -> FolderInfo:
        return await self._run(partial(self.store.find_folder, viewer_id, path))

    async def get_folder(self, viewer_id: int, folder_id: int) -> FolderInfo:
        return await self._run(partial(self.store.get_folder, viewer_id, folder_id))

    async def create_folder(self, viewer_id: int, path: str, *,
                            special_use: SpecialUse | None = None) -> FolderInfo:
        return await self._run(partial(self.store.create_folder, viewer_id, path, special_use=special_use))

    async def delete_folder(self, viewer_id: int, folder_id: int) -> None:
        await self._run(partial(self.store.delete_folder, viewer_id, folder_id))

    async def rename_folder(self, viewer_id: int, folder_id: int, new_path: str) -> FolderInfo:
        return await self._run(partial(self.store.rename_folder, viewer_id, folder_id, new_path))

    async def set_subscribed(self, viewer_id: int, folder_id: int, subscribed: bool) -> None:
        await self._run(partial(self.store.set_subscribed, viewer_id, folder_id, subscribed))

    async def folder_status(self, viewer_id: int, folder_id: int) -> FolderStatus:
        return await self._run(partial(self.store.folder_status, viewer_id, folder_id))

    async def claim_recent(self, viewer_id: int, folder_id: int) -> int:
        return await self._run(partial(self.store.claim_recent, viewer_id, folder_id))

    # -- messages -----------------------------------------------------------------------------------------------

    async def snapshot(self, viewer_id: int, folder_id: int) -> FolderSnapshot:
        return await self._run(partial(self.store.snapshot, viewer_id, folder_id))

    async def fetch(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
        return await self._run(partial(self.store.fetch, viewer_id, folder_id, uids))

    async def fetch_summaries(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[MessageSummary, ...]:
        return await self._run(partial(self.store.fetch_summaries, viewer_id, folder_id, uids))

    async def read_raw(self, viewer_id: int, folder_id: int, uid: int) -> bytes:
        return await self._run(partial(self.store.read_raw, viewer_id, folder_id, uid))

    async def read_blob(self, sha256: str) -> bytes:
        return await self._run(partial(self.store.read_blob, sha256))

    async def store_flags(self, viewer_id: int, folder_id: int, uids: UidArg, mode: FlagMode,
                          flags: Iterable[str], *, unchanged_since: int | None = None) -> FlagUpdate:
        return await self._run(partial(self.store.store_flags, viewer_id, folder_id, uids, mode, tuple(flags),
                                       unchanged_since=unchanged_since))

    async def append(self, viewer_id: int, folder_id: int, raw: bytes, *, flags: Iterable[str] = (),
                     internal_date: datetime | None = None) -> Appended:
        return await self._run(partial(self.store.append, viewer_id, folder_id, raw, flags=tuple(flags),
                                       internal_date=internal_date))

    async def copy(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        return await self._run(partial(self.store.copy, viewer_id, folder_id, uids, target_folder_id))

    async def move(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        return await self._run(partial(self.store.move, viewer_id, folder_id, uids, target_folder_id))

    async def expunge(self, viewer_id: int, folder_id: int, uids: UidArg | None = None) -> Expunged:
        return await self._run(partial(self.store.expunge, viewer_id, folder_id, uids))

    async def changes_since(self, viewer_id: int, folder_id: int, modseq: int) -> Changes:
        return await self._run(partial(self.store.changes_since, viewer_id, folder_id, modseq))

    async def search(self, viewer_id: int, folder_id: int, criterion: Criterion) -> tuple[int, ...]:
        return await self._run(partial(self.store.search, viewer_id, folder_id, criterion))

    async def sort(self, viewer_id: int, folder_id: int, order: Sequence[SortOrder],
                   criterion: Criterion = MATCH_ALL) -> tuple[int, ...]:
        return await self._run(partial(self.store.sort, viewer_id, folder_id, tuple(order), criterion))

    async def sort_fields(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[SortFields, ...]:
        return await self._run(partial(self.store.sort_fields, viewer_id, folder_id, uids))
