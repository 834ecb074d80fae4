"""Reading a folder's messages: the SELECT snapshot, FETCH, STATUS, CONDSTORE/QRESYNC changes, raw bytes.

Each call is one read transaction that sees a single state of the database, and a fixed number of queries
whatever the number of messages: the snapshot of a 10,000-message folder is one query, ``FETCH 1:*`` one query
per 2,000 UID ranges. The folder row is read first, so the counters returned never run ahead of the messages.

The statements of the frequent calls (SELECT, FETCH of one UID range, changes since a MODSEQ) are built once
with bound parameters, and their rows are read by position: on a busy server building a statement costs more
than running it. On SQLite they go straight to the driver (:class:`congvu.mailstore.access.Prepared`), and a
summary is made without the dataclass's ``__init__`` (:func:`new_summary`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    FromClause,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    select,
    type_coerce,
)
from sqlalchemy.engine.processors import str_to_datetime

from congvu.errors import NotFound
from congvu.mailstore.access import FolderAccess, Prepared, open_folder
from congvu.mailstore.api import (
    Changes,
    FolderSnapshot,
    FolderStatus,
    MessageSummary,
    StoredMessage,
    UidArg,
)
from congvu.mailstore.contents import read_contents
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


# The same columns, with the arrival time as the database hands it over: SQLite keeps UTC as text without an
# offset, which one ``fromisoformat`` turns into the aware value (see :func:`arrival`).
_FAST_COLUMNS = (*SUMMARY_COLUMNS[:5], type_coerce(messages.c.internal_date, String).label("internal_date"),
                 *SUMMARY_COLUMNS[6:])


def _summary_select(own: bool, *extra: Any) -> Select[Any]:
    """:func:`summary_query` with the folder and the viewer as bound parameters ``folder_id`` and ``viewer_id``."""
    if own:
        return select(*_FAST_COLUMNS, *extra).where(messages.c.folder_id == bindparam("folder_id"))
    return (select(*_FAST_COLUMNS, message_seen.c.account_id.label("seen_by"), *extra)
            .outerjoin(message_seen, and_(message_seen.c.message_id == messages.c.id,
                                          message_seen.c.account_id == bindparam("viewer_id")))
            .where(messages.c.folder_id == bindparam("folder_id")))


_UID_RANGE = messages.c.uid.between(bindparam("low"), bindparam("high"))
# Indexed by FolderAccess.own.
SNAPSHOT = {own: _summary_select(own).order_by(messages.c.uid) for own in (False, True)}
CHANGED = {own: _summary_select(own).where(messages.c.modseq > bindparam("modseq")).order_by(messages.c.uid)
           for own in (False, True)}
UID_RANGE = {own: _summary_select(own).where(_UID_RANGE).order_by(messages.c.uid) for own in (False, True)}
_TOMBSTONES = Prepared(select(message_tombstones.c.uid)
                       .where(message_tombstones.c.folder_id == bindparam("folder_id"),
                              message_tombstones.c.modseq > bindparam("modseq"))
                       .order_by(message_tombstones.c.uid))
_HAS_CHILDREN = Prepared(select(folders.c.id).where(folders.c.account_id == bindparam("owner_id"),
                                                    folders.c.name.like(bindparam("prefix"), escape="/")).limit(1))
# The same, run through the driver on SQLite (see :class:`congvu.mailstore.access.Prepared`).
_SNAPSHOT = {own: Prepared(statement) for own, statement in SNAPSHOT.items()}
_CHANGED = {own: Prepared(statement) for own, statement in CHANGED.items()}
_BY_UID_RANGE = {own: Prepared(statement) for own, statement in UID_RANGE.items()}


def parameters(access: FolderAccess, **more: int) -> dict[str, int]:
    """The bound parameters of the statements above for ``access``."""
    return {"folder_id": access.id, "viewer_id": access.viewer_id, **more}


# Arrival times already parsed, by SQLite's text: every FETCH FLAGS 1:* and SELECT reads the same few thousand
# values again, and parsing one costs more than the rest of its row. Emptied when full.
_ARRIVALS: dict[str, datetime] = {}
_ARRIVALS_MAX = 20_000


def arrival(value: datetime | str) -> datetime:
    """``internal_date`` as read by the statements above: a datetime, or SQLite's UTC text."""
    if not isinstance(value, str):
        return as_utc(value)
    found = _ARRIVALS.get(value)
    if found is not None:
        return found
    try:
        parsed: datetime | None = datetime.fromisoformat(value + "+00:00")
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        parsed = as_utc(str_to_datetime(value))  # any other spelling, read as SQLAlchemy reads it
    if len(_ARRIVALS) >= _ARRIVALS_MAX:
        _ARRIVALS.clear()
    _ARRIVALS[value] = parsed
    return parsed


_SUMMARY_FIELDS = ("uid", "modseq", "flags", "internal_date", "size", "content_id")
if tuple(f.name for f in fields(MessageSummary)) != _SUMMARY_FIELDS or hasattr(MessageSummary, "__slots__"):
    raise ImportError("MessageSummary changed: update new_summary")
_new_object = object.__new__


def new_summary(uid: int, modseq: int, flags: frozenset[str], internal_date: datetime, size: int,
                content_id: int) -> MessageSummary:
    """``MessageSummary(uid, modseq, …)`` for values known to be right: the same frozen object, made without the
    dataclass's ``__init__`` (one ``object.__setattr__`` per field), which costs three times as much. A
    snapshot or a ``FETCH 1:* (FLAGS)`` makes one per message."""
    summary = _new_object(MessageSummary)
    summary.__dict__.update(uid=uid, modseq=modseq, flags=flags, internal_date=internal_date, size=size,
                            content_id=content_id)
    return summary


def summaries(access: FolderAccess, rows: Iterable[Sequence[Any]]) -> list[MessageSummary]:
    """The rows of a summary query as the viewer sees them (read by position: columns of
    :data:`SUMMARY_COLUMNS`, then ``seen_by`` unless the viewer owns the folder)."""
    own = access.own
    found: list[MessageSummary] = []
    append = found.append
    names = flag_names
    when = arrival
    for row in rows:
        bits = row[3]
        if not own:
            bits = (bits & ~SEEN_BIT) | (SEEN_BIT if row[8] is not None else 0)
        # Both drivers hand integer columns over as int.
        append(new_summary(row[1], row[2], names(bits, row[4]), when(row[5]), row[6], row[7]))
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
    return _HAS_CHILDREN.first(conn, {"owner_id": owner_id, "prefix": prefix}) is not None


def snapshot(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderSnapshot:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        listed = tuple(summaries(access, _SNAPSHOT[access.own].rows(conn, parameters(access))))
        children = has_children(conn, access.owner_id, access.name)
    return FolderSnapshot(folder=access.info(has_children=children), messages=listed)


_FETCH_RANGE = {own: Prepared(_summary_select(own, message_contents.c.sha256)
                         .join(message_contents, message_contents.c.id == messages.c.content_id)
                         .where(_UID_RANGE).order_by(messages.c.uid)) for own in (False, True)}


def fetch(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
    ranges = to_ranges(uids)
    listed: list[tuple[MessageSummary, str]] = []  # with the content's SHA-256 (last column)
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        for part in chunks(clip(ranges, access.uidnext - 1)):
            rows: Sequence[Sequence[Any]]
            if len(part) == 1:
                rows = _FETCH_RANGE[access.own].rows(conn, parameters(access, low=part[0][0], high=part[0][1]))
            else:
                rows = conn.execute(summary_query(access, message_contents.c.sha256)
                                    .join(message_contents, message_contents.c.id == messages.c.content_id)
                                    .where(uid_condition(messages.c.uid, part, sqlite=ctx.is_sqlite))
                                    .order_by(messages.c.uid)).all()
            listed.extend(zip(summaries(access, rows), (str(row[-1]) for row in rows), strict=True))
        # Copies of one message share their content; contents read before come from the cache.
        contents = read_contents(conn, {(summary.content_id, sha) for summary, sha in listed})
    return tuple(StoredMessage(summary, contents[summary.content_id]) for summary, _sha in listed)


def fetch_summaries(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[MessageSummary, ...]:
    found: list[MessageSummary] = []
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        for part in chunks(clip(to_ranges(uids), access.uidnext - 1)):
            if len(part) == 1:
                found.extend(summaries(access, _BY_UID_RANGE[access.own].rows(
                    conn, parameters(access, low=part[0][0], high=part[0][1]))))
                continue
            rows = conn.execute(summary_query(access).where(uid_condition(messages.c.uid, part,
                                                                          sqlite=ctx.is_sqlite))
                                .order_by(messages.c.uid))
            found.extend(summaries(access, rows.all()))  # fetched at once: cheaper than row by row
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
        changed = tuple(summaries(access, _CHANGED[access.own].rows(conn, parameters(access, modseq=modseq))))
        vanished = tuple(int(row[0]) for row in _TOMBSTONES.rows(conn, {"folder_id": folder_id, "modseq": modseq}))
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


_STATUS = {own: Prepared(_status_select(own)) for own in (False, True)}


def folder_status(ctx: MailContext, viewer_id: int, folder_id: int) -> FolderStatus:
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        total, octets, unseen, deleted, recent = _STATUS[access.own].rows(
            conn, parameters(access, first_recent=access.first_recent_uid))[0]
    return FolderStatus(folder_id=folder_id, messages=int(total), recent=int(recent),
                        unseen=int(unseen), deleted=int(deleted), size=int(octets),
                        uidnext=access.uidnext, uidvalidity=access.uidvalidity,
                        highestmodseq=access.highestmodseq)
