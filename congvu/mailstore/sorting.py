"""SEARCH and SORT (RFC 5256 §3, DISPLAYFROM/DISPLAYTO of RFC 5957) over one folder.

The database selects the matching messages with their precomputed sort keys in one query; ordering is done
here with stable sorts, last key first, so that REVERSE applies to its own key only and ties fall back to UID
order (RFC 5256: "the sequence number is the final tie-breaker"). String keys were stored at delivery: the
first address's mailbox lower-cased for FROM/TO/CC and Vietnamese collation keys for SUBJECT and the display
names, so "Đặng" sorts after "Dương" as a Vietnamese reader expects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from congvu.mailstore.access import open_folder
from congvu.mailstore.api import SortFields, UidArg
from congvu.mailstore.context import MailContext, as_utc
from congvu.mailstore.criteria import MATCH_ALL, Criterion, SortKey, SortOrder, UidIn, needs_body_text
from congvu.mailstore.textbacklog import index_all, pending_in_folder
from congvu.mailstore.textsearch import SearchCompiler, text_scan
from congvu.mailstore.uidsets import to_ranges
from congvu.store.schema import message_contents, messages

c = message_contents.c
_KEYS: dict[SortKey, Callable[[SortFields], Any]] = {
    SortKey.ARRIVAL: lambda f: f.arrival,
    SortKey.DATE: lambda f: f.date,
    SortKey.FROM: lambda f: f.from_,
    SortKey.TO: lambda f: f.to,
    SortKey.CC: lambda f: f.cc,
    SortKey.SUBJECT: lambda f: f.subject,
    SortKey.SIZE: lambda f: f.size,
    SortKey.DISPLAYFROM: lambda f: f.display_from,
    SortKey.DISPLAYTO: lambda f: f.display_to,
}
_SORT_COLUMNS = (messages.c.uid, messages.c.internal_date, messages.c.size, c.sent_date, c.sort_from, c.sort_to,
                 c.sort_cc, c.sort_subject, c.display_from, c.display_to)


def _matching(compiler: SearchCompiler, criterion: Criterion, columns: tuple[Any, ...]) -> Select[Any]:
    condition = compiler.where(criterion)
    query = select(*columns).where(messages.c.folder_id == compiler.access.id, condition)
    if compiler.needs_content or any(getattr(col, "table", None) is message_contents for col in columns):
        query = query.select_from(messages.join(message_contents, c.id == messages.c.content_id))
    return query.order_by(messages.c.uid)


def _bodies_indexed(ctx: MailContext, viewer_id: int, folder_id: int, criterion: Criterion) -> None:
    """Before a search of body text: the folder's bodies still waiting to be indexed are indexed now, once the
    viewer is known to be allowed to read the folder (textbacklog.py)."""
    if needs_body_text(criterion):
        with ctx.db.read() as conn:
            open_folder(conn, viewer_id, folder_id, "r")
            waiting = pending_in_folder(conn, folder_id)
        index_all(ctx, waiting)


def search(ctx: MailContext, viewer_id: int, folder_id: int, criterion: Criterion) -> tuple[int, ...]:
    _bodies_indexed(ctx, viewer_id, folder_id, criterion)
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        scan = text_scan(ctx, access, criterion)
        if scan is not None:
            return tuple(int(row[0]) for row in scan[0].rows(conn, scan[1]))
        compiler = SearchCompiler(ctx, conn, access)
        query = _matching(compiler, criterion, (messages.c.uid,))
        return tuple(int(uid) for uid in conn.execute(query).scalars().all())


def _fields(ctx: MailContext, viewer_id: int, folder_id: int, criterion: Criterion) -> list[SortFields]:
    _bodies_indexed(ctx, viewer_id, folder_id, criterion)
    with ctx.snapshot_read() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r")
        compiler = SearchCompiler(ctx, conn, access)
        rows = conn.execute(_matching(compiler, criterion, _SORT_COLUMNS)).all()
    fields = []
    for row in rows:
        arrival = as_utc(row.internal_date)
        fields.append(SortFields(
            uid=int(row.uid), arrival=arrival, date=as_utc(row.sent_date) if row.sent_date else arrival,
            from_=row.sort_from, to=row.sort_to, cc=row.sort_cc, subject=row.sort_subject, size=int(row.size),
            display_from=row.display_from, display_to=row.display_to))
    return fields


def ordered(fields: Sequence[SortFields], order: Sequence[SortOrder]) -> tuple[int, ...]:
    """UIDs of ``fields`` in ``order``; equal keys stay in UID order."""
    result = sorted(fields, key=lambda f: f.uid)
    for item in reversed(order):
        result.sort(key=_KEYS[item.key], reverse=item.reverse)
    return tuple(f.uid for f in result)


def sort(ctx: MailContext, viewer_id: int, folder_id: int, order: Sequence[SortOrder],
         criterion: Criterion = MATCH_ALL) -> tuple[int, ...]:
    return ordered(_fields(ctx, viewer_id, folder_id, criterion), order)


def sort_fields(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[SortFields, ...]:
    return tuple(_fields(ctx, viewer_id, folder_id, UidIn(to_ranges(uids))))
