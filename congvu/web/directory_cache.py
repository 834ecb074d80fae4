"""The public directory's content, cached until the directory changes.

Every change to agencies, accounts, aliases and groups writes an audit-log row, so the newest audit id is the
directory's version: one indexed query per request tells whether the cached content is still current. Only a few
recent (query, agency) combinations are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import func, select

from congvu.directory.export import DirectoryAgency, collect
from congvu.store.schema import audit_log
from congvu.web.context import WebContext

MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict[tuple[int, str, str | None, str | None], list[DirectoryAgency]] = OrderedDict()


def directory_version(web: WebContext) -> int:
    with web.inst.db.read() as conn:
        return int(conn.execute(select(func.max(audit_log.c.id))).scalar() or 0)


_computing: dict[tuple[int, str, str | None, str | None], threading.Lock] = {}


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
