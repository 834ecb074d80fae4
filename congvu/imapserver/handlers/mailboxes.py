"""Mailbox commands of the authenticated state: CREATE (RFC 9051 §6.3.4, CREATE-SPECIAL-USE of RFC 6154 §3),
DELETE (§6.3.5), RENAME (§6.3.6), SUBSCRIBE and UNSUBSCRIBE (§6.3.7–6.3.8), LIST (§6.3.9 with RFC 5258 and RFC
5819 LIST-STATUS), LSUB (RFC 3501 §6.3.9), STATUS (§6.3.11 with SIZE of RFC 8438, APPENDLIMIT of RFC 7889 and
DELETED-STORAGE of RFC 9208) and APPEND (§6.3.12).

APPEND stores the message exactly as received (the bytes a client APPENDs are the bytes FETCH BODY[] returns),
with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315 §3), literal8 data (RFC 3516 §4.4) and UTF8 data (RFC 6855 §4).
A MULTIAPPEND is all or nothing (RFC 3502 §2): if one message fails, those already added are removed again.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from congvu.errors import Conflict, CongVuError, InvalidInput, NotFound
from congvu.imap import response
from congvu.imap.commands import Append, Create, Delete, List, Lsub, Rename, Status, Subscribe, Unsubscribe
from congvu.imapserver.handlers.selection import close_selected
from congvu.imapserver.handlers.targets import find_folder, refuse, special_use
from congvu.imapserver.listing import list_entries, lsub_entries
from congvu.imapserver.replies import Reply, bad, no, ok
from congvu.imapserver.services import log
from congvu.mailstore.api import (
    DELETED,
    DELIMITER,
    INBOX,
    RECENT,
    Appended,
    FlagMode,
    FolderInfo,
    FolderStatus,
    MailStoreApi,
)
from congvu.mailstore.criteria import HasFlag
from congvu.mailstore.usage import UsageKind

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection


def _new_name(name: str) -> str:
    # RFC 9051 §6.3.4: a trailing delimiter only declares that children will follow.
    return name.rstrip(DELIMITER)


async def create(conn: ImapConnection, command: Create) -> Reply:
    name = _new_name(command.mailbox)
    if not name:
        return bad("Tên hộp thư rỗng", "Empty mailbox name")
    if name == INBOX:
        return no("Hộp thư INBOX luôn có sẵn", "INBOX always exists", response.ALREADYEXISTS)
    use = special_use(command.special_use)
    try:
        await conn.server.store.create_folder(conn.session.account_id, name, special_use=use)
    except Conflict as error:
        raise refuse(error, conflict=response.ALREADYEXISTS) from None
    return ok("Đã tạo hộp thư", "CREATE completed")


async def delete(conn: ImapConnection, command: Delete) -> Reply:
    info = await find_folder(conn, command.mailbox)
    try:
        await conn.server.store.delete_folder(conn.session.account_id, info.id)
    except Conflict as error:
        raise refuse(error, conflict=response.HASCHILDREN if info.has_children else response.CANNOT) from None
    selected = conn.session.selected
    if selected is not None and selected.folder.id == info.id:
        close_selected(conn)
    return ok("Đã xoá hộp thư", "DELETE completed")


async def rename(conn: ImapConnection, command: Rename) -> Reply:
    info = await find_folder(conn, command.mailbox)
    new_name = _new_name(command.new_name)
    if not new_name:
        return bad("Tên hộp thư mới rỗng", "Empty new mailbox name")
    try:
        await conn.server.store.rename_folder(conn.session.account_id, info.id, new_name)
    except Conflict as error:
        raise refuse(error, conflict=response.ALREADYEXISTS) from None
    return ok("Đã đổi tên hộp thư", "RENAME completed")


async def subscribe(conn: ImapConnection, command: Subscribe | Unsubscribe) -> Reply:
    wanted = isinstance(command, Subscribe)
    try:
        info = await conn.server.store.find_folder(conn.session.account_id, command.mailbox)
        await conn.server.store.set_subscribed(conn.session.account_id, info.id, wanted)
    except NotFound as error:
        if wanted:
            raise refuse(error) from None
        # Unsubscribing a name that no longer exists is how clients clean up after a DELETE elsewhere.
    except InvalidInput as error:
        raise refuse(error) from None
    return ok(f"Xong {command.name}", f"{command.name} completed")


async def list_mailboxes(conn: ImapConnection, command: List) -> Reply:
    utf8 = conn.utf8
    patterns = [p for p in command.patterns if p]
    if not patterns:
        # RFC 9051 §6.3.9: an empty pattern asks for the hierarchy delimiter.
        conn.write(response.list_line(["\\Noselect"], DELIMITER, "", utf8=utf8))
        return ok("Xong LIST", "LIST completed")
    folders = await conn.server.store.list_folders(conn.session.account_id)
    want_status = "STATUS" in command.return_options and command.status_items
    for entry in list_entries(command, folders):
        conn.write(response.list_line(entry.attributes, DELIMITER, entry.name, utf8=utf8,
                                      child_info=entry.child_info))
        if want_status and entry.folder is not None and "r" in entry.folder.rights:
            try:
                items = await status_items(conn, entry.folder, command.status_items)
            except CongVuError:
                continue  # RFC 5819 §2: a mailbox whose status cannot be read is listed without it
            conn.write(response.status(entry.name, items, utf8=utf8))
        await conn.flush_if_large()
    return ok("Xong LIST", "LIST completed")


async def lsub(conn: ImapConnection, command: Lsub) -> Reply:
    folders = await conn.server.store.list_folders(conn.session.account_id)
    for entry in lsub_entries(command.reference, command.pattern, folders):
        conn.write(response.list_line(entry.attributes, DELIMITER, entry.name, utf8=conn.utf8, command="LSUB"))
    return ok("Xong LSUB", "LSUB completed")


async def status_items(conn: ImapConnection, info: FolderInfo, names: tuple[str, ...],
                       current: FolderStatus | None = None) -> dict[str, int]:
    """The STATUS values of ``names``; ``current`` is the folder's status when the caller has read it already."""
    store = conn.server.store
    account = conn.session.account_id
    messages = info.uidnext - 1  # at most this many messages are read
    if current is None:
        current = await store.read(lambda s: s.folder_status(account, info.id), rows=messages)
    status = current
    values: dict[str, int] = {}
    for name in names:
        if name == "MESSAGES":
            values[name] = status.messages
        elif name == "RECENT":
            values[name] = status.recent
        elif name == "UIDNEXT":
            values[name] = status.uidnext
        elif name == "UIDVALIDITY":
            values[name] = status.uidvalidity
        elif name == "UNSEEN":
            values[name] = status.unseen
        elif name == "DELETED":
            values[name] = status.deleted
        elif name == "SIZE":
            values[name] = status.size
        elif name == "HIGHESTMODSEQ":
            conn.session.enabled.add("CONDSTORE")  # RFC 7162 §3.1: STATUS HIGHESTMODSEQ turns CONDSTORE on
            values[name] = status.highestmodseq
        elif name == "APPENDLIMIT":
            values[name] = conn.server.limits.max_message_bytes
        elif name == "DELETED-STORAGE":
            values[name] = await store.read(lambda s: _deleted_octets(s, account, info.id), rows=messages)
    return values


def _deleted_octets(store: MailStoreApi, viewer_id: int, folder_id: int) -> int:
    """RFC 9208 §5.3 DELETED-STORAGE: the octets of the messages marked \\Deleted."""
    deleted = store.search(viewer_id, folder_id, HasFlag(DELETED))
    return sum(f.size for f in store.sort_fields(viewer_id, folder_id, deleted)) if deleted else 0


def _folder_and_status(store: MailStoreApi, viewer_id: int, path: str) -> tuple[FolderInfo, FolderStatus] | NotFound:
    """The folder named ``path`` and its status, in one trip to a worker."""
    try:
        info = store.find_folder(viewer_id, path)
    except NotFound as error:
        return error
    return info, store.folder_status(viewer_id, info.id)


async def status(conn: ImapConnection, command: Status) -> Reply:
    store = conn.server.store
    current: FolderStatus | None = None
    if store.inline_reads:
        # The folder first: its UIDNEXT tells whether its status is a small read (status_items reads it).
        info = await find_folder(conn, command.mailbox)
    else:
        found = await store.call(partial(_folder_and_status, viewer_id=conn.session.account_id,
                                         path=command.mailbox))
        if isinstance(found, NotFound):
            raise refuse(found)  # as find_folder answers: NO [NONEXISTENT]
        info, current = found
    items = await status_items(conn, info, command.items, current)
    conn.write(response.status(info.path, items, utf8=conn.utf8))
    if info.name == INBOX and not info.shared:
        conn.server.record_usage(UsageKind.INBOX_CHECK, conn.session.account_id, {"command": "STATUS"})
    return ok("Xong STATUS", "STATUS completed")


async def append(conn: ImapConnection, command: Append) -> Reply:
    limits = conn.server.limits
    for message in command.messages:
        if not message.data:
            return no("Thư rỗng", "Empty message", response.CANNOT)
        if len(message.data) > limits.max_message_bytes:
            return no("Thư quá lớn", "Message too large", response.TOOBIG)
    info = await find_folder(conn, command.mailbox, missing=response.TRYCREATE)
    store = conn.server.store
    account = conn.session.account_id
    done: list[Appended] = []
    try:
        for message in command.messages:
            flags = tuple(flag for flag in message.flags if flag != RECENT)
            done.append(await store.append(account, info.id, message.data, flags=flags,
                                           internal_date=message.internal_date))
    except CongVuError as error:
        if done:
            await _undo(conn, info.id, done)
        raise refuse(error, missing=response.TRYCREATE) from None
    except BaseException:
        if done:
            await _undo(conn, info.id, done)
        raise
    selected = conn.session.selected
    if selected is not None and selected.folder.id == info.id:
        selected.dirty = True  # RFC 9051 §6.3.12: the new message is announced with EXISTS
    code = response.appenduid(done[0].uidvalidity, [a.uid for a in done])
    return ok("Đã thêm thư", "APPEND completed", code)


async def _undo(conn: ImapConnection, folder_id: int, done: list[Appended]) -> None:
    store = conn.server.store
    uids = [a.uid for a in done]
    try:
        await store.store_flags(conn.session.account_id, folder_id, uids, FlagMode.ADD, [DELETED])
        await store.expunge(conn.session.account_id, folder_id, uids)
    except CongVuError:
        log.warning("MULTIAPPEND partly applied in folder %s: could not remove %d message(s)", folder_id, len(done))
