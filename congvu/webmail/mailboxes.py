"""Folders and message lists as the webmail shows them: the folder tree with unread counts, special folders
(RFC 6154) of a mailbox, and one page of a folder's messages sorted and searched by the store.

Search is the store's (:mod:`congvu.mailstore.criteria`): every word typed must occur somewhere in the message
(headers or body), insensitive to case and Vietnamese diacritics, so "cong van" finds "Công văn".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from congvu.errors import NotFound
from congvu.mailstore.api import (
    ANSWERED,
    DRAFT,
    FLAGGED,
    INBOX,
    SEEN,
    AllOf,
    Criterion,
    FolderInfo,
    MailStoreApi,
    SortFields,
    SpecialUse,
    TextContains,
    TextField,
)
from congvu.mailstore.criteria import MATCH_ALL

PAGE_SIZE = 50
MAX_QUERY_CHARS = 200


class SortBy(StrEnum):
    DATE = "date"
    FROM = "from"
    TO = "to"
    SUBJECT = "subject"
    SIZE = "size"


_SORT_KEYS: dict[SortBy, Callable[[SortFields], date | datetime | str | int]] = {
    SortBy.DATE: lambda f: f.date, SortBy.FROM: lambda f: f.display_from, SortBy.TO: lambda f: f.display_to,
    SortBy.SUBJECT: lambda f: f.subject, SortBy.SIZE: lambda f: f.size}


@dataclass(frozen=True)
class FolderEntry:
    folder: FolderInfo
    unseen: int
    messages: int
    depth: int

    @property
    def id(self) -> int:
        return self.folder.id


@dataclass(frozen=True)
class MailboxGroup:
    """The folders of one mailbox: the viewer's own, or an agency mailbox delegated to the viewer."""

    owner_id: int
    owner_address: str
    shared: bool
    folders: tuple[FolderEntry, ...]

    @property
    def unseen(self) -> int:
        inbox = next((f for f in self.folders if f.folder.name == INBOX), None)
        return inbox.unseen if inbox else 0


@dataclass(frozen=True)
class ListedMessage:
    uid: int
    subject: str
    from_: str
    to: str
    date: datetime
    size: int
    flags: frozenset[str]
    has_attachments: bool

    @property
    def seen(self) -> bool:
        return SEEN in self.flags

    @property
    def flagged(self) -> bool:
        return FLAGGED in self.flags

    @property
    def answered(self) -> bool:
        return ANSWERED in self.flags

    @property
    def draft(self) -> bool:
        return DRAFT in self.flags


@dataclass(frozen=True)
class MessagePage:
    items: tuple[ListedMessage, ...]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


_ORDER = {None: 0, SpecialUse.DRAFTS.value: 1, SpecialUse.SENT.value: 2, SpecialUse.ARCHIVE.value: 3,
          SpecialUse.JUNK.value: 4, SpecialUse.TRASH.value: 5}


def _folder_order(folder: FolderInfo) -> tuple[int, int, str]:
    if folder.name == INBOX:
        return (0, 0, "")
    if folder.special_use is not None:
        return (1, _ORDER.get(folder.special_use, 9), folder.name)
    return (2, 0, folder.name.casefold())


def mailbox_groups(store: MailStoreApi, viewer_id: int,
                   folders: Sequence[FolderInfo] | None = None) -> tuple[MailboxGroup, ...]:
    """The viewer's mailboxes, own first, each with its folders (special ones first) and unread counts;
    ``folders`` is the viewer's folder list when the caller has just read it."""
    grouped: dict[int, list[FolderInfo]] = {}
    for folder in store.list_folders(viewer_id) if folders is None else folders:
        grouped.setdefault(folder.owner_id, []).append(folder)
    groups: list[MailboxGroup] = []
    for owner_id, folders in grouped.items():
        entries = []
        for folder in sorted(folders, key=_folder_order):
            if "r" in folder.rights:
                status = store.folder_status(viewer_id, folder.id)
                unseen, count = status.unseen, status.messages
            else:
                unseen = count = 0
            entries.append(FolderEntry(folder, unseen, count, folder.name.count("/")))
        first = folders[0]
        groups.append(MailboxGroup(owner_id, first.owner_address, first.shared, tuple(entries)))
    groups.sort(key=lambda g: (g.shared, g.owner_address))
    return tuple(groups)


def special_folder(store: MailStoreApi, viewer_id: int, owner_id: int, use: SpecialUse) -> FolderInfo | None:
    """The folder of ``owner_id``'s mailbox with special use ``use``, as the viewer sees it."""
    for folder in store.list_folders(viewer_id):
        if folder.owner_id == owner_id and folder.special_use == use.value:
            return folder
    return None


def inbox_of(store: MailStoreApi, viewer_id: int) -> FolderInfo:
    found = next((f for f in store.list_folders(viewer_id) if not f.shared and f.name == INBOX), None)
    if found is None:
        raise NotFound("Không có hộp thư đến.", message_en="No inbox.")
    return found


def search_criterion(query: str) -> Criterion:
    words = query.strip()[:MAX_QUERY_CHARS].split()
    if not words:
        return MATCH_ALL
    return AllOf(tuple(TextContains(TextField.TEXT, word) for word in words))


def message_page(store: MailStoreApi, viewer_id: int, folder_id: int, *, query: str = "",
                 sort: SortBy = SortBy.DATE, reverse: bool = True, page: int = 1,
                 size: int = PAGE_SIZE) -> MessagePage:
    """One page of the folder's messages (newest first by default)."""
    # The store's SORT breaks ties by ascending UID (RFC 5256); a person reading "newest first" expects ties
    # (a batch delivered in the same second, one sender's messages) newest first too.
    matching = store.search(viewer_id, folder_id, search_criterion(query))
    fields = store.sort_fields(viewer_id, folder_id, matching) if matching else ()
    key = _SORT_KEYS[sort]
    uids = [f.uid for f in sorted(fields, key=lambda f: (key(f), f.uid), reverse=reverse)]
    page = max(1, min(page, max(1, -(-len(uids) // size))))
    chosen = uids[(page - 1) * size: page * size]
    fetched = {m.uid: m for m in store.fetch(viewer_id, folder_id, chosen)} if chosen else {}
    items = []
    for uid in chosen:
        stored = fetched.get(uid)
        if stored is None:
            continue
        content = stored.content
        items.append(ListedMessage(uid=uid, subject=content.subject, from_=content.from_, to=content.to,
                                   date=content.date or stored.summary.internal_date, size=stored.summary.size,
                                   flags=stored.summary.flags, has_attachments=content.has_attachments))
    return MessagePage(tuple(items), len(uids), page, size)


@dataclass(frozen=True)
class InboxSummary:
    """One mailbox the viewer reads, as the home page sums it up."""

    folder_id: int
    owner_address: str
    shared: bool
    unseen: int
    messages: int


def inbox_summaries(store: MailStoreApi, viewer_id: int) -> tuple[InboxSummary, ...]:
    """The inbox of the viewer's own mailbox, then of each agency mailbox delegated to it, with unread counts."""
    found = []
    for folder in store.list_folders(viewer_id):
        if folder.name != INBOX or "r" not in folder.rights:
            continue
        status = store.folder_status(viewer_id, folder.id)
        found.append(InboxSummary(folder.id, folder.owner_address, folder.shared, status.unseen, status.messages))
    found.sort(key=lambda s: (s.shared, s.owner_address))
    return tuple(found)
