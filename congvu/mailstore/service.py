"""The mail store service: one object implementing :class:`congvu.mailstore.api.MailStoreApi` over the database,
the blob store and the notifier. The operations live in the modules named beside each method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import select

from congvu.mailstore import access, acl, delivery, flagstore, folders, messages, sorting, transfer
from congvu.mailstore.api import (
    AclEntry,
    Appended,
    Changes,
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
    SpecialUse,
    StoredMessage,
    Transfer,
    UidArg,
)
from congvu.mailstore.batcher import DeliveryBatcher
from congvu.mailstore.context import VIETNAM_TIME, MailContext, utcnow
from congvu.mailstore.criteria import MATCH_ALL, Criterion, SortOrder
from congvu.mailstore.notify import LocalNotifier, Notifier
from congvu.mailstore.textbacklog import TextIndexer
from congvu.store.blobs import BlobStore
from congvu.store.database import Database
from congvu.store.schema import folders as folder_table
from congvu.store.schema import mail_accounts


class MailStore:
    """Synchronous and thread-safe; see :mod:`congvu.mailstore.api` for the semantics of every method."""

    def __init__(self, db: Database, blobs: BlobStore, *, notifier: Notifier | None = None,
                 clock: Callable[[], datetime] = utcnow, day_zone: tzinfo = VIETNAM_TIME) -> None:
        self.notifier: Notifier = notifier if notifier is not None else LocalNotifier()
        self.ctx = MailContext(db=db, blobs=blobs, notifier=self.notifier, clock=clock, day_zone=day_zone,
                               text_deferred=self._text_deferred)
        # Reads are local file reads that never wait for a writer (SQLite under WAL): an asyncio server may make
        # small ones on its own thread (see ``AsyncMailStore.read``).
        self.local_reads = db.is_sqlite
        # Deliveries from concurrent callers (SMTP sessions, the outbound worker) share commits.
        self.deliveries = DeliveryBatcher(self.ctx)
        # Long bodies are folded and indexed for search once deliveries pause (textbacklog.py).
        self.text_index = TextIndexer(self.ctx, lambda: self.deliveries.last_delivery)

    def _text_deferred(self, content_ids: Sequence[int]) -> None:
        self.text_index.queue(content_ids)

    def close(self) -> None:
        """Stop the background work (what is left in the text backlog is indexed at the next start)."""
        self.text_index.close()

    # -- delivery (delivery.py) ---------------------------------------------------------------------------------

    def deliver(self, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
                folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
        return self.deliveries.deliver(delivery.prepare(self.ctx, raw, mailbox_ids, internal_date=internal_date,
                                                        folder=folder, flags=flags))

    def quota(self, account_id: int) -> QuotaUsage:
        with self.ctx.db.read() as conn:
            row = conn.execute(select(mail_accounts.c.bytes_used, mail_accounts.c.messages_used)
                               .where(mail_accounts.c.account_id == account_id)).first()
        return QuotaUsage(account_id, int(row.bytes_used) if row else 0, int(row.messages_used) if row else 0)

    # -- folders (folders.py) -----------------------------------------------------------------------------------

    def ensure_default_folders(self, account_id: int) -> tuple[FolderInfo, ...]:
        with self.ctx.db.begin() as conn:
            folders.ensure_defaults(self.ctx, conn, [account_id], always=True)
        return tuple(info for info in folders.list_folders(self.ctx, account_id) if not info.shared)

    def rights(self, viewer_id: int, owner_id: int) -> Rights:
        return folders.rights(self.ctx, viewer_id, owner_id)

    def acl(self, viewer_id: int, folder_id: int) -> tuple[AclEntry, ...]:
        return acl.entries(self.ctx, viewer_id, folder_id)

    def set_acl(self, viewer_id: int, folder_id: int, identifier: str, rights: str,
                mode: FlagMode = FlagMode.REPLACE) -> AclEntry:
        return acl.set_rights(self.ctx, viewer_id, folder_id, identifier, rights, mode)

    def delete_acl(self, viewer_id: int, folder_id: int, identifier: str) -> None:
        acl.delete_rights(self.ctx, viewer_id, folder_id, identifier)

    def inactive_accounts(self, account_ids: Iterable[int]) -> dict[int, str]:
        with self.ctx.db.read() as conn:
            return access.inactive_accounts(conn, account_ids)

    def list_folders(self, viewer_id: int) -> tuple[FolderInfo, ...]:
        return folders.list_folders(self.ctx, viewer_id)

    def find_folder(self, viewer_id: int, path: str) -> FolderInfo:
        return folders.find_folder(self.ctx, viewer_id, path)

    def get_folder(self, viewer_id: int, folder_id: int) -> FolderInfo:
        return folders.get_folder(self.ctx, viewer_id, folder_id)

    def create_folder(self, viewer_id: int, path: str, *, special_use: SpecialUse | None = None) -> FolderInfo:
        return folders.create_folder(self.ctx, viewer_id, path, special_use=special_use)

    def delete_folder(self, viewer_id: int, folder_id: int) -> None:
        folders.delete_folder(self.ctx, viewer_id, folder_id)

    def rename_folder(self, viewer_id: int, folder_id: int, new_path: str) -> FolderInfo:
        return folders.rename_folder(self.ctx, viewer_id, folder_id, new_path)

    def set_subscribed(self, viewer_id: int, folder_id: int, subscribed: bool) -> None:
        folders.set_subscribed(self.ctx, viewer_id, folder_id, subscribed)

    def folder_status(self, viewer_id: int, folder_id: int) -> FolderStatus:
        return messages.folder_status(self.ctx, viewer_id, folder_id)

    def claim_recent(self, viewer_id: int, folder_id: int) -> int:
        return folders.claim_recent(self.ctx, viewer_id, folder_id)

    # -- messages (messages.py, flagstore.py, transfer.py, sorting.py) -------------------------------------------

    def snapshot(self, viewer_id: int, folder_id: int) -> FolderSnapshot:
        return messages.snapshot(self.ctx, viewer_id, folder_id)

    def fetch(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
        return messages.fetch(self.ctx, viewer_id, folder_id, uids)

    def fetch_summaries(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[MessageSummary, ...]:
        return messages.fetch_summaries(self.ctx, viewer_id, folder_id, uids)

    def read_raw(self, viewer_id: int, folder_id: int, uid: int) -> bytes:
        return messages.read_raw(self.ctx, viewer_id, folder_id, uid)

    def read_blob(self, sha256: str) -> bytes:
        return self.ctx.blobs.get(sha256)

    def store_flags(self, viewer_id: int, folder_id: int, uids: UidArg, mode: FlagMode, flags: Iterable[str], *,
                    unchanged_since: int | None = None) -> FlagUpdate:
        return flagstore.store_flags(self.ctx, viewer_id, folder_id, uids, mode, flags,
                                     unchanged_since=unchanged_since)

    def append(self, viewer_id: int, folder_id: int, raw: bytes, *, flags: Iterable[str] = (),
               internal_date: datetime | None = None) -> Appended:
        return delivery.append(self.ctx, viewer_id, folder_id, raw, flags=flags, internal_date=internal_date)

    def copy(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        return transfer.transfer(self.ctx, viewer_id, folder_id, uids, target_folder_id, move=False)

    def move(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        return transfer.transfer(self.ctx, viewer_id, folder_id, uids, target_folder_id, move=True)

    def expunge(self, viewer_id: int, folder_id: int, uids: UidArg | None = None) -> Expunged:
        return transfer.expunge(self.ctx, viewer_id, folder_id, uids)

    def changes_since(self, viewer_id: int, folder_id: int, modseq: int) -> Changes:
        return messages.changes_since(self.ctx, viewer_id, folder_id, modseq)

    def search(self, viewer_id: int, folder_id: int, criterion: Criterion) -> tuple[int, ...]:
        return sorting.search(self.ctx, viewer_id, folder_id, criterion)

    def sort(self, viewer_id: int, folder_id: int, order: Sequence[SortOrder],
             criterion: Criterion = MATCH_ALL) -> tuple[int, ...]:
        return sorting.sort(self.ctx, viewer_id, folder_id, order, criterion)

    def sort_fields(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[SortFields, ...]:
        return sorting.sort_fields(self.ctx, viewer_id, folder_id, uids)

    # -- administration -----------------------------------------------------------------------------------------

    def folder_ids(self, account_id: int) -> dict[str, int]:
        """The account's own folders by name (for administration and tests)."""
        with self.ctx.db.read() as conn:
            rows = conn.execute(select(folder_table.c.name, folder_table.c.id)
                                .where(folder_table.c.account_id == account_id))
            return {str(name): int(folder_id) for name, folder_id in rows}


if TYPE_CHECKING:
    _CONFORMS: type[MailStoreApi] = MailStore
