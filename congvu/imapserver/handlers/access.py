"""Access control (RFC 4314: MYRIGHTS, GETACL, LISTRIGHTS, SETACL, DELETEACL) and quota (RFC 9208: GETQUOTAROOT,
GETQUOTA, SETQUOTA).

Who may use an agency mailbox is decided in the directory (a clerk of the agency is its delegate, see
``congvu account grant … clerk``), so SETACL and DELETEACL are refused with a pointer there; the rights are still
reported and enforced on every command. Each account has one quota root, ``""`` for the viewer's own folders and
``Shared/<address>`` for an agency mailbox; with no limit configured the limit reads as the largest value the
protocol's 32-bit-minded clients handle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import DeleteAcl, GetAcl, GetQuota, GetQuotaRoot, ListRights, MyRights, SetAcl, SetQuota
from congvu.imapserver.handlers.targets import find_folder
from congvu.imapserver.replies import ImapRefusal, Reply, no, ok
from congvu.mailstore.api import ALL_RIGHTS, DELIMITER, INBOX, SHARED_ROOT, FolderInfo

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
    entries = [(info.owner_address, ALL_RIGHTS)]
    user = conn.session.user
    if user is not None and user.account_id != info.owner_id:
        entries.append((user.address, info.rights.letters))
    conn.write(response.acl(info.path, entries, utf8=conn.utf8))
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


async def change_acl(conn: ImapConnection, command: SetAcl | DeleteAcl) -> Reply:
    info = await find_folder(conn, command.mailbox)
    _need_admin(info)
    return no("Quyền dùng hộp thư cơ quan do quản trị viên cấp trong danh bạ (văn thư của cơ quan)",
              "Access to agency mailboxes is granted by administrators in the directory (agency clerks)",
              response.NOPERM)


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
