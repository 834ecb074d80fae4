"""SELECT and EXAMINE (RFC 9051 §6.3.2–6.3.3) with CONDSTORE and QRESYNC parameters (RFC 7162 §3.1.8,
§3.2.5), CLOSE (§6.4.2) and UNSELECT (RFC 3691).

The session subscribes to the folder's change events before it reads the snapshot, so nothing that happens in
between is missed. Read-write access needs one of the rights s, t, w or e (RFC 4314 §4); with only ``r`` the
folder opens read-only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from congvu.errors import PermissionDenied
from congvu.imap import response, wire
from congvu.imap.commands import Close, QResync, Select, Unselect
from congvu.imapserver.handlers.targets import find_folder, refuse, selected
from congvu.imapserver.listing import folder_attributes
from congvu.imapserver.replies import Reply, Text, bad, ok
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import ANSWERED, DELETED, DELIMITER, DRAFT, FLAGGED, INBOX, SEEN, FolderInfo, MessageSummary
from congvu.mailstore.usage import UsageKind

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

WRITE_RIGHTS = "stwe"


def permanent_flags(info: FolderInfo, read_only: bool) -> list[str]:
    """RFC 9051 §7.1 PERMANENTFLAGS, narrowed to what the viewer's rights let it change (RFC 4314 §4)."""
    if read_only:
        return []
    flags: list[str] = []
    if "w" in info.rights:
        flags += [ANSWERED, FLAGGED]
    if "t" in info.rights:
        flags.append(DELETED)
    if "s" in info.rights:
        flags.append(SEEN)
    if "w" in info.rights:
        flags += [DRAFT, "\\*"]
    return flags


def close_selected(conn: ImapConnection) -> None:
    """Leave the selected state; IMAP4rev2 and QRESYNC clients hear ``* OK [CLOSED]`` (RFC 9051 §7.1)."""
    folder = conn.session.unselect()
    if folder is None:
        return
    folder.close()
    if conn.session.rev2 or conn.session.qresync:
        conn.untagged_ok(Text("Đã đóng hộp thư trước", "Previous mailbox closed"), response.CLOSED)


async def select(conn: ImapConnection, command: Select) -> Reply:
    session = conn.session
    store = conn.server.store
    close_selected(conn)
    if command.qresync is not None and not session.qresync:
        return bad("Cần ENABLE QRESYNC trước", "ENABLE QRESYNC first")  # RFC 7162 §3.2.5
    if command.condstore or command.qresync is not None:
        session.enabled.add("CONDSTORE")
    info = await find_folder(conn, command.mailbox)
    if "r" not in info.rights:
        raise refuse(PermissionDenied(f"Không có quyền đọc hộp thư {info.path}",
                                      message_en=f"No right to read mailbox {info.path}"))
    read_only = command.read_only or not any(letter in info.rights for letter in WRITE_RIGHTS)
    subscription = store.subscribe(info.id)
    account = session.account_id
    try:
        # UIDNEXT bounds the number of messages the snapshot reads.
        snapshot = await store.read(lambda s: s.snapshot(account, info.id), rows=info.uidnext - 1)
        folder = SelectedFolder(snapshot.folder, snapshot.messages, read_only=read_only, subscription=subscription)
        if not session.rev2 and not read_only and folder.count:
            first_recent = await store.claim_recent(session.account_id, info.id)
            folder.recent = {uid for uid in folder.uids if uid >= first_recent}
    except BaseException:
        subscription.close()
        raise
    _announce(conn, folder, snapshot.messages)
    session.select(folder)
    if command.qresync is not None:
        await _resynchronise(conn, folder, command.qresync)
    if folder.folder.name == INBOX and not folder.folder.shared:
        conn.server.record_usage(UsageKind.INBOX_CHECK, session.account_id, {"command": command.name})
    code = response.READ_ONLY if read_only else response.READ_WRITE
    return ok(f"Đã mở hộp thư ({command.name})", f"{command.name} completed", code)


def _announce(conn: ImapConnection, folder: SelectedFolder, messages: Sequence[MessageSummary]) -> None:
    """The responses SELECT requires (RFC 9051 §6.3.2; RECENT and UNSEEN for IMAP4rev1, RFC 3501 §6.3.1)."""
    session = conn.session
    info = folder.folder
    conn.write(folder.flags_line())
    conn.write(response.exists(folder.count))
    if not session.rev2:
        conn.write(response.recent(len(folder.recent)))
        first_unseen = next((n for n, m in enumerate(messages, 1) if SEEN not in m.flags), None)
        if first_unseen is not None:
            conn.untagged_ok(Text("Thư chưa đọc đầu tiên", "First unseen message"), response.unseen(first_unseen))
    flags = permanent_flags(info, folder.read_only)
    conn.untagged_ok(Text("Các cờ được lưu", "Flags permitted"), response.permanent_flags(flags))
    conn.untagged_ok(Text("Mã phiên UID", "UIDs valid"), response.uidvalidity(info.uidvalidity))
    conn.untagged_ok(Text("UID tiếp theo", "Predicted next UID"), response.uidnext(info.uidnext))
    conn.untagged_ok(Text("MODSEQ cao nhất", "Highest modseq"), response.highestmodseq(folder.modseq))
    if session.rev2:
        # RFC 9051 §6.3.2: the mailbox's name with accurate attributes.
        conn.write(response.list_line(folder_attributes(info), DELIMITER, info.path, utf8=conn.utf8))


async def _resynchronise(conn: ImapConnection, folder: SelectedFolder, qresync: QResync) -> None:
    """RFC 7162 §3.2.5.1: what vanished and what changed since the client's MODSEQ, if its UIDVALIDITY holds."""
    if qresync.uidvalidity != folder.folder.uidvalidity:
        return
    session = conn.session
    account, folder_id = session.account_id, folder.folder.id
    changes = await conn.server.store.read(lambda s: s.changes_since(account, folder_id, qresync.modseq),
                                           rows=folder.count)
    known = qresync.known_uids.resolve(folder.max_uid) if qresync.known_uids is not None else None
    # UIDs still in this session's snapshot were expunged after it: the next update reports them as usual.
    vanished = [uid for uid in changes.vanished
                if folder.seq_of(uid) is None and (known is None or uid in known)]
    if vanished:
        conn.write(response.data("VANISHED (EARLIER)", wire.sequence_set(vanished)))
    for summary in changes.changed:
        if folder.seq_of(summary.uid) is not None:
            conn.write(folder.fetch_line(summary, rev1=not session.rev2, condstore=True))


async def close(conn: ImapConnection, command: Close) -> Reply:
    """RFC 9051 §6.4.2: expunge silently (when allowed) and leave the selected state."""
    folder = selected(conn)
    if not folder.read_only and "e" in folder.folder.rights:
        with contextlib.suppress(PermissionDenied):
            await conn.server.store.expunge(conn.session.account_id, folder.folder.id)
    conn.session.unselect()
    folder.close()
    return ok("Đã đóng hộp thư", "CLOSE completed")


async def unselect(conn: ImapConnection, command: Unselect) -> Reply:
    folder = selected(conn)
    conn.session.unselect()
    folder.close()
    return ok("Đã bỏ chọn hộp thư", "UNSELECT completed")
