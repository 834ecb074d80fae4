"""Recipient suggestions while typing: people, agencies' official mailboxes, aliases and groups of the
directory, found with or without diacritics ("nguyen lan" finds "Nguyễn Thị Lan"), each shown with its agency
and position so two namesakes can be told apart.

Only active accounts are suggested; the public directory already lists them, so this reveals nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select

from congvu.directory.service import Directory
from congvu.store.schema import accounts, agencies, aliases, groups
from congvu.vntext.fold import fold

MAX_SUGGESTIONS = 12
MIN_QUERY_CHARS = 2


@dataclass(frozen=True)
class Suggestion:
    address: str
    name: str
    kind: str  # person | agency | alias | group
    agency: str | None = None
    position: str | None = None


def _words(query: str) -> list[str]:
    folded = fold(query.strip())[:100]
    return [w.replace("\\", "").replace("%", "").replace("_", "") for w in folded.split() if w.strip()]


def _like_all(columns: tuple[object, ...], words: list[str]) -> object:
    return and_(*(or_(*(column.like(f"%{word}%") for column in columns)) for word in words))  # type: ignore[attr-defined]


def suggest(directory: Directory, query: str, *, limit: int = MAX_SUGGESTIONS) -> tuple[Suggestion, ...]:
    words = _words(query)
    if not words or sum(len(w) for w in words) < MIN_QUERY_CHARS:
        return ()
    people: Select[tuple[object, ...]] = (
        select(accounts.c.address, accounts.c.full_name, accounts.c.kind, accounts.c.position,
               agencies.c.name.label("agency_name"))
        .outerjoin(agencies, agencies.c.id == accounts.c.agency_id)
        .where(accounts.c.status == "active", accounts.c.kind.in_(("person", "agency")),
               _like_all((accounts.c.name_fold, accounts.c.address), words))
        .order_by(accounts.c.kind, accounts.c.name_key, accounts.c.address).limit(limit))
    found: list[Suggestion] = []
    with directory.ctx.db.read() as conn:
        for row in conn.execute(people):
            found.append(Suggestion(row.address, row.full_name, row.kind, row.agency_name,
                                    row.position if row.kind == "person" else None))
        if len(found) < limit:
            group_rows = conn.execute(select(groups.c.address, groups.c.name).where(
                _like_all((groups.c.name_fold, groups.c.address), words)).order_by(groups.c.address)
                .limit(limit - len(found)))
            found.extend(Suggestion(r.address, r.name, "group") for r in group_rows)
        if len(found) < limit:
            alias_rows = conn.execute(select(aliases.c.address, aliases.c.description).where(
                _like_all((aliases.c.address,), words)).order_by(aliases.c.address).limit(limit - len(found)))
            found.extend(Suggestion(r.address, r.description or "", "alias") for r in alias_rows)
    return tuple(found)
