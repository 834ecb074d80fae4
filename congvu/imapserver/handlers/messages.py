"""Commands that change messages of the selected folder: STORE (RFC 9051 §6.4.6, UNCHANGEDSINCE of RFC 7162
§3.1.3), COPY (§6.4.7, COPYUID of RFC 4315), MOVE (RFC 6851) and EXPUNGE / UID EXPUNGE (§6.4.3, RFC 4315 §2.1),
with their UID forms.

Expunged messages are reported with EXPUNGE, or VANISHED once QRESYNC is on (RFC 7162 §3.2.10). Changes the
session makes itself are remembered so that the next update does not repeat them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import Copy, Expunge, Move, Store, StoreMode
from congvu.imapserver.handlers.targets import find_folder, read_only_refusal, selected, target_uids
from congvu.imapserver.replies import Reply, Text, ok
from congvu.mailstore.api import RECENT, FlagMode, Transfer

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

_MODES = {StoreMode.REPLACE: FlagMode.REPLACE, StoreMode.ADD: FlagMode.ADD, StoreMode.REMOVE: FlagMode.REMOVE}


async def store(conn: ImapConnection, command: Store) -> Reply:
    session = conn.session
    folder = selected(conn)
    if folder.read_only:
        raise read_only_refusal()
    if command.unchanged_since is not None:
        session.enabled.add("CONDSTORE")
    uids = target_uids(conn, command.sequence, uid=command.uid)
    if not uids:
        return ok("Xong STORE", "STORE completed")
    flags = [flag for flag in command.flags if flag != RECENT]  # \Recent is the server's (RFC 9051 §2.3.2)
    update = await conn.server.store.store_flags(session.account_id, folder.folder.id, uids,
                                                   _MODES[command.mode], flags,
                                                   unchanged_since=command.unchanged_since)
    if folder.learn_keywords(update.messages):
        conn.write(folder.flags_line())
    folder.note_own(m for m in update.messages if m.uid in update.changed)
    refused = set(update.modified)
    rev1 = not session.rev2
    for summary in update.messages:
        if summary.uid in refused:
            continue
        if not command.silent:
            conn.write(folder.fetch_line(summary, rev1=rev1, condstore=session.condstore))
        elif session.condstore and summary.uid in update.changed:
            # RFC 7162 §3.1.3: even .SILENT reports the new MODSEQ of what changed.
            conn.write(folder.fetch_line(summary, rev1=rev1, condstore=True, flags=False))
        await conn.flush_if_large()
    if refused:
        numbers = sorted(update.modified) if command.uid else sorted(
            seq for seq in (folder.seq_of(uid) for uid in update.modified) if seq is not None)
        return ok("Một số thư đã bị thay đổi trước đó (UNCHANGEDSINCE)", "Conditional STORE failed for some messages",
                  response.modified(numbers))
    return ok("Xong STORE", "STORE completed")


def _copyuid(transfer: Transfer) -> response.ResponseCode | None:
    if not transfer.mapping:
        return None
    return response.copyuid(transfer.target_uidvalidity, [s for s, _ in transfer.mapping],
                            [d for _, d in transfer.mapping])


async def copy(conn: ImapConnection, command: Copy) -> Reply:
    folder = selected(conn)
    uids = target_uids(conn, command.sequence, uid=command.uid)
    target = await find_folder(conn, command.mailbox, missing=response.TRYCREATE)
    if not uids:
        return ok("Không có thư nào để sao chép", "COPY completed (no messages)")
    transfer = await conn.server.store.copy(conn.session.account_id, folder.folder.id, uids, target.id)
    if target.id == folder.folder.id:
        folder.dirty = True
    return ok("Đã sao chép thư", "COPY completed", _copyuid(transfer))


async def move(conn: ImapConnection, command: Move) -> Reply:
    folder = selected(conn)
    if folder.read_only:
        raise read_only_refusal()
    uids = target_uids(conn, command.sequence, uid=command.uid)
    target = await find_folder(conn, command.mailbox, missing=response.TRYCREATE)
    if not uids:
        return ok("Không có thư nào để chuyển", "MOVE completed (no messages)")
    transfer = await conn.server.store.move(conn.session.account_id, folder.folder.id, uids, target.id)
    code = _copyuid(transfer)
    if code is not None:
        # RFC 6851 §4.3: COPYUID comes in an untagged OK before the expunges.
        conn.untagged_ok(Text("Đã chuyển thư", "Moved"), code)
    for line in folder.remove(transfer.source_uids, vanished=conn.session.qresync):
        conn.write(line)
    if target.id == folder.folder.id:
        folder.dirty = True
    return ok("Đã chuyển thư", "MOVE completed")


async def expunge(conn: ImapConnection, command: Expunge) -> Reply:
    session = conn.session
    folder = selected(conn)
    if folder.read_only:
        raise read_only_refusal()
    store = conn.server.store
    if command.uids is not None:
        uids = target_uids(conn, command.uids, uid=True)
        if not uids:
            return ok("Xong EXPUNGE", "EXPUNGE completed")
        result = await store.expunge(session.account_id, folder.folder.id, uids)
    else:
        result = await store.expunge(session.account_id, folder.folder.id)
    for line in folder.remove(result.uids, vanished=session.qresync):
        conn.write(line)
        await conn.flush_if_large()
    code = response.highestmodseq(result.modseq) if session.condstore and result.modseq else None
    return ok("Đã xoá hẳn các thư đánh dấu xoá", "EXPUNGE completed", code)

