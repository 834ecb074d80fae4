"""Access control (RFC 4314: MYRIGHTS, GETACL, LISTRIGHTS, SETACL, DELETEACL) and quota (RFC 9208: GETQUOTAROOT,
GETQUOTA, SETQUOTA).

A folder's owner (and, for an agency mailbox, the agency's administrator) holds right ``a`` and may grant other
local accounts, named by address, rights on that folder with SETACL and take them back with DELETEACL; the folder
then appears to them under ``Shared/<owner>/``. A clerk's rights on the agency mailbox come from the directory
(``congvu account grant … clerk``): GETACL lists them, SETACL may replace them on one folder, and DELETEACL of a
clerk without such an entry is refused with a pointer to the directory. Rights are enforced on every command.

Each account has one quota root, ``""`` for the viewer's own folders and ``Shared/<address>`` for an agency
mailbox; with no limit configured the limit reads as the largest value the
protocol's 32-bit-minded clients handle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.errors import CongVuError
from congvu.imap import response
from congvu.imap.commands import (
    DeleteAcl,
    GetAcl,
    GetQuota,
    GetQuotaRoot,
    ListRights,
    MyRights,
    RightsChange,
    SetAcl,
    SetQuota,
)
from congvu.imapserver.handlers.targets import find_folder, refuse
from congvu.imapserver.replies import ImapRefusal, Reply, bad, no, ok
from congvu.mailstore.api import ALL_RIGHTS, DELIMITER, INBOX, SHARED_ROOT, FlagMode, FolderInfo

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

NO_LIMIT = 4_294_967_295
_ADMINISTER = no("Không có quyền quản trị quyền truy cập hộp thư này (quyền a)",
                 "No right to administer this mailbox's access (right a)", response.NOPERM)


def _need_admin(info: FolderInfo) -> None:
    if "a" not in info.rights:
        raise ImapRefusal(_ADMINISTER)


async def myrights(conn: ImapConnection, command: MyRights) -> Reply:
    info = await find_folder(conn, command.mailbox)
    conn.write(response.myrights(info.path, info.rights.letters, utf8=conn.utf8))
    return ok("Xong MYRIGHTS", "MYRIGHTS completed")


async def getacl(conn: ImapConnection, command: GetAcl) -> Reply:
    info = await find_folder(conn, command.mailbox)
    _need_admin(info)
    account = conn.session.account_id
    entries = await conn.server.store.read(lambda s: s.acl(account, info.id))
    conn.write(response.acl(info.path, [(entry.identifier, entry.rights) for entry in entries], utf8=conn.utf8))
    return ok("Xong GETACL", "GETACL completed")


async def listrights(conn: ImapConnection, command: ListRights) -> Reply:
    info = await find_folder(conn, command.mailbox)
    _need_admin(info)
    if command.identifier.lower() == info.owner_address:
        required, optional = ALL_RIGHTS, []
    else:
        required, optional = "", list(ALL_RIGHTS)
    conn.write(response.listrights(info.path, command.identifier, required, optional, utf8=conn.utf8))
    return ok("Xong LISTRIGHTS", "LISTRIGHTS completed")


_CHANGE_MODES = {RightsChange.REPLACE: FlagMode.REPLACE, RightsChange.ADD: FlagMode.ADD,
                 RightsChange.REMOVE: FlagMode.REMOVE}
_LOCAL_ONLY = no("Chỉ cấp quyền được cho tài khoản thư trong hệ thống (địa chỉ thư), không cho «anyone» hay "
                 "quyền phủ định", "Rights can only be granted to local accounts (by address), not to \"anyone\" "
                 "or as negative rights", response.CANNOT)


def _identifier_refusal(identifier: str) -> Reply | None:
    if identifier.startswith("-") or "@" not in identifier:
        return _LOCAL_ONLY
    return None


async def setacl(conn: ImapConnection, command: SetAcl) -> Reply:
    unknown = sorted({ch for ch in command.rights if ch not in ALL_RIGHTS + "cd"})
    if unknown:  # RFC 4314 §3.1: an unrecognised right is BAD
        return bad(f"Quyền không được hỗ trợ: {''.join(unknown)}", f"Unsupported right(s): {''.join(unknown)}")
    info = await find_folder(conn, command.mailbox)
    _need_admin(info)
    refusal = _identifier_refusal(command.identifier)
    if refusal is not None:
        return refusal
    account, mode = conn.session.account_id, _CHANGE_MODES[command.change]
    try:
        await conn.server.store.call(lambda s: s.set_acl(account, info.id, command.identifier, command.rights, mode))
    except CongVuError as error:
        raise refuse(error) from None
    return ok("Xong SETACL", "SETACL completed")


async def deleteacl(conn: ImapConnection, command: DeleteAcl) -> Reply:
    info = await find_folder(conn, command.mailbox)
    _need_admin(info)
    refusal = _identifier_refusal(command.identifier)
    if refusal is not None:
        return refusal
    account = conn.session.account_id
    try:
        await conn.server.store.call(lambda s: s.delete_acl(account, info.id, command.identifier))
    except CongVuError as error:
        raise refuse(error) from None
    return ok("Xong DELETEACL", "DELETEACL completed")


def _quota_root(info: FolderInfo) -> str:
    return "" if not info.shared else f"{SHARED_ROOT}{DELIMITER}{info.owner_address}"


async def _write_quota(conn: ImapConnection, root: str, owner_id: int) -> None:
    usage = await conn.server.store.quota(owner_id)
    limit_bytes = conn.server.limits.quota_storage_bytes
    storage_limit = NO_LIMIT if limit_bytes is None else limit_bytes // 1024
    used_kib = (usage.bytes + 1023) // 1024  # RFC 9208 §5.1: STORAGE is in units of 1024 octets
    conn.write(response.quota(root, [("STORAGE", used_kib, storage_limit), ("MESSAGE", usage.messages, NO_LIMIT)],
                              utf8=conn.utf8))


async def getquotaroot(conn: ImapConnection, command: GetQuotaRoot) -> Reply:
    info = await find_folder(conn, command.mailbox)
    root = _quota_root(info)
    conn.write(response.quotaroot(info.path, [root], utf8=conn.utf8))
    await _write_quota(conn, root, info.owner_id)
    return ok("Xong GETQUOTAROOT", "GETQUOTAROOT completed")


async def getquota(conn: ImapConnection, command: GetQuota) -> Reply:
    if command.root == "":
        await _write_quota(conn, "", conn.session.account_id)
        return ok("Xong GETQUOTA", "GETQUOTA completed")
    prefix = SHARED_ROOT + DELIMITER
    if not command.root.startswith(prefix):
        return no("Không có gốc hạn mức này", "No such quota root", response.NONEXISTENT)
    info = await find_folder(conn, f"{command.root}{DELIMITER}{INBOX}")
    await _write_quota(conn, command.root, info.owner_id)
    return ok("Xong GETQUOTA", "GETQUOTA completed")


async def setquota(conn: ImapConnection, command: SetQuota) -> Reply:
    return no("Hạn mức do quản trị viên đặt", "Quotas are set by administrators", response.NOPERM)
