"""Folders: the default set, LIST, CREATE, DELETE, RENAME, SUBSCRIBE and the \\Recent hand-over.

Every account gets INBOX, Sent, Drafts, Trash, Junk and Archive (RFC 6154 special-use) the first time the mail
store touches it, so the directory stays independent of mail. UIDVALIDITY comes from the account's counter
(:func:`congvu.mailstore.counters.uidvalidities`), so a name deleted and created again never reuses one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from congvu.errors import Conflict, InvalidInput, PermissionDenied
from congvu.mailstore.access import FolderAccess, Prepared, folder_not_found, folder_query, open_folder, owner_rights
from congvu.mailstore.api import DEFAULT_FOLDERS, DELIMITER, INBOX, FolderInfo, Rights, SpecialUse
from congvu.mailstore.context import MailContext
from congvu.mailstore.counters import adjust_usage, ensure_mail_account, insert_folder_rows, lock_folders
from congvu.mailstore.messages import has_children, summary_query
from congvu.mailstore.names import FolderPath, check_name, check_own_name, is_inferior, parse_path, superiors
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.mailstore.transfer import move_rows
from congvu.store.schema import accounts, folders, mail_accounts, mailbox_delegates, messages
from congvu.store.schema_acl import folder_acl


def ensure_defaults(ctx: MailContext, conn: Connection, account_ids: Iterable[int], *, always: bool = False) -> None:
    """Create the default folders of accounts the store has not seen yet (or, with ``always``, any missing)."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    known = set() if always else set(conn.execute(
        select(mail_accounts.c.account_id).where(mail_accounts.c.account_id.in_(ids))).scalars())
    for account_id in ids:
        if account_id in known:
            continue
        ensure_mail_account(ctx, conn, account_id)
        have = set(conn.execute(select(folders.c.name).where(folders.c.account_id == account_id)).scalars())
        missing = [(name, use.value if use else None) for name, use in DEFAULT_FOLDERS if name not in have]
        insert_folder_rows(ctx, conn, account_id, missing, ctx.now())


def ensure_lazily(ctx: MailContext, account_ids: Iterable[int]) -> None:
    """Outside any transaction: create default folders for accounts seen for the first time."""
    ids = sorted(set(account_ids))
    with ctx.db.read() as conn:
        known = set(conn.execute(select(mail_accounts.c.account_id)
                                 .where(mail_accounts.c.account_id.in_(ids))).scalars())
    if set(ids) - known:
        with ctx.db.begin() as conn:
            ensure_defaults(ctx, conn, set(ids) - known)


def _infos(accesses: list[FolderAccess]) -> tuple[FolderInfo, ...]:
    names: dict[int, set[str]] = {}
    for access in accesses:
        names.setdefault(access.owner_id, set()).add(access.name)

    def parent_of_any(access: FolderAccess) -> bool:
        return any(is_inferior(other, access.name) for other in names[access.owner_id])

    def order(access: FolderAccess) -> tuple[int, str, int, str]:
        return (0 if access.own else 1, access.owner_address, 0 if access.name == INBOX else 1, access.name)

    return tuple(access.info(has_children=parent_of_any(access)) for access in sorted(accesses, key=order))


def list_folders(ctx: MailContext, viewer_id: int) -> tuple[FolderInfo, ...]:
    with ctx.db.read() as conn:
        delegated = list(conn.execute(select(mailbox_delegates.c.mailbox_account_id)
                                      .where(mailbox_delegates.c.delegate_account_id == viewer_id)).scalars())
    ensure_lazily(ctx, [viewer_id, *delegated])
    with ctx.snapshot_read() as conn:
        rows = conn.execute(folder_query(viewer_id).where(or_(
            folders.c.account_id == viewer_id, mailbox_delegates.c.delegate_account_id.is_not(None),
            folder_acl.c.account_id.is_not(None))))
        accesses = [FolderAccess.from_row(viewer_id, row) for row in rows]
    return _infos([access for access in accesses if "l" in access.rights])


_ACCOUNT_BY_ADDRESS = select(accounts.c.id).where(accounts.c.address == bindparam("address"))
_BY_NAME = Prepared(folder_query(bindparam("viewer_id")).where(folders.c.account_id == bindparam("owner_id"),
                                                                folders.c.name == bindparam("name")))


def _owner_id(conn: Connection, viewer_id: int, path: FolderPath) -> int:
    if path.owner_address is None:
        return viewer_id
    found = conn.execute(_ACCOUNT_BY_ADDRESS, {"address": path.owner_address}).scalar()
    if found is None:
        raise folder_not_found(f"{path.owner_address}/{path.name}")
    return int(found)


def _load(conn: Connection, viewer_id: int, owner_id: int, name: str) -> FolderAccess | None:
    row = _BY_NAME.first(conn, {"viewer_id": viewer_id, "owner_id": owner_id, "name": name})
    return FolderAccess.from_mapping(viewer_id, _BY_NAME.mapping(row)) if row is not None else None


def find_folder(ctx: MailContext, viewer_id: int, path: str) -> FolderInfo:
    where = parse_path(path)
    with ctx.db.read() as conn:
        owner_id = _owner_id(conn, viewer_id, where)
        access = _load(conn, viewer_id, owner_id, where.name)
        if access is not None:
            # The owner has a folder, so the store has set its mailbox up already: nothing to create first.
            if not access.visible:
                raise folder_not_found(path)
            return access.info(has_children=has_children(conn, owner_id, access.name))
        if not owner_rights(conn, viewer_id, owner_id):
            raise folder_not_found(path)
    ensure_lazily(ctx, [owner_id])
    with ctx.db.read() as conn:
        access = _load(conn, viewer_id, owner_id, where.name)
        if access is None or not access.visible:
            raise folder_not_found(path)
        return access.info(has_children=has_children(conn, owner_id, access.name))


def get_folder(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderInfo:
    with ctx.db.read() as conn:
        access = open_folder(conn, viewer_id, folder_id)
        return access.info(has_children=has_children(conn, access.owner_id, access.name))


def rights(ctx: MailContext, viewer_id: int, owner_id: int) -> Rights:
    with ctx.db.read() as conn:
        return owner_rights(conn, viewer_id, owner_id)


def _create(ctx: MailContext, conn: Connection, owner_id: int, name: str, special_use: str | None) -> None:
    existing = set(conn.execute(select(folders.c.name).where(
        folders.c.account_id == owner_id, folders.c.name.in_([*superiors(name), name]))).scalars())
    if name in existing:
        raise Conflict(f"Thư mục «{name}» đã có.", message_en=f"Mailbox {name} already exists")
    wanted = [(parent, None) for parent in superiors(name) if parent not in existing]
    insert_folder_rows(ctx, conn, owner_id, [*wanted, (name, special_use)], ctx.now())


def create_folder(ctx: MailContext, viewer_id: int, path: str, *,
                  special_use: SpecialUse | None = None) -> FolderInfo:
    where = parse_path(path)
    name = check_own_name(where.name) if where.owner_address is None else check_name(where.name)
    with ctx.db.begin() as conn:
        owner_id = _owner_id(conn, viewer_id, where)
        granted = owner_rights(conn, viewer_id, owner_id)
        parent_name = name.rpartition(DELIMITER)[0]
        parent = _load(conn, viewer_id, owner_id, parent_name) if parent_name else None
        # RFC 4314 §2.1: "k" on a mailbox lets one create mailboxes under it, also for someone whose only right
        # to the owner's mailboxes is an ACL entry on that one folder.
        may_create = "k" in granted or (parent is not None and "k" in parent.rights)
        if not granted and (parent is None or not parent.rights):
            raise folder_not_found(path)
        if not may_create:
            raise PermissionDenied(f"Không có quyền tạo thư mục «{path}».",
                                   message_en=f"No right to create mailbox {path}")
        ensure_defaults(ctx, conn, [owner_id])
        _create(ctx, conn, owner_id, name, SpecialUse(special_use).value if special_use else None)
        created = _load(conn, viewer_id, owner_id, name)
        assert created is not None
        if parent is not None:
            inherit_acl(conn, parent.id, created.id)
            created = _load(conn, viewer_id, owner_id, name)
            assert created is not None
        return created.info()


def inherit_acl(conn: Connection, parent_id: int, child_id: int) -> None:
    """A new folder takes the ACL entries of the folder it was made under (as Cyrus and Dovecot do): whoever
    could work in the parent can work in what was made there."""
    entries = conn.execute(select(folder_acl.c.account_id, folder_acl.c.rights, folder_acl.c.granted_by,
                                  folder_acl.c.granted_at).where(folder_acl.c.folder_id == parent_id)).all()
    if entries:
        conn.execute(insert(folder_acl), [{"folder_id": child_id, "account_id": e.account_id, "rights": e.rights,
                                           "granted_by": e.granted_by, "granted_at": e.granted_at}
                                          for e in entries])


def delete_folder(ctx: MailContext, viewer_id: int, folder_id: int) -> None:
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "x", lock=True)
        if access.name == INBOX:
            # RFC 9051 §6.3.5: it is an error to attempt to delete INBOX.
            raise Conflict("Không thể xoá INBOX.", message_en="INBOX cannot be deleted")
        if has_children(conn, access.owner_id, access.name):
            raise Conflict(f"Thư mục «{access.path}» còn thư mục con; hãy xoá chúng trước.",
                           message_en=f"Mailbox {access.path} has inferior mailboxes")
        count, octets = conn.execute(select(func.count(messages.c.id), func.coalesce(func.sum(messages.c.size), 0))
                                     .where(messages.c.folder_id == folder_id)).one()
        conn.execute(delete(folders).where(folders.c.id == folder_id))
        adjust_usage(conn, {access.owner_id: (-int(octets), -int(count))})
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.DELETED)])


def rename_folder(ctx: MailContext, viewer_id: int, folder_id: int, new_path: str) -> FolderInfo:
    where = parse_path(new_path)
    events: list[MailboxEvent] = []
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "xk", lock=True)
        if _owner_id(conn, viewer_id, where) != access.owner_id:
            raise InvalidInput("Chỉ đổi tên trong cùng một hộp thư.",
                               message_en="A mailbox can only be renamed within the same account", field="name")
        new_name = check_own_name(where.name) if where.owner_address is None else check_name(where.name)
        if new_name == access.name:
            return access.info()
        if new_name == INBOX or is_inferior(new_name, access.name):
            raise InvalidInput(f"Không thể đổi tên thành «{new_path}».",
                               message_en=f"Cannot rename to {new_path}", field="name")
        if access.name == INBOX:
            # RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name and leaves INBOX empty.
            _create(ctx, conn, access.owner_id, new_name, None)
            target = _load(conn, viewer_id, access.owner_id, new_name)
            assert target is not None
            lock_folders(ctx, conn, (access.id, target.id))
            rows = list(conn.execute(summary_query(access).order_by(messages.c.uid)))
            if rows:
                placed = move_rows(ctx, conn, access, target, rows)
                events += [MailboxEvent(access.id, MailboxEventKind.EXPUNGED,
                                        tuple(old for old, _ in placed.mapping), placed.source_modseq),
                           MailboxEvent(target.id, MailboxEventKind.ADDED,
                                        tuple(new for _, new in placed.mapping), placed.target_modseq)]
            result = _load(conn, viewer_id, access.owner_id, new_name)
        else:
            taken = conn.execute(select(folders.c.id).where(folders.c.account_id == access.owner_id,
                                                            folders.c.name == new_name)).first()
            if taken is not None:
                raise Conflict(f"Thư mục «{new_name}» đã có.", message_en=f"Mailbox {new_name} already exists")
            family = conn.execute(select(folders.c.id, folders.c.name).where(
                folders.c.account_id == access.owner_id,
                or_(folders.c.id == access.id,
                    folders.c.name.startswith(access.name + DELIMITER, autoescape=True)))).all()
            for member_id, name in family:
                conn.execute(update(folders).where(folders.c.id == member_id)
                             .values(name=new_name + name[len(access.name):]))
                events.append(MailboxEvent(member_id, MailboxEventKind.RENAMED))
            parents = superiors(new_name)
            have = set(conn.execute(select(folders.c.name).where(folders.c.account_id == access.owner_id,
                                                                 folders.c.name.in_(parents))).scalars())
            insert_folder_rows(ctx, conn, access.owner_id, [(p, None) for p in parents if p not in have], ctx.now())
            result = _load(conn, viewer_id, access.owner_id, new_name)
        assert result is not None
        info = result.info(has_children=has_children(conn, result.owner_id, result.name))
    ctx.publish(events)
    return info


def set_subscribed(ctx: MailContext, viewer_id: int, folder_id: int, subscribed: bool) -> None:
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id)
        if access.own:
            conn.execute(update(folders).where(folders.c.id == folder_id).values(subscribed=subscribed))


_CLAIM_RECENT = update(folders).where(folders.c.id == bindparam("folder")).values(first_recent_uid=folders.c.uidnext)


def claim_recent(ctx: MailContext, viewer_id: int, folder_id: int) -> int:
    with ctx.db.read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
    if access.first_recent_uid >= access.uidnext:
        # Every message was claimed already: no write transaction (nor, on SQLite, a commit) just to learn that
        # none is left. A message arriving after this read has a UID at or above the one returned, so the
        # caller, which only counts UIDs it has read before, never claims it here.
        return access.uidnext
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r", lock=True)
        conn.execute(_CLAIM_RECENT, {"folder": folder_id})
        return access.first_recent_uid
