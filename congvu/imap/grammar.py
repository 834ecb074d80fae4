"""The lexical layer of IMAP commands (RFC 9051 §4 and §9): atoms, quoted strings, literals, numbers, flags,
dates and lists, read from one command held in memory with its literals in place.

:class:`Cursor` walks the bytes and raises :class:`ParseError` carrying the command's tag, so every grammar
fault ends as a tagged BAD naming what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import NoReturn, TypeVar

from congvu.imap.errors import ParseError
from congvu.imap.sequence import DEFAULT_MAX_RANGES, SequenceSet

T = TypeVar("T")

# RFC 9051 §9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials.
_ATOM_SPECIALS = frozenset(b'(){ %*"\\]') | frozenset(range(0x00, 0x20)) | {0x7F}
ATOM_CHARS = frozenset(range(0x01, 0x80)) - _ATOM_SPECIALS
ASTRING_CHARS = ATOM_CHARS | {ord("]")}
TAG_CHARS = ASTRING_CHARS - {ord("+")}
LIST_CHARS = ASTRING_CHARS | {ord("%"), ord("*")}
_SEQUENCE_CHARS = frozenset(b"0123456789:*,$")
_LITERAL_HEAD = re.compile(rb"(~?)\{(\d{1,19})(\+?)\}\r\n")
_DATE = re.compile(rb"(\d{1,2})-([A-Za-z]{3})-(\d{4})")
_DATE_TIME = re.compile(rb'"([ \d]?\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"')
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
SYSTEM_FLAGS = {
    f.upper(): f for f in ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent")
}
MAX_NUMBER64 = 2**63 - 1
MAX_LIST_DEPTH = 64


def canonical_flag(flag: str) -> str:
    """System flags in their RFC spelling (``\\SEEN`` → ``\\Seen``); keywords unchanged."""
    return SYSTEM_FLAGS.get(flag.upper(), flag)


def utf8_text(data: bytes, tag: str | None, what: str = "chuỗi") -> str:
    """Decode UTF-8 (RFC 9051 §4.3: strings are UTF-8) and normalise to NFC."""
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ParseError(
            tag, f"{what.capitalize()} không phải UTF-8 hợp lệ", message_en="String is not valid UTF-8"
        ) from None


class Cursor:
    """A read position over one command (tag through last argument, CRLF removed)."""

    def __init__(self, data: bytes, tag: str | None = None) -> None:
        self.data = data
        self.pos = 0
        self.tag = tag
        self.max_ranges = DEFAULT_MAX_RANGES

    # -- basics
    def fail(self, message: str, message_en: str) -> NoReturn:
        raise ParseError(self.tag, message, message_en=message_en)

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> int | None:
        return self.data[self.pos] if self.pos < len(self.data) else None

    def peek_is(self, chars: bytes) -> bool:
        byte = self.peek()
        return byte is not None and byte in chars

    def looking_at(self, word: bytes) -> bool:
        """Case-insensitive look-ahead (ABNF literal strings ignore case, RFC 5234 §2.3)."""
        end = self.pos + len(word)
        return self.data[self.pos : end].upper() == word.upper()

    def take(self, word: bytes) -> bool:
        if self.looking_at(word):
            self.pos += len(word)
            return True
        return False

    def expect(self, word: bytes) -> None:
        if not self.take(word):
            shown = word.decode("ascii")
            self.fail(f"Thiếu '{shown}' ở vị trí {self.pos}", f"Expected '{shown}' at offset {self.pos}")

    def sp(self) -> None:
        if self.peek() != 0x20:
            self.fail(f"Thiếu dấu cách ở vị trí {self.pos}", f"Expected a space at offset {self.pos}")
        self.pos += 1

    def end(self) -> None:
        if not self.at_end() and self.data[self.pos :] != b"\r\n":
            rest = self.data[self.pos : self.pos + 20].decode("ascii", "replace")
            self.fail(f"Thừa tham số: {rest!r}", f"Unexpected extra arguments: {rest!r}")

    def _span(self, allowed: frozenset[int]) -> bytes:
        start = self.pos
        data = self.data
        while self.pos < len(data) and data[self.pos] in allowed:
            self.pos += 1
        return data[start : self.pos]

    # -- atoms and numbers
    def atom(self, what: str = "atom") -> str:
        word = self._span(ATOM_CHARS)
        if not word:
            self._fail_expected(what)
        return word.decode("ascii")

    def keyword(self) -> str:
        """An atom, upper-cased: command names, options and search keys are case-insensitive."""
        return self.atom("từ khoá").upper()

    def word(self, allowed: bytes) -> str:
        """Characters from ``allowed`` only (fetch attribute names stop at ``[`` and ``<``)."""
        return self._span(frozenset(allowed)).decode("ascii").upper()

    def number(self, *, nonzero: bool = False, limit: int = 4_294_967_295) -> int:
        digits = self._span(frozenset(b"0123456789"))
        if not digits or len(digits) > 19:
            self._fail_expected("số")
        value = int(digits)
        if value > limit or (nonzero and value == 0):
            self.fail(f"Số ngoài giới hạn: {value}", f"Number out of range: {value}")
        return value

    def number64(self, *, nonzero: bool = False) -> int:
        return self.number(nonzero=nonzero, limit=MAX_NUMBER64)

    def sequence_set(self) -> SequenceSet:
        text = self._span(_SEQUENCE_CHARS)
        if not text:
            self._fail_expected("tập số thứ tự")
        return SequenceSet.parse(text, tag=self.tag, max_ranges=self.max_ranges)

    # -- strings
    def quoted(self) -> bytes:
        self.expect(b'"')
        out = bytearray()
        data = self.data
        while True:
            if self.pos >= len(data):
                self.fail("Chuỗi trong ngoặc kép chưa đóng", "Unterminated quoted string")
            byte = data[self.pos]
            self.pos += 1
            if byte == 0x22:
                return bytes(out)
            if byte == 0x5C:
                escaped = self.peek()
                if escaped not in (0x22, 0x5C):
                    self.fail("Ký tự thoát '\\' sai trong chuỗi", "Invalid backslash escape in quoted string")
                out.append(escaped)
                self.pos += 1
            elif byte in (0x00, 0x0A, 0x0D):
                self.fail("Ký tự CR, LF hoặc NUL trong chuỗi", "CR, LF or NUL in quoted string")
            else:
                out.append(byte)

    def literal(self, *, allow_binary: bool = False) -> tuple[bytes, bool]:
        """A literal ``{n}``, ``{n+}`` or (if allowed) ``~{n}``: the data and whether it is literal8."""
        match = _LITERAL_HEAD.match(self.data, self.pos)
        if match is None:
            self._fail_expected("literal")
        binary = bool(match.group(1))
        if binary and not allow_binary:
            self.fail("Không được dùng literal8 (~{n}) ở đây", "A literal8 (~{n}) is not allowed here")
        size = int(match.group(2))
        start = match.end()
        if start + size > len(self.data):
            self.fail("Literal bị cắt ngắn", "Truncated literal")
        self.pos = start + size
        value = self.data[start : self.pos]
        if not binary and 0 in value and not allow_binary:
            self.fail("Literal chứa byte NUL", "NUL octet in a literal")
        return value, binary

    def string(self) -> bytes:
        if self.peek() == 0x22:
            return self.quoted()
        if self.peek_is(b"{~"):
            return self.literal()[0]
        self._fail_expected("chuỗi")

    def astring(self, what: str = "chuỗi") -> bytes:
        if self.peek_is(b'"{~'):
            return self.string()
        word = self._span(ASTRING_CHARS)
        if not word:
            self._fail_expected(what)
        return word

    def nstring(self) -> bytes | None:
        if self.looking_at(b"NIL") and not self._continues_atom(3):
            self.pos += 3
            return None
        return self.string()

    def list_mailbox(self) -> bytes:
        """RFC 9051 §9 list-mailbox: atom characters plus ``%`` and ``*``, or a string."""
        if self.peek_is(b'"{~'):
            return self.string()
        word = self._span(LIST_CHARS)
        if not word:
            self._fail_expected("mẫu tên hộp thư")
        return word

    def text_astring(self, what: str = "chuỗi") -> str:
        return utf8_text(self.astring(what), self.tag, what)

    # -- compound
    def paren_list(self, item: Callable[[], T], *, allow_empty: bool = True) -> list[T]:
        """``"(" [item *(SP item)] ")"``."""
        self.expect(b"(")
        items: list[T] = []
        if self.take(b")"):
            if not allow_empty:
                self.fail("Danh sách rỗng", "Empty list")
            return items
        while True:
            items.append(item())
            if self.take(b")"):
                return items
            self.sp()

    def flag(self) -> str:
        if self.take(b"\\"):
            if self.take(b"*"):
                return "\\*"
            return canonical_flag("\\" + self.atom("cờ"))
        return self.atom("cờ")

    def flag_list(self) -> tuple[str, ...]:
        return tuple(self.paren_list(self.flag))

    def day(self) -> date:
        """RFC 9051 §9 date: ``d-Mon-yyyy``, bare or quoted."""
        quoted = self.take(b'"')
        match = _DATE.match(self.data, self.pos)
        if match is None:
            self._fail_expected("ngày (d-Mon-yyyy)")
        self.pos = match.end()
        if quoted:
            self.expect(b'"')
        return self._make_date(match.group(1), match.group(2), match.group(3))

    def date_time(self) -> datetime:
        """RFC 9051 §9 date-time: ``"dd-Mon-yyyy hh:mm:ss +zzzz"`` (a single-digit day is tolerated)."""
        match = _DATE_TIME.match(self.data, self.pos)
        if match is None:
            self._fail_expected('ngày giờ "dd-Mon-yyyy hh:mm:ss +zzzz"')
        self.pos = match.end()
        day = self._make_date(match.group(1).strip(), match.group(2), match.group(3))
        hour, minute, second = (int(match.group(i)) for i in (4, 5, 6))
        offset = timedelta(hours=int(match.group(8)), minutes=int(match.group(9)))
        if hour > 23 or minute > 59 or second > 60 or offset >= timedelta(hours=24):
            self.fail("Giờ không hợp lệ", "Invalid time of day")
        zone = UTC if not offset else timezone(-offset if match.group(7) == b"-" else offset)
        return datetime(day.year, day.month, day.day, hour, minute, min(second, 59), tzinfo=zone)

    # -- helpers
    def _make_date(self, day: bytes, month: bytes, year: bytes) -> date:
        try:
            return date(int(year), MONTHS.index(month.decode("ascii").upper()) + 1, int(day))
        except ValueError:
            self.fail("Ngày không hợp lệ", "Invalid date")

    def _continues_atom(self, offset: int) -> bool:
        following = self.pos + offset
        return following < len(self.data) and self.data[following] in ASTRING_CHARS

    def _fail_expected(self, what: str) -> NoReturn:
        byte = self.peek()
        found = "hết dòng" if byte is None else repr(chr(byte))
        found_en = "end of line" if byte is None else repr(chr(byte))
        self.fail(
            f"Cần {what} ở vị trí {self.pos}, gặp {found}",
            f"Expected {_ENGLISH.get(what, what)} at offset {self.pos}, found {found_en}",
        )


_ENGLISH = {
    "atom": "an atom",
    "từ khoá": "a keyword",
    "số": "a number",
    "tập số thứ tự": "a sequence set",
    "literal": "a literal",
    "chuỗi": "a string",
    "mẫu tên hộp thư": "a mailbox pattern",
    "cờ": "a flag",
    "ngày (d-Mon-yyyy)": "a date (d-Mon-yyyy)",
    'ngày giờ "dd-Mon-yyyy hh:mm:ss +zzzz"': 'a date-time "dd-Mon-yyyy hh:mm:ss +zzzz"',
    "tên hộp thư": "a mailbox name",
    "tên người dùng": "a user name",
    "mật khẩu": "a password",
}
