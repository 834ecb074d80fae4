"""APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), UIDPLUS's APPENDUID (RFC 4315 §3), literal8 data
(RFC 3516 §4.4), UTF8 data (RFC 6855 §4) and APPENDLIMIT (RFC 7889).

The message is stored exactly as received: the bytes a client APPENDs are the bytes FETCH BODY[] returns. A
MULTIAPPEND is all or nothing (RFC 3502 §2): if one message fails, those already added are expunged again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.errors import CongVuError
from congvu.imap import response
from congvu.imap.commands import Append
from congvu.imapserver.handlers.common import find_folder, refuse
from congvu.imapserver.replies import Reply, no, ok
from congvu.imapserver.services import log
from congvu.mailstore.api import DELETED, RECENT, Appended, FlagMode

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection


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
