"""Reading a folder's messages: the SELECT snapshot, FETCH, STATUS, CONDSTORE/QRESYNC changes, raw bytes.

Each call is one read transaction that sees a single state of the database, and a fixed number of queries
whatever the number of messages: the snapshot of a 10,000-message folder is one query, ``FETCH 1:*`` one query
per 2,000 UID ranges. The folder row is read first, so the counters returned never run ahead of the messages.

The statements of the frequent calls (SELECT, FETCH of one UID range, changes since a MODSEQ) are built once
with bound parameters, and their rows are read by position: on a busy server building a statement costs more
than running it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Connection, FromClause, Row, Select, and_, bindparam, case, func, select

from congvu.errors import NotFound
from congvu.mailstore.access import FolderAccess, open_folder
from congvu.mailstore.api import (
    Changes,
    FolderSnapshot,
    FolderStatus,
    MessageContent,
    MessageSummary,
    StoredMessage,
    UidArg,
)
from congvu.mailstore.contents import FETCH_COLUMNS, content_from_row
from congvu.mailstore.context import MailContext, as_utc
from congvu.mailstore.flags import DELETED_BIT, SEEN_BIT, flag_names
from congvu.mailstore.uidsets import chunks, clip, to_ranges, uid_condition
from congvu.store.schema import folders, message_contents, message_seen, message_tombstones, messages

SUMMARY_COLUMNS = (
    messages.c.id, messages.c.uid, messages.c.modseq, messages.c.system_flags, messages.c.keywords,
    messages.c.internal_date, messages.c.size, messages.c.content_id,
)


def summary_query(access: FolderAccess, *extra: Any) -> Select[Any]:
    """The folder's messages with the viewer's \\Seen (a delegate's own mark on a shared mailbox)."""
    if access.own:
        return select(*SUMMARY_COLUMNS, *extra).where(messages.c.folder_id == access.id)
    return (select(*SUMMARY_COLUMNS, message_seen.c.account_id.label("seen_by"), *extra)
            .outerjoin(message_seen, and_(message_seen.c.message_id == messages.c.id,
                                          message_seen.c.account_id == access.viewer_id))
            .where(messages.c.folder_id == access.id))


def _summary_select(own: bool, *extra: Any) -> Select[Any]:
    """:func:`summary_query` with the folder and the viewer as bound parameters ``folder_id`` and ``viewer_id``."""
    if own:
        return select(*SUMMARY_COLUMNS, *extra).where(messages.c.folder_id == bindparam("folder_id"))
    return (select(*SUMMARY_COLUMNS, message_seen.c.account_id.label("seen_by"), *extra)
            .outerjoin(message_seen, and_(message_seen.c.message_id == messages.c.id,
                                          message_seen.c.account_id == bindparam("viewer_id")))
            .where(messages.c.folder_id == bindparam("folder_id")))


_UID_RANGE = messages.c.uid.between(bindparam("low"), bindparam("high"))
# Indexed by FolderAccess.own.
SNAPSHOT = {own: _summary_select(own).order_by(messages.c.uid) for own in (False, True)}
CHANGED = {own: _summary_select(own).where(messages.c.modseq > bindparam("modseq")).order_by(messages.c.uid)
           for own in (False, True)}
UID_RANGE = {own: _summary_select(own).where(_UID_RANGE).order_by(messages.c.uid) for own in (False, True)}
_TOMBSTONES = (select(message_tombstones.c.uid)
               .where(message_tombstones.c.folder_id == bindparam("folder_id"),
                      message_tombstones.c.modseq > bindparam("modseq"))
               .order_by(message_tombstones.c.uid))
_HAS_CHILDREN = select(folders.c.id).where(folders.c.account_id == bindparam("owner_id"),
                                           folders.c.name.like(bindparam("prefix"), escape="/")).limit(1)


def parameters(access: FolderAccess, **more: int) -> dict[str, int]:
    """The bound parameters of the statements above for ``access``."""
    return {"folder_id": access.id, "viewer_id": access.viewer_id, **more}


def summaries(access: FolderAccess, rows: Iterable[Row[Any]]) -> list[MessageSummary]:
    """The rows of a summary query as the viewer sees them (read by position: columns of
    :data:`SUMMARY_COLUMNS`, then ``seen_by`` unless the viewer owns the folder)."""
    own = access.own
    found: list[MessageSummary] = []
    append = found.append
    for row in rows:
        bits = row[3]
        if not own:
            bits = (bits & ~SEEN_BIT) | (SEEN_BIT if row[8] is not None else 0)
        append(MessageSummary(int(row[1]), int(row[2]), flag_names(bits, row[4]), as_utc(row[5]), int(row[6]),
                              int(row[7])))
    return found


def viewer_bits(access: FolderAccess, row: Row[Any]) -> int:
    bits = int(row.system_flags)
    if access.own:
        return bits
    return (bits & ~SEEN_BIT) | (SEEN_BIT if row.seen_by is not None else 0)


def summary(access: FolderAccess, row: Row[Any]) -> MessageSummary:
    return MessageSummary(uid=int(row.uid), modseq=int(row.modseq),
                          flags=flag_names(viewer_bits(access, row), str(row.keywords)),
                          internal_date=as_utc(row.internal_date), size=int(row.size),
                          content_id=int(row.content_id))


def has_children(conn: Connection, owner_id: int, name: str) -> bool:
    # A prefix LIKE with "/" as the escape character, as ``startswith(…, autoescape=True)`` writes it.
    prefix = (name + "/").replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    return conn.execute(_HAS_CHILDREN, {"owner_id": owner_id, "prefix": prefix}).first() is not None


def snapshot(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderSnapshot:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        listed = tuple(summaries(access, conn.execute(SNAPSHOT[access.own], parameters(access))))
        children = has_children(conn, access.owner_id, access.name)
    return FolderSnapshot(folder=access.info(has_children=children), messages=listed)


_CONTENT_LABELS = tuple(column.label(f"c_{column.name}") for column in FETCH_COLUMNS)
_CONTENT_NAMES = tuple(column.name for column in FETCH_COLUMNS)
_FETCH_RANGE = {own: _summary_select(own, *_CONTENT_LABELS)
                .join(message_contents, message_contents.c.id == messages.c.content_id)
                .where(_UID_RANGE).order_by(messages.c.uid) for own in (False, True)}


def fetch(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
    ranges = to_ranges(uids)
    found: list[StoredMessage] = []
    contents: dict[int, MessageContent] = {}  # copies of one message share their content
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        for part in chunks(clip(ranges, access.uidnext - 1)):
            if len(part) == 1:
                rows = conn.execute(_FETCH_RANGE[access.own], parameters(access, low=part[0][0], high=part[0][1]))
            else:
                rows = conn.execute(summary_query(access, *_CONTENT_LABELS)
                                    .join(message_contents, message_contents.c.id == messages.c.content_id)
                                    .where(uid_condition(messages.c.uid, part, sqlite=ctx.is_sqlite))
                                    .order_by(messages.c.uid))
            rows = rows.all()
            for row, listed in zip(rows, summaries(access, rows), strict=True):
                content = contents.get(listed.content_id)
                if content is None:
                    # The content columns come last in the row.
                    values = row[len(row) - len(_CONTENT_NAMES):]
                    content = content_from_row(dict(zip(_CONTENT_NAMES, values, strict=True)))
                    contents[content.id] = content
                found.append(StoredMessage(listed, content))
    return tuple(found)


def fetch_summaries(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[MessageSummary, ...]:
    found: list[MessageSummary] = []
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        for part in chunks(clip(to_ranges(uids), access.uidnext - 1)):
            if len(part) == 1:
                rows = conn.execute(UID_RANGE[access.own], parameters(access, low=part[0][0], high=part[0][1]))
            else:
                rows = conn.execute(summary_query(access).where(uid_condition(messages.c.uid, part,
                                                                              sqlite=ctx.is_sqlite))
                                    .order_by(messages.c.uid))
            found.extend(summaries(access, rows))
    return tuple(found)


def read_raw(ctx: MailContext, viewer_id: int, folder_id: int, uid: int) -> bytes:
    with ctx.db.read() as conn:
        open_folder(conn, viewer_id, folder_id, "r")
        sha = conn.execute(
            select(message_contents.c.sha256).join(messages, messages.c.content_id == message_contents.c.id)
            .where(messages.c.folder_id == folder_id, messages.c.uid == uid)).scalar()
    if sha is None:
        raise NotFound(f"Không có thư UID {uid}.", message_en=f"No message with UID {uid}")
    return ctx.blobs.get(str(sha))


def changes_since(ctx: MailContext, viewer_id: int, folder_id: int, modseq: int) -> Changes:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        if modseq >= access.highestmodseq:
            # Every change (and every expunge) takes a new MODSEQ from the folder row read above, in the same
            # transaction: nothing can have changed after the highest one.
            return Changes(changed=(), vanished=(), highestmodseq=access.highestmodseq)
        changed = tuple(summaries(access, conn.execute(CHANGED[access.own], parameters(access, modseq=modseq))))
        vanished = tuple(int(uid) for uid in conn.execute(_TOMBSTONES, {"folder_id": folder_id, "modseq": modseq})
                         .scalars())
    return Changes(changed=changed, vanished=vanished, highestmodseq=access.highestmodseq)


def _status_select(own: bool) -> Select[Any]:
    source: FromClause
    if own:
        seen = messages.c.system_flags.op("&")(SEEN_BIT) != 0
        source = messages
    else:
        seen = message_seen.c.account_id.is_not(None)
        source = messages.outerjoin(message_seen, and_(message_seen.c.message_id == messages.c.id,
                                                       message_seen.c.account_id == bindparam("viewer_id")))
    return (select(func.count(messages.c.id).label("total"),
                   func.coalesce(func.sum(messages.c.size), 0).label("octets"),
                   func.coalesce(func.sum(case((seen, 0), else_=1)), 0).label("unseen"),
                   func.coalesce(func.sum(case((messages.c.system_flags.op("&")(DELETED_BIT) != 0, 1),
                                               else_=0)), 0).label("deleted"),
                   func.coalesce(func.sum(case((messages.c.uid >= bindparam("first_recent", type_=BigInteger), 1),
                                               else_=0)), 0).label("recent"))
            .select_from(source).where(messages.c.folder_id == bindparam("folder_id")))


_STATUS = {own: _status_select(own) for own in (False, True)}


def folder_status(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderStatus:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        row = conn.execute(_STATUS[access.own], parameters(access, first_recent=access.first_recent_uid)).one()
    return FolderStatus(folder_id=folder_id, messages=int(row.total), recent=int(row.recent),
                        unseen=int(row.unseen), deleted=int(row.deleted), size=int(row.octets),
                        uidnext=access.uidnext, uidvalidity=access.uidvalidity,
                        highestmodseq=access.highestmodseq)
