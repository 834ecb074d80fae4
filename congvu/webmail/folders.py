"""A person's own folders as the webmail manages them: create, rename, move into another folder, delete.

Everything goes through the mail store's folder operations (the ones behind IMAP CREATE, RENAME and DELETE), so
a folder made on the web is the same folder a mail client lists, under the same NFC name. The web names one level
at a time: a name typed in a form is a single level (no ``/``), and where the folder sits is chosen from the
person's folders.

Special folders (INBOX, Sent, Drafts, Trash, Junk, Archive and the Held folder of reviewers) belong to the mail
system: they are neither renamed, moved nor deleted from the web, and no folder is created inside them. Folders
of an agency mailbox are managed by its owner's administrators, not from a delegate's webmail.

Deleting a folder deletes its messages and the folders inside it (deepest first, each through the store); the
page asks for confirmation with the figures of :func:`deletion_plan` first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from congvu.errors import InvalidInput, NotFound, PermissionDenied
from congvu.mailstore.api import DELIMITER, INBOX, FolderInfo, MailStoreApi, SpecialUse
from congvu.mailstore.names import is_inferior

HELD = "Held"
MAX_LEVEL_CHARS = 100
SPECIAL_LABELS = {
    SpecialUse.SENT.value: "Thư đã gửi",
    SpecialUse.DRAFTS.value: "Thư nháp",
    SpecialUse.TRASH.value: "Thùng rác",
    SpecialUse.JUNK.value: "Thư rác",
    SpecialUse.ARCHIVE.value: "Lưu trữ",
}
NAMED_LABELS = {INBOX: "Hộp thư đến", HELD: "Thư chờ duyệt"}


def folder_label(folder: FolderInfo) -> str:
    """The Vietnamese name of a folder (special folders by their use; others as named, last level only)."""
    if folder.name in NAMED_LABELS:
        return NAMED_LABELS[folder.name]
    if folder.special_use in SPECIAL_LABELS:
        return SPECIAL_LABELS[folder.special_use]
    return folder.name.rsplit(DELIMITER, 1)[-1]


def folder_title(folder: FolderInfo) -> str:
    """The name with the folders it sits in (``Dự án / Chuyển đổi số``), for lists of move targets."""
    if is_protected(folder):
        return folder_label(folder)
    return f" {DELIMITER} ".join(folder.name.split(DELIMITER))


def is_protected(folder: FolderInfo) -> bool:
    return folder.name in NAMED_LABELS or folder.special_use is not None


@dataclass(frozen=True)
class ManagedFolder:
    folder: FolderInfo
    messages: int
    unseen: int
    protected: bool

    @property
    def id(self) -> int:
        return self.folder.id

    @property
    def depth(self) -> int:
        return self.folder.name.count(DELIMITER)

    @property
    def leaf(self) -> str:
        return folder_label(self.folder)

    @property
    def parent_name(self) -> str | None:
        head, sep, _ = self.folder.name.rpartition(DELIMITER)
        return head if sep else None


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting ``folder`` removes: the folder and those inside it (deepest first) and their messages."""

    folder: FolderInfo
    family: tuple[FolderInfo, ...]
    messages: int

    @property
    def inner(self) -> tuple[FolderInfo, ...]:
        return tuple(f for f in self.family if f.id != self.folder.id)


def _order(folder: FolderInfo) -> tuple[int, int, str]:
    special = (INBOX, SpecialUse.DRAFTS.value, SpecialUse.SENT.value, SpecialUse.ARCHIVE.value,
               SpecialUse.JUNK.value, SpecialUse.TRASH.value)
    if folder.name == INBOX:
        return (0, 0, "")
    if folder.special_use in special:
        return (1, special.index(folder.special_use), folder.name)
    # Children right after their parent: compare level by level, each level without case.
    return (2, 0, "\x00".join(part.casefold() for part in folder.name.split(DELIMITER)))


def own_folders(store: MailStoreApi, viewer_id: int) -> tuple[ManagedFolder, ...]:
    """The viewer's own folders (special ones first, then the others as a tree) with their counts."""
    listed = []
    for folder in sorted((f for f in store.list_folders(viewer_id) if not f.shared), key=_order):
        status = store.folder_status(viewer_id, folder.id)
        listed.append(ManagedFolder(folder, status.messages, status.unseen, is_protected(folder)))
    return tuple(listed)


def level_name(raw: str) -> str:
    """A name typed for one level: NFC, spaces tidied, no ``/``."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidInput("Hãy nhập tên thư mục.", message_en="Enter a folder name.", field="name")
    if DELIMITER in name:
        raise InvalidInput(f"Tên thư mục không được chứa dấu «{DELIMITER}»; muốn đặt thư mục bên trong thư mục "
                           "khác, hãy chọn ở ô «Nằm trong».",
                           message_en=f"A folder name cannot contain {DELIMITER!r}; to put a folder inside "
                                      "another, choose it under 'Inside'.", field="name")
    if len(name) > MAX_LEVEL_CHARS:
        raise InvalidInput(f"Tên thư mục dài quá {MAX_LEVEL_CHARS} ký tự.",
                           message_en=f"A folder name is at most {MAX_LEVEL_CHARS} characters.", field="name")
    return name


def _protected_error(folder: FolderInfo) -> PermissionDenied:
    label = folder_label(folder)
    return PermissionDenied(f"«{label}» là thư mục đặc biệt của hộp thư: không đổi tên, chuyển hay xoá được.",
                            message_en=f"{folder.name} is a special folder of the mailbox: "
                                       "it cannot be renamed, moved or deleted.")


def own_folder(store: MailStoreApi, viewer_id: int, folder_id: int) -> FolderInfo:
    """A folder of the viewer's own mailbox (a folder of someone else's is :class:`NotFound` as in the store)."""
    folder = store.get_folder(viewer_id, folder_id)
    if folder.shared:
        raise PermissionDenied("Thư mục của hộp thư cơ quan do quản trị viên quản lý; bạn chỉ quản lý được thư "
                               "mục của hộp thư mình.",
                               message_en="Folders of an agency mailbox are managed by its administrators; you "
                                          "can manage the folders of your own mailbox.")
    return folder


def _manageable(store: MailStoreApi, viewer_id: int, folder_id: int) -> FolderInfo:
    folder = own_folder(store, viewer_id, folder_id)
    if is_protected(folder):
        raise _protected_error(folder)
    return folder


def _parent_name(store: MailStoreApi, viewer_id: int, parent_id: int | None) -> str | None:
    if parent_id is None:
        return None
    parent = own_folder(store, viewer_id, parent_id)
    if is_protected(parent):
        raise InvalidInput(f"Không đặt thư mục bên trong thư mục đặc biệt «{folder_label(parent)}».",
                           message_en="A folder cannot be put inside a special folder.", field="parent")
    return parent.name


def _join(parent: str | None, name: str) -> str:
    return name if parent is None else f"{parent}{DELIMITER}{name}"


def create(store: MailStoreApi, viewer_id: int, name: str, *, parent_id: int | None = None) -> FolderInfo:
    """A new folder ``name`` at the top of the viewer's mailbox or inside ``parent_id``."""
    return store.create_folder(viewer_id, _join(_parent_name(store, viewer_id, parent_id), level_name(name)))


def rename(store: MailStoreApi, viewer_id: int, folder_id: int, name: str, *, parent_id: int | None = None,
           keep_place: bool = False) -> FolderInfo:
    """Rename the folder and/or move it inside ``parent_id`` (None: the top; ``keep_place``: where it is); its
    inner folders follow."""
    folder = _manageable(store, viewer_id, folder_id)
    here = folder.name.rpartition(DELIMITER)[0] or None
    parent = here if keep_place else _parent_name(store, viewer_id, parent_id)
    if parent is not None and (parent == folder.name or is_inferior(parent, folder.name)):
        raise InvalidInput("Không chuyển được thư mục vào chính nó hay vào thư mục con của nó.",
                           message_en="A folder cannot be moved into itself or into one of its own folders.",
                           field="parent")
    return store.rename_folder(viewer_id, folder.id, _join(parent, level_name(name)))


def deletion_plan(store: MailStoreApi, viewer_id: int, folder_id: int) -> DeletionPlan:
    folder = _manageable(store, viewer_id, folder_id)
    family = [f for f in store.list_folders(viewer_id)
              if not f.shared and (f.id == folder.id or is_inferior(f.name, folder.name))]
    for member in family:
        if is_protected(member):
            raise _protected_error(member)
    family.sort(key=lambda f: (-f.name.count(DELIMITER), f.name))
    messages = sum(store.folder_status(viewer_id, f.id).messages for f in family)
    return DeletionPlan(folder, tuple(family), messages)


def delete(store: MailStoreApi, viewer_id: int, folder_id: int) -> DeletionPlan:
    """Delete the folder, the folders inside it and every message in them (IMAP DELETE of each, deepest first)."""
    plan = deletion_plan(store, viewer_id, folder_id)
    for member in plan.family:
        try:
            store.delete_folder(viewer_id, member.id)
        except NotFound:
            continue  # deleted meanwhile (by a mail client, say): the outcome is the same
    return plan
