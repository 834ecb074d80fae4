"""UID sets as ranges, and the SQL conditions that select them without one bound parameter per message.

A set arrives as any iterable of UIDs or as an object with ``ranges`` (``congvu.imap.sequence.NumberSet``).
Few ranges become ``uid BETWEEN a AND b`` terms; many (a scattered set from a client's saved search, say)
become one array parameter on PostgreSQL and one JSON parameter on SQLite, so ``UID FETCH`` of ten thousand
scattered UIDs is still one statement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import BigInteger, ColumnElement, and_, any_, bindparam, false, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from congvu.mailstore.api import UidArg

MAX_UID = 4_294_967_295
INLINE_RANGES = 64

Ranges = tuple[tuple[int, int], ...]


def to_ranges(uids: UidArg) -> Ranges:
    """Merged ascending inclusive ranges, clipped to valid UIDs."""
    raw = getattr(uids, "ranges", None)
    pairs: Iterable[tuple[int, int]] = (
        ((min(a, b), max(a, b)) for a, b in raw) if raw is not None
        else ((uid, uid) for uid in uids)  # type: ignore[union-attr]
    )
    merged: list[tuple[int, int]] = []
    for low, high in sorted((max(1, a), min(MAX_UID, b)) for a, b in pairs):
        if low > high:
            continue
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


def clip(ranges: Ranges, highest: int) -> Ranges:
    """Only what can exist below ``highest`` (a folder's UIDNEXT - 1)."""
    return tuple((low, min(high, highest)) for low, high in ranges if low <= highest)


def chunks(ranges: Ranges, size: int = 2_000) -> Iterator[Ranges]:
    for start in range(0, len(ranges), size):
        yield ranges[start:start + size]


def uid_condition(column: ColumnElement[int], ranges: Ranges, *, sqlite: bool) -> ColumnElement[bool]:
    if not ranges:
        return false()
    if len(ranges) <= INLINE_RANGES:
        return or_(*(column == low if low == high else column.between(low, high) for low, high in ranges))
    wide = [(low, high) for low, high in ranges if high - low > 16]
    singles = [uid for low, high in ranges if high - low <= 16 for uid in range(low, high + 1)]
    terms: list[ColumnElement[bool]] = []
    if len(wide) > INLINE_RANGES:
        # Pathological: many wide ranges; expand them too (bounded by the caller's clip to UIDNEXT).
        singles.extend(uid for low, high in wide for uid in range(low, high + 1))
        wide = []
    terms.extend(column.between(low, high) for low, high in wide)
    if singles:
        if sqlite:
            each = func.json_each(bindparam(None, json.dumps(singles))).table_valued("value")
            terms.append(column.in_(select(each.c.value)))
        else:
            terms.append(column == any_(bindparam(None, singles, type_=ARRAY(BigInteger))))
    return or_(*terms) if len(terms) > 1 else and_(*terms)
