"""What a person does to messages from the list or the reading page: move, delete, report as junk, mark.

- Delete moves to the Trash of the same mailbox (an agency's message stays with the agency); in Trash it
  removes for good (\\Deleted then UID EXPUNGE, RFC 4315 §2.1).
- Junk moves to the mailbox's Junk folder and records a ``junk`` usage event naming the content (its SHA-256)
  so a spam filter can later be trained on what people reported; moving a message out of Junk records
  ``not_junk``.
- Read/unread and the flag set \\Seen and \\Flagged (the viewer's own \\Seen on a shared mailbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from congvu.errors import InvalidInput, NotFound
from congvu.mailstore.api import DELETED, FLAGGED, SEEN, FlagMode, FolderInfo, MailStoreApi, SpecialUse
from congvu.mailstore.usage import UsageRecorder
from congvu.webmail.mailboxes import special_folder

MAX_SELECTED = 1000


class Action(StrEnum):
    MOVE = "move"
    DELETE = "delete"
    JUNK = "junk"
    NOT_JUNK = "not_junk"
    READ = "read"
    UNREAD = "unread"
    FLAG = "flag"
    UNFLAG = "unflag"
    ARCHIVE = "archive"


_MARKS = {Action.READ: (FlagMode.ADD, SEEN), Action.UNREAD: (FlagMode.REMOVE, SEEN),
          Action.FLAG: (FlagMode.ADD, FLAGGED), Action.UNFLAG: (FlagMode.REMOVE, FLAGGED)}


def parse_action(value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise InvalidInput("Thao tác không hợp lệ.", message_en="Unknown action.", field="action") from None


def _target(store: MailStoreApi, viewer_id: int, folder: FolderInfo, use: SpecialUse) -> FolderInfo:
    found = special_folder(store, viewer_id, folder.owner_id, use)
    if found is None:
        raise NotFound("Hộp thư này không có thư mục cần chuyển tới.", message_en="The mailbox has no such folder.")
    return found


def apply(store: MailStoreApi, usage: UsageRecorder, viewer_id: int, folder_id: int, uids: Sequence[int],
          action: Action, *, target_id: int | None = None, protocol: str = "web") -> int | None:
    """Carry out ``action`` on ``uids`` of the folder; returns the folder the messages went to, if they moved."""
    if not uids:
        raise InvalidInput("Hãy chọn ít nhất một thư.", message_en="Select at least one message.", field="uid")
    if len(uids) > MAX_SELECTED:
        raise InvalidInput(f"Chọn tối đa {MAX_SELECTED} thư mỗi lần.",
                           message_en=f"Select at most {MAX_SELECTED} messages at a time.", field="uid")
    folder = store.get_folder(viewer_id, folder_id)
    if action in _MARKS:
        mode, flag = _MARKS[action]
        store.store_flags(viewer_id, folder_id, uids, mode, [flag])
        return None
    if action == Action.DELETE and folder.special_use == SpecialUse.TRASH.value:
        store.store_flags(viewer_id, folder_id, uids, FlagMode.ADD, [DELETED])
        store.expunge(viewer_id, folder_id, uids)
        return None
    if action == Action.MOVE:
        if target_id is None:
            raise InvalidInput("Hãy chọn thư mục cần chuyển tới.", message_en="Choose a folder to move to.",
                               field="target")
        target = store.get_folder(viewer_id, target_id)
    elif action == Action.NOT_JUNK:
        target = next(f for f in store.list_folders(viewer_id)
                      if f.owner_id == folder.owner_id and f.name == "INBOX")
    else:
        use = {Action.DELETE: SpecialUse.TRASH, Action.JUNK: SpecialUse.JUNK, Action.ARCHIVE: SpecialUse.ARCHIVE}
        target = _target(store, viewer_id, folder, use[action])
    if target.id == folder.id:
        return target.id
    reported = None
    if target.special_use == SpecialUse.JUNK.value:
        reported = "junk"
    elif folder.special_use == SpecialUse.JUNK.value:
        reported = "not_junk"
    if reported is not None:
        for stored in store.fetch(viewer_id, folder_id, uids):
            usage.record(reported, account_id=viewer_id, protocol=protocol, detail={
                "sha256": stored.content.sha256, "message_id": stored.content.message_id,
                "from": stored.content.from_[:300], "mailbox": folder.owner_address})
    store.move(viewer_id, folder_id, uids, target.id)
    return target.id
