"""Reading a folder's messages: the SELECT snapshot, FETCH, STATUS, CONDSTORE/QRESYNC changes, raw bytes.

Each call is one read transaction that sees a single state of the database, and a fixed number of queries
whatever the number of messages: the snapshot of a 10,000-message folder is one query, ``FETCH 1:*`` one query
per 2,000 UID ranges. The folder row is read first, so the counters returned never run ahead of the messages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, FromClause, Row, Select, and_, case, func, select

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
    return conn.execute(select(folders.c.id).where(
        folders.c.account_id == owner_id, folders.c.name.startswith(name + "/", autoescape=True)).limit(1)
    ).first() is not None


def snapshot(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderSnapshot:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        rows = conn.execute(summary_query(access).order_by(messages.c.uid))
        listed = tuple(summary(access, row) for row in rows)
        children = has_children(conn, access.owner_id, access.name)
    return FolderSnapshot(folder=access.info(has_children=children), messages=listed)


_CONTENT_LABELS = tuple(column.label(f"c_{column.name}") for column in FETCH_COLUMNS)
_CONTENT_NAMES = tuple(column.name for column in FETCH_COLUMNS)


def fetch(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
    ranges = to_ranges(uids)
    found: list[StoredMessage] = []
    contents: dict[int, MessageContent] = {}  # copies of one message share their content
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        for part in chunks(clip(ranges, access.uidnext - 1)):
            query = (summary_query(access, *_CONTENT_LABELS)
                     .join(message_contents, message_contents.c.id == messages.c.content_id)
                     .where(uid_condition(messages.c.uid, part, sqlite=ctx.is_sqlite)).order_by(messages.c.uid))
            for row in conn.execute(query):
                content = contents.get(int(row.content_id))
                if content is None:
                    # The content columns come last in the row.
                    values = row[len(row) - len(_CONTENT_NAMES):]
                    content = content_from_row(dict(zip(_CONTENT_NAMES, values, strict=True)))
                    contents[content.id] = content
                found.append(StoredMessage(summary(access, row), content))
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
        rows = conn.execute(summary_query(access).where(messages.c.modseq > modseq).order_by(messages.c.uid))
        changed = tuple(summary(access, row) for row in rows)
        vanished = tuple(int(uid) for uid in conn.execute(
            select(message_tombstones.c.uid).where(message_tombstones.c.folder_id == folder_id,
                                                   message_tombstones.c.modseq > modseq)
            .order_by(message_tombstones.c.uid)).scalars())
    return Changes(changed=changed, vanished=vanished, highestmodseq=access.highestmodseq)


def folder_status(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderStatus:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        source: FromClause
        if access.own:
            seen = messages.c.system_flags.op("&")(SEEN_BIT) != 0
            source = messages
        else:
            seen = message_seen.c.account_id.is_not(None)
            source = messages.outerjoin(message_seen, and_(message_seen.c.message_id == messages.c.id,
                                                           message_seen.c.account_id == viewer_id))
        row = conn.execute(
            select(func.count(messages.c.id).label("total"),
                   func.coalesce(func.sum(messages.c.size), 0).label("octets"),
                   func.coalesce(func.sum(case((seen, 0), else_=1)), 0).label("unseen"),
                   func.coalesce(func.sum(case((messages.c.system_flags.op("&")(DELETED_BIT) != 0, 1),
                                               else_=0)), 0).label("deleted"),
                   func.coalesce(func.sum(case((messages.c.uid >= access.first_recent_uid, 1), else_=0)),
                                 0).label("recent"))
            .select_from(source).where(messages.c.folder_id == folder_id)).one()
    return FolderStatus(folder_id=folder_id, messages=int(row.total), recent=int(row.recent),
                        unseen=int(row.unseen), deleted=int(row.deleted), size=int(row.octets),
                        uidnext=access.uidnext, uidvalidity=access.uidvalidity,
                        highestmodseq=access.highestmodseq)
