"""Search criteria as a typed tree (RFC 9051 §6.4.4 ``search-key``, MODSEQ of RFC 7162 §3.1.5) and the
``search-program`` / ``RETURN`` options of ESEARCH (RFC 4731, RFC 5182 SAVE).

String arguments are decoded with the command's CHARSET: UTF-8 and US-ASCII are implemented (RFC 9051 §6.4.4
requires both); any other name raises :class:`UnsupportedCharset`, which the server answers with
``NO [BADCHARSET (UTF-8 US-ASCII)]``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from congvu.imap.errors import SUPPORTED_CHARSETS, UnsupportedCharset
from congvu.imap.grammar import Cursor, canonical_flag
from congvu.imap.sequence import SequenceSet

MAX_DEPTH = 64
MAX_KEYS = 2_000


class DateField(StrEnum):
    INTERNAL = "internal"  # BEFORE, ON, SINCE: the INTERNALDATE
    SENT = "sent"  # SENTBEFORE, SENTON, SENTSINCE: the Date header


class Compare(StrEnum):
    BEFORE = "before"
    ON = "on"
    SINCE = "since"


@dataclass(frozen=True)
class SearchAll:
    """ALL."""


@dataclass(frozen=True)
class SearchFlag:
    """A flag set (``present``) or not set: ANSWERED, UNSEEN, KEYWORD $Junk, RECENT, …"""

    flag: str
    present: bool = True


@dataclass(frozen=True)
class SearchHeader:
    """A header field containing ``value``: FROM, TO, CC, BCC, SUBJECT, HEADER name value.

    An empty value matches every message that has the field (RFC 9051 §6.4.4 HEADER).
    """

    field: str
    value: str


@dataclass(frozen=True)
class SearchText:
    """BODY (``headers=False``: the body only) or TEXT (headers and body)."""

    value: str
    headers: bool


@dataclass(frozen=True)
class SearchDate:
    """A day comparison; times and zones are disregarded (RFC 9051 §6.4.4)."""

    field: DateField
    compare: Compare
    day: date


@dataclass(frozen=True)
class SearchSize:
    """LARGER (``larger=True``) or SMALLER than ``size`` octets (RFC822.SIZE)."""

    size: int
    larger: bool


@dataclass(frozen=True)
class SearchSequence:
    """Message numbers, or UIDs with ``uid=True``; ``$`` refers to the saved result (RFC 5182)."""

    sequence: SequenceSet
    uid: bool = False


@dataclass(frozen=True)
class SearchModSeq:
    """MODSEQ [entry type] n: messages whose mod-sequence is at least ``modseq`` (RFC 7162 §3.1.5)."""

    modseq: int
    entry: str | None = None
    entry_type: str | None = None


@dataclass(frozen=True)
class SearchNot:
    key: SearchKey


@dataclass(frozen=True)
class SearchOr:
    left: SearchKey
    right: SearchKey


@dataclass(frozen=True)
class SearchAnd:
    """A parenthesised list, and the implicit AND of the top-level keys."""

    keys: tuple[SearchKey, ...]


SearchKey = (
    SearchAll
    | SearchFlag
    | SearchHeader
    | SearchText
    | SearchDate
    | SearchSize
    | SearchSequence
    | SearchModSeq
    | SearchNot
    | SearchOr
    | SearchAnd
)

RETURN_OPTIONS = frozenset({"MIN", "MAX", "ALL", "COUNT", "SAVE"})

_FLAG_KEYS = {
    "ANSWERED": ("\\Answered", True),
    "DELETED": ("\\Deleted", True),
    "DRAFT": ("\\Draft", True),
    "FLAGGED": ("\\Flagged", True),
    "SEEN": ("\\Seen", True),
    "RECENT": ("\\Recent", True),
    "OLD": ("\\Recent", False),
    "UNANSWERED": ("\\Answered", False),
    "UNDELETED": ("\\Deleted", False),
    "UNDRAFT": ("\\Draft", False),
    "UNFLAGGED": ("\\Flagged", False),
    "UNSEEN": ("\\Seen", False),
}
_HEADER_KEYS = {"BCC": "Bcc", "CC": "Cc", "FROM": "From", "SUBJECT": "Subject", "TO": "To"}
_DATE_KEYS = {
    "BEFORE": (DateField.INTERNAL, Compare.BEFORE),
    "ON": (DateField.INTERNAL, Compare.ON),
    "SINCE": (DateField.INTERNAL, Compare.SINCE),
    "SENTBEFORE": (DateField.SENT, Compare.BEFORE),
    "SENTON": (DateField.SENT, Compare.ON),
    "SENTSINCE": (DateField.SENT, Compare.SINCE),
}


def check_charset(charset: str, tag: str) -> str:
    """The canonical charset name, or :class:`UnsupportedCharset`."""
    upper = charset.upper()
    if upper not in SUPPORTED_CHARSETS:
        raise UnsupportedCharset(tag, charset)
    return upper


def parse_return_options(cursor: Cursor) -> frozenset[str] | None:
    """``RETURN (…)`` after SEARCH or SORT (RFC 4731 §3.1); ``RETURN ()`` means ALL."""
    if not cursor.looking_at(b"RETURN "):
        return None
    cursor.take(b"RETURN ")
    options = frozenset(cursor.paren_list(cursor.keyword))
    unknown = options - RETURN_OPTIONS
    if unknown:
        name = sorted(unknown)[0]
        cursor.fail(f"Tuỳ chọn RETURN không hỗ trợ: {name}", f"Unsupported RETURN option: {name}")
    cursor.sp()
    return options or frozenset({"ALL"})


class SearchParser:
    """Reads ``search-key *(SP search-key)`` to the end of the command."""

    def __init__(self, cursor: Cursor, charset: str) -> None:
        self.cursor = cursor
        self.charset = charset
        self.count = 0

    def program(self) -> SearchKey:
        keys = [self.key(0)]
        while not self.cursor.at_end():
            self.cursor.sp()
            keys.append(self.key(0))
        return keys[0] if len(keys) == 1 else SearchAnd(tuple(keys))

    def text(self) -> str:
        raw = self.cursor.astring()
        try:
            value = raw.decode("ascii" if self.charset == "US-ASCII" else "utf-8")
        except UnicodeDecodeError:
            self.cursor.fail(
                f"Chuỗi tìm kiếm không đúng bảng mã {self.charset}",
                f"Search string is not valid {self.charset}",
            )
        return unicodedata.normalize("NFC", value)

    def key(self, depth: int) -> SearchKey:
        cursor = self.cursor
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_KEYS:
            cursor.fail("Điều kiện tìm kiếm quá phức tạp", "Search criteria are too complex")
        if cursor.take(b"("):
            keys = [self.key(depth + 1)]
            while not cursor.take(b")"):
                cursor.sp()
                keys.append(self.key(depth + 1))
            return keys[0] if len(keys) == 1 else SearchAnd(tuple(keys))
        if cursor.peek_is(b"0123456789*$"):
            return SearchSequence(cursor.sequence_set())
        name = cursor.keyword()
        if name == "ALL":
            return SearchAll()
        if name in _FLAG_KEYS:
            flag, present = _FLAG_KEYS[name]
            return SearchFlag(flag, present)
        if name == "NEW":
            # RFC 3501 §6.4.4: NEW is RECENT UNSEEN.
            return SearchAnd((SearchFlag("\\Recent"), SearchFlag("\\Seen", False)))
        return self._key_with_argument(name, depth)

    def _key_with_argument(self, name: str, depth: int) -> SearchKey:
        cursor = self.cursor
        if name not in _ARGUMENT_KEYS:
            cursor.fail(f"Khoá tìm kiếm không hỗ trợ: {name}", f"Unsupported search key: {name}")
        cursor.sp()
        if name in _HEADER_KEYS:
            return SearchHeader(_HEADER_KEYS[name], self.text())
        if name in _DATE_KEYS:
            field, compare = _DATE_KEYS[name]
            return SearchDate(field, compare, cursor.day())
        if name in ("KEYWORD", "UNKEYWORD"):
            return SearchFlag(canonical_flag(cursor.flag()), name == "KEYWORD")
        if name in ("LARGER", "SMALLER"):
            return SearchSize(cursor.number64(), name == "LARGER")
        if name in ("BODY", "TEXT"):
            return SearchText(self.text(), headers=name == "TEXT")
        if name == "HEADER":
            header = cursor.text_astring("tên trường")
            cursor.sp()
            return SearchHeader(header, self.text())
        if name == "UID":
            return SearchSequence(cursor.sequence_set(), uid=True)
        if name == "NOT":
            return SearchNot(self.key(depth + 1))
        if name == "OR":
            left = self.key(depth + 1)
            cursor.sp()
            return SearchOr(left, self.key(depth + 1))
        return self._modseq()

    def _modseq(self) -> SearchModSeq:
        # RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
        cursor = self.cursor
        if cursor.peek() == 0x22:
            entry = cursor.quoted().decode("ascii", "replace")
            if not entry.lower().startswith("/flags/"):
                cursor.fail("Tên mục MODSEQ phải là /flags/…", "MODSEQ entry name must be /flags/…")
            cursor.sp()
            entry_type = cursor.atom().lower()
            if entry_type not in ("priv", "shared", "all"):
                cursor.fail("Loại mục MODSEQ sai", "MODSEQ entry type must be priv, shared or all")
            cursor.sp()
            return SearchModSeq(cursor.number64(), entry, entry_type)
        return SearchModSeq(cursor.number64())


_ARGUMENT_KEYS = frozenset(
    set(_HEADER_KEYS)
    | set(_DATE_KEYS)
    | {"KEYWORD", "UNKEYWORD", "LARGER", "SMALLER", "BODY", "TEXT", "HEADER", "UID", "NOT", "OR", "MODSEQ"}
)


def parse_search_criteria(cursor: Cursor, *, charset_required: bool = False) -> tuple[str | None, SearchKey]:
    """``[CHARSET charset SP] search-key *(SP search-key)`` to the end of the command.

    SORT and THREAD (RFC 5256 §3) always name a charset: ``charset_required``.
    """
    charset: str | None = None
    if charset_required or cursor.take(b"CHARSET "):
        quoted = cursor.peek() == 0x22
        charset = cursor.quoted().decode("ascii", "replace") if quoted else cursor.atom("bảng mã")
        cursor.sp()
    if charset is not None:
        charset = check_charset(charset, cursor.tag or "*")
    return charset, SearchParser(cursor, charset or "UTF-8").program()


def uses_modseq(key: SearchKey) -> bool:
    """Whether MODSEQ appears anywhere: the SEARCH response then carries ``(MODSEQ n)`` (RFC 7162 §3.1.5)."""
    if isinstance(key, SearchModSeq):
        return True
    if isinstance(key, SearchNot):
        return uses_modseq(key.key)
    if isinstance(key, SearchOr):
        return uses_modseq(key.left) or uses_modseq(key.right)
    if isinstance(key, SearchAnd):
        return any(uses_modseq(k) for k in key.keys)
    return False
