"""COPY (RFC 9051 §6.4.7), MOVE (RFC 6851) and EXPUNGE (RFC 9051 §6.4.3, UID EXPUNGE of RFC 4315 §2.1).

Copies share the content row and the blob; only a message row is added, with a new UID in the target
(COPYUID data, RFC 4315 §3). MOVE re-homes the message rows themselves (new folder, new UID) and leaves a
tombstone in the source; EXPUNGE deletes rows and leaves tombstones. Tombstones carry the MODSEQ of the removal
so that QRESYNC can report VANISHED UIDs (RFC 7162 §3.2.10).

Flags travel with a message. Within one mailbox (same owner) they are kept as stored, delegates' own \\Seen
marks included; into another owner's mailbox the viewer's view of the flags is written, limited to what the
viewer may set there (RFC 4314 §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from congvu.mailstore.access import FolderAccess, open_folder
from congvu.mailstore.api import Expunged, Transfer, UidArg
from congvu.mailstore.context import MailContext
from congvu.mailstore.counters import adjust_usage, allocate, lock_folders, next_modseq
from congvu.mailstore.flags import DELETED_BIT, SEEN_BIT, FlagSet
from congvu.mailstore.flagstore import restricted
from congvu.mailstore.messages import summary_query, viewer_bits
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.mailstore.uidsets import chunks, clip, to_ranges, uid_condition
from congvu.store.schema import message_seen, message_tombstones, messages

CHUNK = 500


@dataclass(frozen=True)
class Placed:
    """Where a transfer put messages: ``(source uid, target uid)`` pairs and the MODSEQs it used."""

    mapping: tuple[tuple[int, int], ...]
    target_modseq: int
    source_modseq: int = 0


def _selected(ctx: MailContext, conn: Connection, access: FolderAccess, uids: UidArg | None, *,
              deleted_only: bool = False) -> list[Row[Any]]:
    query = summary_query(access).order_by(messages.c.uid)
    if deleted_only:
        query = query.where(messages.c.system_flags.op("&")(DELETED_BIT) != 0)
    if uids is None:
        return list(conn.execute(query))
    rows: list[Row[Any]] = []
    for part in chunks(clip(to_ranges(uids), access.uidnext - 1)):
        rows.extend(conn.execute(query.where(uid_condition(messages.c.uid, part, sqlite=ctx.is_sqlite))))
    return rows


def _target_flags(src: FolderAccess, dst: FolderAccess, row: Row[Any]) -> tuple[int, str, bool]:
    """(stored bits in the target, keywords, whether the viewer's own \\Seen mark is to be written)."""
    stored = int(row.system_flags)
    keywords = str(row.keywords)
    if src.owner_id == dst.owner_id:
        return stored, keywords, False
    view = restricted(FlagSet.stored(viewer_bits(src, row), keywords), dst)
    if dst.own:
        return view.bits, view.keywords_text(), False
    return view.bits & ~SEEN_BIT, view.keywords_text(), bool(view.bits & SEEN_BIT)


def _seen_marks(conn: Connection, message_ids: list[int]) -> list[tuple[int, int]]:
    marks: list[tuple[int, int]] = []
    for start in range(0, len(message_ids), CHUNK):
        marks.extend((int(a), int(b)) for a, b in conn.execute(
            select(message_seen.c.message_id, message_seen.c.account_id)
            .where(message_seen.c.message_id.in_(message_ids[start:start + CHUNK]))))
    return marks


def copy_rows(ctx: MailContext, conn: Connection, src: FolderAccess, dst: FolderAccess, rows: list[Row[Any]]) -> Placed:
    first, modseq = allocate(ctx, conn, {dst.id: len(rows)})[dst.id]
    values, own_marks = [], []
    for offset, row in enumerate(rows):
        bits, keywords, mark = _target_flags(src, dst, row)
        values.append({"folder_id": dst.id, "uid": first + offset, "modseq": modseq, "content_id": row.content_id,
                       "internal_date": row.internal_date, "size": row.size, "system_flags": bits,
                       "keywords": keywords})
        if mark:
            own_marks.append(first + offset)
    conn.execute(insert(messages), values)
    new_ids = {int(uid): int(mid) for uid, mid in conn.execute(select(messages.c.uid, messages.c.id).where(
        messages.c.folder_id == dst.id, messages.c.uid.between(first, first + len(rows) - 1)))}
    marks: list[dict[str, int]] = []
    if src.owner_id == dst.owner_id:
        old_to_new = {int(row.id): new_ids[first + offset] for offset, row in enumerate(rows)}
        marks = [{"message_id": old_to_new[old], "account_id": account}
                 for old, account in _seen_marks(conn, list(old_to_new))]
    else:
        marks = [{"message_id": new_ids[uid], "account_id": dst.viewer_id} for uid in own_marks]
    if marks:
        conn.execute(insert(message_seen), marks)
    adjust_usage(conn, {dst.owner_id: (sum(int(row.size) for row in rows), len(rows))})
    return Placed(tuple((int(row.uid), first + offset) for offset, row in enumerate(rows)), modseq)


def move_rows(ctx: MailContext, conn: Connection, src: FolderAccess, dst: FolderAccess, rows: list[Row[Any]]) -> Placed:
    """Re-home ``rows`` (the caller has locked both folders) and leave tombstones in the source."""
    first, modseq = allocate(ctx, conn, {dst.id: len(rows)})[dst.id]
    source_modseq = next_modseq(conn, src.id)
    changes, own_marks = [], []
    for offset, row in enumerate(rows):
        bits, keywords, mark = _target_flags(src, dst, row)
        changes.append({"mid": row.id, "new_uid": first + offset, "bits": bits, "words": keywords})
        if mark:
            own_marks.append(int(row.id))
    conn.execute(update(messages).where(messages.c.id == bindparam("mid")).values(
        folder_id=dst.id, uid=bindparam("new_uid"), modseq=modseq, system_flags=bindparam("bits"),
        keywords=bindparam("words")), changes)
    if src.owner_id != dst.owner_id:
        ids = [int(row.id) for row in rows]
        for start in range(0, len(ids), CHUNK):
            conn.execute(delete(message_seen).where(message_seen.c.message_id.in_(ids[start:start + CHUNK])))
        if own_marks:
            conn.execute(insert(message_seen), [{"message_id": mid, "account_id": dst.viewer_id}
                                                for mid in own_marks])
        octets = sum(int(row.size) for row in rows)
        adjust_usage(conn, {src.owner_id: (-octets, -len(rows)), dst.owner_id: (octets, len(rows))})
    conn.execute(insert(message_tombstones), [{"folder_id": src.id, "uid": row.uid, "modseq": source_modseq}
                                              for row in rows])
    return Placed(tuple((int(row.uid), first + offset) for offset, row in enumerate(rows)), modseq, source_modseq)


def transfer(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int, *,
             move: bool) -> Transfer:
    events: list[MailboxEvent] = []
    with ctx.db.begin() as conn:
        src = open_folder(conn, viewer_id, folder_id, "rte" if move else "r")
        dst = open_folder(conn, viewer_id, target_folder_id, "i")
        lock_folders(ctx, conn, (src.id, dst.id))
        rows = _selected(ctx, conn, src, uids)
        if not rows:
            return Transfer(dst.id, dst.uidvalidity, ())
        placed = (move_rows if move else copy_rows)(ctx, conn, src, dst, rows)
        events.append(MailboxEvent(dst.id, MailboxEventKind.ADDED, tuple(new for _old, new in placed.mapping),
                                   placed.target_modseq))
        if move:
            events.append(MailboxEvent(src.id, MailboxEventKind.EXPUNGED, tuple(old for old, _new in placed.mapping),
                                       placed.source_modseq))
    ctx.publish(events)
    return Transfer(dst.id, dst.uidvalidity, placed.mapping, placed.source_modseq)


# Built once: UID EXPUNGE of one message or one range (what clients send) needs no statement built per call.
_DELETED_IN_RANGE = (select(messages.c.id, messages.c.uid, messages.c.size)
                     .where(messages.c.folder_id == bindparam("folder_id"),
                            messages.c.uid.between(bindparam("low"), bindparam("high")),
                            messages.c.system_flags.op("&")(DELETED_BIT) != 0)
                     .order_by(messages.c.uid))
_DELETE_MESSAGES = delete(messages).where(messages.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_TOMBSTONES = insert(message_tombstones)


def _deleted(ctx: MailContext, conn: Connection, access: FolderAccess, uids: UidArg | None) -> list[Row[Any]]:
    """The messages marked \\Deleted among ``uids`` (all of the folder's when None), in UID order."""
    if uids is not None:
        ranges = clip(to_ranges(uids), access.uidnext - 1)
        if len(ranges) <= 1:
            if not ranges:
                return []
            low, high = ranges[0]
            return list(conn.execute(_DELETED_IN_RANGE, {"folder_id": access.id, "low": low, "high": high}))
    return _selected(ctx, conn, access, uids, deleted_only=True)


def expunge(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg | None = None) -> Expunged:
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "e", lock=True)
        rows = _deleted(ctx, conn, access, uids)
        if not rows:
            return Expunged((), access.highestmodseq)
        modseq = next_modseq(conn, folder_id)
        ids = [int(row.id) for row in rows]
        for start in range(0, len(ids), CHUNK):
            conn.execute(_DELETE_MESSAGES, {"ids": ids[start:start + CHUNK]})
        conn.execute(_INSERT_TOMBSTONES, [{"folder_id": folder_id, "uid": row.uid, "modseq": modseq}
                                          for row in rows])
        adjust_usage(conn, {access.owner_id: (-sum(int(row.size) for row in rows), -len(rows))})
    expunged = tuple(int(row.uid) for row in rows)
    ctx.publish([MailboxEvent(folder_id, MailboxEventKind.EXPUNGED, expunged, modseq)])
    return Expunged(expunged, modseq)
