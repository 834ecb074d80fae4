"""Encoding of values in server responses (RFC 9051 §4): atoms, quoted strings, literals, NIL, flag lists,
dates and compressed sequence sets.

A string goes out quoted when that is safe and as a literal otherwise: CR, LF and NUL always need a literal,
and so does 8-bit text unless the client enabled UTF8=ACCEPT or IMAP4rev2 (RFC 6855 §3, RFC 9051 §4.3), in
which case quoted strings may hold UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from congvu.imap.grammar import ASTRING_CHARS, ATOM_CHARS, MONTHS
from congvu.imap.mailbox import INBOX, encode_name
from congvu.imap.sequence import SequenceSet

MAX_QUOTED_BYTES = 1024


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def is_atom(value: str | bytes, *, astring: bool = False) -> bool:
    data = _as_bytes(value)
    allowed = ASTRING_CHARS if astring else ATOM_CHARS
    return bool(data) and all(byte in allowed for byte in data) and data.upper() != b"NIL"


def can_quote(value: str | bytes, *, utf8: bool) -> bool:
    data = _as_bytes(value)
    if len(data) > MAX_QUOTED_BYTES or b"\r" in data or b"\n" in data or b"\x00" in data:
        return False
    if data.isascii():
        return True
    if not utf8:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def quoted(value: str | bytes) -> bytes:
    data = _as_bytes(value)
    if b"\r" in data or b"\n" in data or b"\x00" in data:
        raise ValueError("CR, LF and NUL cannot be quoted; use a literal")
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def literal(data: bytes, *, binary: bool = False) -> bytes:
    """``{n}`` CRLF data, or ``~{n}`` for literal8 (RFC 3516 §4.3)."""
    return (b"~{" if binary else b"{") + str(len(data)).encode("ascii") + b"}\r\n" + data


def string(value: str | bytes, *, utf8: bool = False) -> bytes:
    return quoted(value) if can_quote(value, utf8=utf8) else literal(_as_bytes(value))


def astring(value: str | bytes, *, utf8: bool = False) -> bytes:
    if is_atom(value, astring=True):
        return _as_bytes(value)
    return string(value, utf8=utf8)


def nstring(value: str | bytes | None, *, utf8: bool = False) -> bytes:
    return b"NIL" if value is None else string(value, utf8=utf8)


def mailbox(name: str, *, utf8: bool = False) -> bytes:
    """A mailbox name: modified UTF-7 unless the client reads UTF-8; INBOX stays a bare atom."""
    if name == INBOX:
        return b"INBOX"
    wire = encode_name(name, utf8=utf8)
    # Always quoted, even where an atom would do: one spelling for every name, as clients commonly expect.
    return quoted(wire) if can_quote(wire, utf8=utf8) else literal(wire.encode("utf-8"))


def flag_list(flags: Iterable[str]) -> bytes:
    return b"(" + " ".join(flags).encode("ascii") + b")"


def date_time(moment: datetime) -> bytes:
    """RFC 9051 §9 date-time: ``"dd-Mon-yyyy hh:mm:ss +zzzz"`` with a space-padded day."""
    if moment.tzinfo is None:
        raise ValueError("INTERNALDATE needs a time zone")
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    month = MONTHS[moment.month - 1].title()
    day = f"{moment.day:2d}-{month}-{moment.year:04d}"
    time = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return f'"{day} {time} {sign}{minutes // 60:02d}{minutes % 60:02d}"'.encode("ascii")


def sequence_set(numbers: Iterable[int], *, sort: bool = True) -> str:
    """Compress numbers into ranges (``1:3,5,7:9``).

    With ``sort=False`` the order is kept and only ascending runs are joined, as COPYUID needs: its source and
    destination sets pair up element by element (RFC 4315 §3).
    """
    if sort:
        return str(SequenceSet.of(numbers))
    parts: list[str] = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}:{previous}")
    return ",".join(parts)
