"""The public directory's content, cached until the directory changes.

Every change to agencies, accounts, aliases and groups writes an audit-log row, so the newest such row is the
directory's version. The audit log also gets a row for every sign-in (and for document work), which says
nothing about the directory: were those counted, a burst of sign-ins (the start of a working day) would throw the
cache away with every row and make each directory request rebuild it just when the server is busiest. So each
request reads only the audit rows added since the last look (an index range, usually empty) and moves the version
when one of them is a directory change. Only a few recent (query, agency) combinations are kept; one request
computes a missing entry while the others asking for it wait for that one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func, select

from congvu.directory.export import DirectoryAgency, collect
from congvu.store.schema import audit_log
from congvu.web.context import WebContext

MAX_ENTRIES = 64
# Audit actions that never change what the public directory shows.
UNRELATED_ACTIONS = ("signin.", "session.", "app_password.", "api_token.", "doc.", "exchange.", "register.")

_lock = threading.Lock()
_entries: OrderedDict[tuple[int, str, str | None, str | None], list[DirectoryAgency]] = OrderedDict()
_computing: dict[tuple[int, str, str | None, str | None], threading.Lock] = {}


@dataclass
class _Watermark:
    seen: int  # the newest audit id looked at
    version: int  # the newest audit id of a directory change


_watermarks: dict[str, _Watermark] = {}


def _changes_directory(action: str) -> bool:
    return not action.startswith(UNRELATED_ACTIONS)


def directory_version(web: WebContext) -> int:
    """The id of the newest audit row that changed the directory (or, before the first look, the newest row)."""
    where = str(web.inst.settings.data.root)
    with _lock:
        mark = _watermarks.get(where)
        seen = mark.seen if mark is not None else None
    with web.inst.db.read() as conn:
        if seen is None:
            newest = int(conn.execute(select(func.max(audit_log.c.id))).scalar() or 0)
            found = _Watermark(newest, newest)
        else:
            rows = conn.execute(select(audit_log.c.id, audit_log.c.action).where(audit_log.c.id > seen)).all()
            changed = [row.id for row in rows if _changes_directory(row.action)]
            found = _Watermark(max((row.id for row in rows), default=seen), max(changed, default=0))
    with _lock:
        mark = _watermarks.get(where)
        if mark is None:
            mark = _watermarks[where] = found
        else:
            mark.seen = max(mark.seen, found.seen)
            mark.version = max(mark.version, found.version)
        return mark.version


def cached_directory(web: WebContext, *, query: str | None, under: str | None) -> list[DirectoryAgency]:
    key = (directory_version(web), str(web.inst.settings.data.root), query, under)
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
            return found
        # One request computes a missing entry; the others arriving meanwhile wait for it.
        computing = _computing.setdefault(key, threading.Lock())
    with computing:
        with _lock:
            found = _entries.get(key)
        if found is not None:
            return found
        data = collect(web.directory.ctx, web.directory.agencies, under=under, query=query)
        with _lock:
            _entries[key] = data
            _computing.pop(key, None)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return data
