"""Folder access control lists (RFC 4314): the entries of a folder (GETACL) and changing them (SETACL,
DELETEACL).

Identifiers are the addresses of local accounts. The owner always holds every right and is not an entry one can
change. A clerk's rights on an agency mailbox come from the directory (``congvu account grant … clerk``); an entry
on one folder replaces them there (SETACL may narrow or widen them), and DELETEACL of the entry returns to them.
DELETEACL of a clerk with no entry is refused with a pointer to the directory, where delegation is managed.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.mailstore.access import FolderAccess, effective_rights, open_folder
from congvu.mailstore.api import ALL_RIGHTS, AclEntry, AclSource, FlagMode
from congvu.mailstore.context import MailContext
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.store.schema import accounts, mailbox_delegates
from congvu.store.schema_acl import folder_acl

# RFC 4314 §2.1.1: the obsolete RFC 2086 rights "c" and "d" stand for "k" and "x", "t", "e".
_OBSOLETE = {"c": "k", "d": "xte"}


def parse_rights(letters: str) -> str:
    """Rights letters in the canonical order; :class:`InvalidInput` for a right this server does not know."""
    wanted: set[str] = set()
    for ch in letters:
        if ch in ALL_RIGHTS:
            wanted.add(ch)
        elif ch in _OBSOLETE:
            wanted.update(_OBSOLETE[ch])
        else:
            raise InvalidInput(f"Quyền không được hỗ trợ: «{ch}».", message_en=f"Unsupported right: {ch}",
                               field="rights")
    return "".join(ch for ch in ALL_RIGHTS if ch in wanted)


def _grantee(conn: Connection, access: FolderAccess, identifier: str, *, active: bool) -> tuple[int, str]:
    address = identifier.strip().lower()
    query = select(accounts.c.id, accounts.c.address).where(accounts.c.address == address)
    if active:
        query = query.where(accounts.c.status == "active")
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"Không có tài khoản «{identifier}» trong hệ thống.",
                       message_en=f"No such local account: {identifier}", field="identifier")
    if int(row.id) == access.owner_id:
        raise InvalidInput(f"Chủ hộp thư «{row.address}» luôn có mọi quyền trên thư mục của mình.",
                           message_en=f"The owner {row.address} always holds every right", field="identifier")
    return int(row.id), str(row.address)


def _delegated(conn: Connection, owner_id: int, account_id: int) -> str | None:
    return conn.execute(select(mailbox_delegates.c.rights).where(
        mailbox_delegates.c.mailbox_account_id == owner_id,
        mailbox_delegates.c.delegate_account_id == account_id)).scalar()


def _entry(conn: Connection, folder_id: int, account_id: int) -> str | None:
    return conn.execute(select(folder_acl.c.rights).where(folder_acl.c.folder_id == folder_id,
                                                          folder_acl.c.account_id == account_id)).scalar()


def entries(ctx: MailContext, viewer_id: int, folder_id: int) -> tuple[AclEntry, ...]:
    """GETACL (right ``a``): the owner, every delegate of the owner's mailbox and every folder entry."""
    with ctx.db.read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "a")
        found: dict[str, AclEntry] = {}
        delegates = conn.execute(select(accounts.c.address, mailbox_delegates.c.rights)
                                 .join(accounts, accounts.c.id == mailbox_delegates.c.delegate_account_id)
                                 .where(mailbox_delegates.c.mailbox_account_id == access.owner_id))
        for address, rights in delegates:
            letters = effective_rights(0, access.owner_id, rights).letters
            found[address] = AclEntry(address, letters, AclSource.DIRECTORY)
        granted = conn.execute(select(accounts.c.address, folder_acl.c.rights)
                               .join(accounts, accounts.c.id == folder_acl.c.account_id)
                               .where(folder_acl.c.folder_id == folder_id, accounts.c.status != "removed"))
        for address, rights in granted:
            found[address] = AclEntry(address, rights, AclSource.FOLDER)
    owner = AclEntry(access.owner_address, ALL_RIGHTS, AclSource.OWNER)
    return (owner, *(found[address] for address in sorted(found)))


def set_rights(ctx: MailContext, viewer_id: int, folder_id: int, identifier: str, rights: str,
               mode: FlagMode = FlagMode.REPLACE) -> AclEntry:
    """SETACL (right ``a``): replace, add to or take from the account's rights on the folder."""
    letters = parse_rights(rights)
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "a")
        account_id, address = _grantee(conn, access, identifier, active=True)
        delegated = _delegated(conn, access.owner_id, account_id)
        current = _entry(conn, folder_id, account_id)
        base = set(current if current is not None else effective_rights(0, access.owner_id, delegated).letters)
        if mode is FlagMode.ADD:
            base |= set(letters)
        elif mode is FlagMode.REMOVE:
            base -= set(letters)
        else:
            base = set(letters)
        new = "".join(ch for ch in ALL_RIGHTS if ch in base)
        conn.execute(delete(folder_acl).where(folder_acl.c.folder_id == folder_id,
                                              folder_acl.c.account_id == account_id))
        if new or delegated is not None:  # an empty entry over a delegation withdraws it on this folder
            conn.execute(insert(folder_acl).values(folder_id=folder_id, account_id=account_id, rights=new,
                                                   granted_by=viewer_id, granted_at=ctx.now()))
    # Open sessions on the folder look again (and the grantee's ends if it lost the right to read).
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.FLAGS)])
    return AclEntry(address, new, AclSource.FOLDER if new or delegated is not None else AclSource.NONE)


def delete_rights(ctx: MailContext, viewer_id: int, folder_id: int, identifier: str) -> None:
    """DELETEACL (right ``a``): remove the account's entry on the folder."""
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "a")
        account_id, address = _grantee(conn, access, identifier, active=False)
        removed = conn.execute(delete(folder_acl).where(folder_acl.c.folder_id == folder_id,
                                                        folder_acl.c.account_id == account_id)).rowcount
        if not removed and _delegated(conn, access.owner_id, account_id) is not None:
            raise Conflict(f"«{address}» là văn thư của cơ quan: quyền này do danh bạ cấp; thu hồi bằng "
                           f"«congvu account revoke {address} clerk» hoặc trang quản trị.",
                           message_en=f"{address} is a clerk of the agency: these rights come from the directory; "
                                      "revoke the clerk role there")
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.FLAGS)])
