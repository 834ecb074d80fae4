"""SEARCH evaluated by the database: a :data:`congvu.mailstore.criteria.Criterion` becomes one SQL condition.

Text criteria are substring matches (RFC 9051 §6.4.4) on the search fold of the stored text, so they ignore
case and Vietnamese diacritics (``đ`` included). Header and body text are found through a text index:

* SQLite: the FTS5 table ``message_text`` with the ``trigram`` tokenizer over the folded text, ``detail=none``
  (it records which messages hold each trigram, not where: a fifth of the size of ``detail=full``, written at
  every delivery). A needle of three characters or more asks the index for the messages holding every one of
  its trigrams (``"con" AND "ong" AND …``, answered from the index alone), and only those of the folder's
  messages among them have their text checked with LIKE: an exact substring test that reads the text of the
  folder's candidates only, never of the whole installation's. Shorter needles are checked with LIKE on the
  folded columns. Trigrams (rather than ``unicode61`` words) because IMAP asks for substrings:
  "vinh" must find "tvvinh@dongnai.gov.vn", and words would also split Vietnamese syllables apart. The index
  covers every mailbox of the installation, so in a folder of at most :data:`SCAN_LIMIT` UIDs reading the
  folder's own texts with LIKE is cheaper than matching the whole index (same result: both are substring tests
  on the same folded text).
* PostgreSQL: GIN ``pg_trgm`` indexes on the same folded columns serve ``LIKE '%needle%'``; the planner rechecks
  every candidate, so the result is exact. ``to_tsvector`` would give word matches, not substrings.

Subject and address criteria test short folded columns of the folder's messages directly. ``HEADER name
value`` first finds candidates through the index, then checks that the value lies in that very field
(``search_headers`` keeps one folded line per field), and enters the tree as the resulting UID set. SQL's
three-valued logic never leaks into NOT: every nullable column is tested with IS NOT NULL first.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    exists,
    false,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)

from congvu.mailstore.access import FolderAccess, Prepared
from congvu.mailstore.api import SEEN
from congvu.mailstore.context import MailContext
from congvu.mailstore.criteria import (
    AllOf,
    AnyOf,
    Criterion,
    DateCompare,
    DateField,
    DateMatch,
    HasFlag,
    HeaderContains,
    MatchAll,
    ModSeqAtLeast,
    Not,
    SizeMatch,
    TextContains,
    TextField,
    UidIn,
)
from congvu.mailstore.flags import BITS
from congvu.mailstore.uidsets import to_ranges, uid_condition
from congvu.store.schema import message_contents, message_seen, messages
from congvu.vntext.fold import fold

c = message_contents.c
_FTS = table("message_text")
_MIN_TRIGRAM = 3
SCAN_LIMIT = 2_000
_ADDRESS_COLUMNS = {TextField.SUBJECT: c.subject_fold, TextField.FROM: c.from_fold, TextField.TO: c.to_fold,
                    TextField.CC: c.cc_fold, TextField.BCC: c.bcc_fold}
_HEADER_FIELDS = {"subject": TextField.SUBJECT, "from": TextField.FROM, "to": TextField.TO, "cc": TextField.CC,
                  "bcc": TextField.BCC}
_SYSTEM = {name.lower(): name for name in BITS}


def like_pattern(needle: str) -> str:
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def trigram_query(needle: str) -> str:
    """The FTS5 query matching the messages that hold every trigram of ``needle`` (three characters or more)."""
    trigrams = dict.fromkeys(needle[i:i + 3] for i in range(len(needle) - 2))
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


def _scan(*columns: ColumnElement[str]) -> Prepared:
    """UIDs of the folder's messages with ``pattern`` (a LIKE pattern) in one of ``columns``, built once."""
    pattern = bindparam("pattern")
    condition = or_(*(column.like(pattern, escape="/") for column in columns))
    return Prepared(select(messages.c.uid).select_from(messages.join(message_contents, c.id == messages.c.content_id))
                    .where(messages.c.folder_id == bindparam("folder_id"), condition).order_by(messages.c.uid))


_SCANS = {**{field: _scan(column) for field, column in _ADDRESS_COLUMNS.items()},
          TextField.HEADERS: _scan(c.search_headers), TextField.BODY: _scan(c.search_body),
          TextField.TEXT: _scan(c.search_headers, c.search_body)}


def text_scan(ctx: MailContext, access: FolderAccess, criterion: Criterion) -> tuple[Prepared, dict[str, Any]] | None:
    """The most common SEARCH, one text key (``SUBJECT "…"``, ``TEXT "…"``, ``FROM "…"`` …) answered with LIKE
    as :class:`SearchCompiler` would answer it: a statement built once and its parameters; None for anything
    else (and for a key the text index answers)."""
    while isinstance(criterion, AllOf) and len(criterion.criteria) == 1:
        criterion = criterion.criteria[0]
    if not isinstance(criterion, TextContains):
        return None
    needle = fold(criterion.value)
    if not needle or criterion.field not in _SCANS:
        return None
    if criterion.field not in _ADDRESS_COLUMNS and not (
            not ctx.is_sqlite or len(needle) < _MIN_TRIGRAM or access.uidnext <= SCAN_LIMIT + 1):
        return None  # through the index (see SearchCompiler._indexed)
    return _SCANS[criterion.field], {"folder_id": access.id, "pattern": like_pattern(needle)}


class SearchCompiler:
    """Turns criteria into a condition on ``messages`` joined to ``message_contents`` for one folder."""

    def __init__(self, ctx: MailContext, conn: Connection, access: FolderAccess) -> None:
        self.ctx = ctx
        self.conn = conn
        self.access = access
        self.needs_content = False

    def where(self, criterion: Criterion) -> ColumnElement[bool]:
        if isinstance(criterion, MatchAll):
            return true()
        if isinstance(criterion, HasFlag):
            test = self._flag(criterion.flag)
            return test if criterion.present else not_(test)
        if isinstance(criterion, TextContains):
            return self._text(criterion.field, fold(criterion.value))
        if isinstance(criterion, HeaderContains):
            return self._header(criterion.name, criterion.value)
        if isinstance(criterion, DateMatch):
            return self._date(criterion)
        if isinstance(criterion, SizeMatch):
            return messages.c.size > criterion.size if criterion.larger else messages.c.size < criterion.size
        if isinstance(criterion, UidIn):
            return uid_condition(messages.c.uid, to_ranges(criterion), sqlite=self.ctx.is_sqlite)
        if isinstance(criterion, ModSeqAtLeast):
            return messages.c.modseq >= criterion.modseq
        if isinstance(criterion, Not):
            return not_(self.where(criterion.criterion))
        if isinstance(criterion, AnyOf):
            return or_(*(self.where(item) for item in criterion.criteria)) if criterion.criteria else false()
        if isinstance(criterion, AllOf):
            return and_(*(self.where(item) for item in criterion.criteria)) if criterion.criteria else true()
        raise TypeError(f"unknown search criterion {criterion!r}")

    # -- leaves -------------------------------------------------------------------------------------------------

    def _flag(self, flag: str) -> ColumnElement[bool]:
        system = _SYSTEM.get(flag.lower()) if flag.startswith("\\") else None
        if flag.startswith("\\") and system is None:
            return false()  # \Recent and unknown system flags are never stored
        if system == SEEN and not self.access.own:
            return exists().where(message_seen.c.message_id == messages.c.id,
                                  message_seen.c.account_id == self.access.viewer_id)
        if system is not None:
            return messages.c.system_flags.op("&")(BITS[system]) != 0
        padded = " " + messages.c.keywords + " "
        return padded.ilike(like_pattern(f" {flag} "), escape="/")

    def _contains(self, column: ColumnElement[str], needle: str) -> ColumnElement[bool]:
        self.needs_content = True
        return column.like(bindparam(None, like_pattern(needle)), escape="/")

    def _indexed(self, fts_column: str | None, needle: str) -> ColumnElement[bool]:
        """Needle in search_headers / search_body (``fts_column`` None: either), through the text index."""
        self.needs_content = True
        columns = [c.search_headers, c.search_body] if fts_column is None else [c[fts_column]]
        if not self.ctx.is_sqlite or len(needle) < _MIN_TRIGRAM or self.access.uidnext <= SCAN_LIMIT + 1:
            return or_(*(self._contains(column, needle) for column in columns))
        candidates = select(literal_column("rowid")).select_from(_FTS).where(
            literal_column("message_text").op("MATCH")(bindparam(None, trigram_query(needle))))
        return and_(c.id.in_(candidates), or_(*(self._contains(column, needle) for column in columns)))

    def _text(self, field: TextField, needle: str) -> ColumnElement[bool]:
        if not needle:
            return true()
        if field in _ADDRESS_COLUMNS:
            return self._contains(_ADDRESS_COLUMNS[field], needle)
        if field == TextField.HEADERS:
            return self._indexed("search_headers", needle)
        if field == TextField.BODY:
            return self._indexed("search_body", needle)
        return self._indexed(None, needle)

    def _header(self, name: str, value: str) -> ColumnElement[bool]:
        key = fold(name)
        needle = fold(value)
        if key in _HEADER_FIELDS and needle:
            return self._text(_HEADER_FIELDS[key], needle)
        present = self._contains(c.search_headers, f"\n{key}:")
        if not needle:
            return present
        candidates = select(messages.c.uid, c.search_headers).join(
            message_contents, c.id == messages.c.content_id).where(
            messages.c.folder_id == self.access.id, present, self._indexed("search_headers", needle))
        prefix = f"{key}:"
        uids = [int(uid) for uid, text in self.conn.execute(candidates)
                if any(line.startswith(prefix) and needle in line[len(prefix):] for line in str(text).split("\n"))]
        return uid_condition(messages.c.uid, to_ranges(uids), sqlite=self.ctx.is_sqlite)

    def _date(self, criterion: DateMatch) -> ColumnElement[bool]:
        day = criterion.day
        if criterion.field == DateField.SENT:
            self.needs_content = True
            sent = c.sent_day
            compare = {DateCompare.BEFORE: sent < day, DateCompare.ON: sent == day, DateCompare.SINCE: sent >= day}
            return and_(sent.is_not(None), compare[criterion.compare])
        start = datetime.combine(day, time(0), tzinfo=self.ctx.day_zone).astimezone(UTC)
        end = start + timedelta(days=1)
        internal = messages.c.internal_date
        if criterion.compare == DateCompare.BEFORE:
            return internal < start
        if criterion.compare == DateCompare.ON:
            return and_(internal >= start, internal < end)
        return internal >= start
