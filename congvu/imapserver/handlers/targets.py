"""What a command names, resolved for its handler: the selected folder, the messages of a sequence set (RFC 9051
§9 ``sequence-set``), a folder by name, a special-use attribute (RFC 6154 §3), and the refusals that go with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.errors import CongVuError, NotFound
from congvu.imap import response
from congvu.imap.response import ResponseCode
from congvu.imap.sequence import SequenceSet
from congvu.imapserver.replies import ImapRefusal, bad, error_reply, no
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import FolderInfo, SpecialUse

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

SPECIAL_USES = {use.value: use for use in SpecialUse}


def selected(conn: ImapConnection) -> SelectedFolder:
    folder = conn.session.selected
    if folder is None:
        raise ImapRefusal(bad("Chưa chọn hộp thư (SELECT)", "No mailbox selected"))
    return folder


def target_uids(conn: ImapConnection, sequence: SequenceSet, *, uid: bool) -> list[int]:
    """The known UIDs a command's set names; message numbers past the last message are BAD (RFC 9051 §9)."""
    folder = selected(conn)
    if not uid and not folder.sequence_in_range(sequence):
        raise ImapRefusal(bad("Số thứ tự thư không hợp lệ (lớn hơn số thư trong hộp)",
                              "Invalid message sequence number (beyond the last message)"))
    return folder.uids_in(sequence, uid=uid, saved=conn.session.saved_uids)


async def find_folder(conn: ImapConnection, path: str, *, missing: ResponseCode | None = None) -> FolderInfo:
    """The folder the viewer names ``path``; NO [NONEXISTENT] (or ``missing``, e.g. TRYCREATE) otherwise."""
    account = conn.session.account_id
    try:
        return await conn.server.store.read(lambda s: s.find_folder(account, path))
    except NotFound as error:
        raise ImapRefusal(error_reply(error, missing=missing)) from None


def refuse(error: CongVuError, *, missing: ResponseCode | None = None,
           conflict: ResponseCode | None = None) -> ImapRefusal:
    return ImapRefusal(error_reply(error, missing=missing, conflict=conflict))


def read_only_refusal() -> ImapRefusal:
    return ImapRefusal(no("Hộp thư đang mở chỉ để đọc (EXAMINE)", "Mailbox is read-only (EXAMINE)",
                          response.READ_ONLY))


def special_use(attributes: tuple[str, ...]) -> SpecialUse | None:
    """RFC 6154 §3: one known attribute at most, else NO [USEATTR]."""
    if not attributes:
        return None
    if len(attributes) > 1 or attributes[0] not in SPECIAL_USES:
        raise ImapRefusal(no("Thuộc tính công dụng đặc biệt không được hỗ trợ",
                             "Unsupported special-use attribute", response.USEATTR))
    return SPECIAL_USES[attributes[0]]
