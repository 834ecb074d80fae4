"""Who may do what on a mailbox (RFC 4314), and folders loaded together with the viewer's rights.

The owner of a mailbox holds every right. On one folder, an account named in the folder's ACL (``folder_acl``, set
through SETACL by whoever holds right ``a`` there) holds the letters of that entry; otherwise a delegate of an
agency mailbox (a clerk, from the directory) holds the letters of its ``mailbox_delegates`` row. The agency's
administrator holds ``a`` on the agency mailbox besides, so that they can grant access to it. Nobody else holds
any. Rights are read in the same query as the folder on every operation, so a withdrawal takes effect on the next
command of any open session.

RFC 4314 §6: a mailbox the viewer may neither look up (``l``), read (``r``) nor administer (``a``) is reported as
not existing, so that its existence does not leak.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Connection, Dialect, Row, Select, and_, bindparam, select

from congvu.errors import NotFound, PermissionDenied
from congvu.mailstore.api import ALL_RIGHTS, DELIMITER, SHARED_ROOT, FolderInfo, Rights
from congvu.store.schema import account_roles, accounts, folders, mailbox_delegates
from congvu.store.schema_acl import folder_acl

_RIGHT_NAMES = {
    "l": "xem danh sách", "r": "đọc", "s": "đánh dấu đã đọc", "w": "đặt cờ", "i": "thêm thư", "p": "gửi vào",
    "k": "tạo thư mục", "x": "xoá thư mục", "t": "đánh dấu xoá", "e": "dọn thư đã xoá", "a": "quản trị quyền",
}


def shared_path(owner_address: str, name: str) -> str:
    """How a delegate names an agency mailbox's folder (RFC 2342 other users' namespace)."""
    return f"{SHARED_ROOT}{DELIMITER}{owner_address}{DELIMITER}{name}"


AGENCY_ADMIN_ROLE = "agency_admin"


def effective_rights(viewer_id: int, owner_id: int, delegated: str | None, folder_entry: str | None = None,
                     administers: bool = False) -> Rights:
    """The owner: all; else the folder's ACL entry for the viewer if there is one, else the delegation; plus
    ``a`` for the agency's administrator."""
    if viewer_id == owner_id:
        return Rights(ALL_RIGHTS)
    granted = set(folder_entry if folder_entry is not None else delegated or "")
    if administers:
        granted.add("a")
    # RFC 4314 §2.1.1: the obsolete RFC 2086 rights "c" and "d" stand for "k" and "x", "t", "e".
    if "c" in granted:
        granted.add("k")
    if "d" in granted:
        granted.update("xte")
    return Rights("".join(ch for ch in ALL_RIGHTS if ch in granted))


_DELEGATED = select(mailbox_delegates.c.rights).where(
    mailbox_delegates.c.mailbox_account_id == bindparam("owner_id"),
    mailbox_delegates.c.delegate_account_id == bindparam("viewer_id"))


def owner_rights(conn: Connection, viewer_id: int, owner_id: int) -> Rights:
    if viewer_id == owner_id:
        return Rights(ALL_RIGHTS)
    row = conn.execute(_DELEGATED, {"owner_id": owner_id, "viewer_id": viewer_id}).first()
    return effective_rights(viewer_id, owner_id, row.rights if row else None)


def folder_query(viewer_id: int | ColumnElement[int]) -> Select[tuple[object, ...]]:
    """Folders with their owner's address, the viewer's delegated rights and ACL entry (NULL for none) and
    whether the viewer administers the owner's agency mailbox (``administers`` not NULL)."""
    return (
        select(folders, accounts.c.address.label("owner_address"), mailbox_delegates.c.rights.label("delegated"),
               folder_acl.c.rights.label("folder_entry"), account_roles.c.id.label("administers"))
        .join(accounts, accounts.c.id == folders.c.account_id)
        .outerjoin(mailbox_delegates, and_(mailbox_delegates.c.mailbox_account_id == folders.c.account_id,
                                           mailbox_delegates.c.delegate_account_id == viewer_id))
        .outerjoin(folder_acl, and_(folder_acl.c.folder_id == folders.c.id, folder_acl.c.account_id == viewer_id))
        .outerjoin(account_roles, and_(accounts.c.kind == "agency", account_roles.c.account_id == viewer_id,
                                       account_roles.c.role == AGENCY_ADMIN_ROLE,
                                       account_roles.c.agency_id == accounts.c.agency_id))
    )


@dataclass(frozen=True)
class FolderAccess:
    """A folder row as one operation sees it, with the viewer's rights."""

    viewer_id: int
    id: int
    owner_id: int
    owner_address: str
    name: str
    special_use: str | None
    uidvalidity: int
    uidnext: int
    highestmodseq: int
    first_recent_uid: int
    subscribed: bool
    created_at: datetime
    rights: Rights

    @classmethod
    def from_row(cls, viewer_id: int, row: Row[tuple[object, ...]]) -> FolderAccess:
        return cls.from_mapping(viewer_id, row._mapping)

    @classmethod
    def from_mapping(cls, viewer_id: int, m: Mapping[str, Any]) -> FolderAccess:
        return cls(viewer_id=viewer_id, id=m["id"], owner_id=m["account_id"], owner_address=m["owner_address"],
                   name=m["name"], special_use=m["special_use"], uidvalidity=m["uidvalidity"],
                   uidnext=m["uidnext"], highestmodseq=m["highestmodseq"], first_recent_uid=m["first_recent_uid"],
                   subscribed=m["subscribed"], created_at=m["created_at"],
                   rights=effective_rights(viewer_id, m["account_id"], m["delegated"], m["folder_entry"],
                                           m["administers"] is not None))

    @property
    def own(self) -> bool:
        """The viewer owns the folder: its \\Seen is the flag stored on the message."""
        return self.viewer_id == self.owner_id

    @property
    def visible(self) -> bool:
        return "l" in self.rights or "r" in self.rights or "a" in self.rights

    @property
    def path(self) -> str:
        return self.name if self.own else shared_path(self.owner_address, self.name)

    def require(self, letters: str) -> FolderAccess:
        missing = [ch for ch in letters if ch not in self.rights]
        if missing:
            names = ", ".join(_RIGHT_NAMES.get(ch, ch) for ch in missing)
            raise PermissionDenied(f"Không có quyền {names} trên thư mục «{self.path}».",
                                   message_en=f"Missing right(s) {''.join(missing)} on mailbox {self.path}")
        return self

    def info(self, *, has_children: bool = False, subscribed: bool | None = None) -> FolderInfo:
        return FolderInfo(id=self.id, owner_id=self.owner_id, owner_address=self.owner_address, name=self.name,
                          path=self.path, special_use=self.special_use, uidvalidity=self.uidvalidity,
                          uidnext=self.uidnext, highestmodseq=self.highestmodseq,
                          subscribed=self.subscribed if self.own else True if subscribed is None else subscribed,
                          rights=self.rights, has_children=has_children)


def folder_not_found(what: str) -> NotFound:
    return NotFound(f"Không có thư mục «{what}».", message_en=f"No such mailbox: {what}")


class Prepared:
    """A statement built once whose rows are read by position (or through :meth:`mapping`, :meth:`records`).

    On SQLite it runs straight on the driver's connection, compiled once for the dialect: for the small reads
    every IMAP command makes, SQLAlchemy's execution path (cache lookup, parameter processing, the result
    object and its rows) costs several times the query itself (measured: 140 µs against 16 µs to open a
    folder). Column values get the same result processing as through SQLAlchemy; a transaction is begun first
    if the connection has none, as SQLAlchemy would on its first statement. Elsewhere (PostgreSQL) the
    statement is executed as usual."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.keys: tuple[str, ...] = tuple(statement.selected_columns.keys())
        self._sqlite: tuple[str, tuple[str, ...], dict[str, Any], tuple[tuple[int, Callable[[Any], Any]], ...]] | None
        self._sqlite = None

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...], dict[str, Any],
                                                   tuple[tuple[int, Callable[[Any], Any]], ...]]:
        compiled = self.statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        defaults = dict(compiled.construct_params(_check=False))
        processors = []
        for index, column in enumerate(self.statement.selected_columns):
            processor = column.type._cached_result_processor(dialect, None)
            if processor is not None:
                processors.append((index, processor))
        self._sqlite = (compiled.string, names, defaults, tuple(processors))
        return self._sqlite

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        if conn.dialect.name != "sqlite":
            return conn.execute(self.statement, params).all()
        sql, names, defaults, processors = self._sqlite or self._compile(conn.dialect)
        args = [params[name] if name in params else defaults[name] for name in names]
        if not conn.in_transaction():
            conn.begin()
        driver = conn.connection.driver_connection
        assert driver is not None
        found: list[Any] = driver.execute(sql, args).fetchall()
        if processors:
            for position, row in enumerate(found):
                values = list(row)
                for index, processor in processors:
                    values[index] = processor(values[index])
                found[position] = values
        return found

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def mapping(self, row: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self.keys, row, strict=True))

    def records(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The rows with their columns as attributes too (``row.uid``), as SQLAlchemy's rows have them."""
        found = self.rows(conn, params)
        if conn.dialect.name != "sqlite":
            return list(found)
        make = self._record._make
        return [make(row) for row in found]

    @cached_property
    def _record(self) -> type[tuple[Any, ...]]:
        return namedtuple("Record", self.keys)  # type: ignore[misc]


# Built once: every mail store call opens its folder with one of these (bound parameters, cached compilation).
_OPEN = folder_query(bindparam("viewer_id")).where(folders.c.id == bindparam("folder_id"))
_OPEN_LOCKED = _OPEN.with_for_update(of=folders)
OPEN = Prepared(_OPEN)
OPEN_LOCKED = Prepared(_OPEN_LOCKED)  # FOR UPDATE on PostgreSQL; SQLite writers hold the database lock


def open_folder(conn: Connection, viewer_id: int, folder_id: int, need: str = "", *,
                lock: bool = False) -> FolderAccess:
    """Load a folder the viewer can see and check it holds the rights ``need``; ``lock`` takes the row lock
    (PostgreSQL) that serialises writers of the same folder."""
    statement = OPEN_LOCKED if lock else OPEN
    values = statement.first(conn, {"viewer_id": viewer_id, "folder_id": folder_id})
    if values is None:
        raise folder_not_found(str(folder_id))
    access = FolderAccess.from_mapping(viewer_id, statement.mapping(values))
    if not access.visible:
        raise folder_not_found(str(folder_id))
    return access.require(need)


ACTIVE = "active"


def inactive_accounts(conn: Connection, account_ids: Iterable[int]) -> dict[int, str]:
    """Of ``account_ids``, those that may no longer use mail, with their status (``disabled``, ``removed``; an
    account whose row is gone counts as ``removed``)."""
    wanted = set(account_ids)
    if not wanted:
        return {}
    rows = conn.execute(select(accounts.c.id, accounts.c.status).where(accounts.c.id.in_(sorted(wanted))))
    found = {int(row.id): str(row.status) for row in rows}
    gone = {account_id: "removed" for account_id in wanted if account_id not in found}
    gone.update({account_id: status for account_id, status in found.items() if status != ACTIVE})
    return gone
