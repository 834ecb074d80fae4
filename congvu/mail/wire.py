"""IMAP wire serialisation of values: NIL, numbers, atoms, quoted strings, literals and lists.

RFC 9051 §4 (data formats) and §9 (formal syntax): ``nstring``, ``astring``, ``quoted``, ``literal``,
parenthesised lists. The precomputed ENVELOPE and BODYSTRUCTURE use these, and the IMAP server reuses them for
every response it writes.

A nested IMAP value (:data:`ImapValue`) is ``None`` (NIL), an ``int`` (number), ``bytes`` (string), or a tuple
of values. A plain tuple is written as a parenthesised list separated by spaces. Two tuple subclasses cover
the places where the grammar puts items side by side with no separator: :class:`Adjoined` (``"(" 1*address
")"`` in the envelope) and :class:`Spliced` (the ``1*body`` run at the head of a multipart body structure).

Strings are written quoted when they are short 7-bit text, and as literals otherwise: a value with CR, LF or
8-bit octets can only travel as a literal to an IMAP4rev1 client that has not enabled UTF-8 (RFC 3501 §4.3,
RFC 9051 §4.3), and long values read better as literals.
"""

from __future__ import annotations

import re

__all__ = [
    "QUOTED_MAX_OCTETS",
    "Adjoined",
    "ImapValue",
    "Spliced",
    "astring",
    "literal",
    "nstring",
    "number",
    "quoted",
    "render",
    "string",
]

# Above this length a string goes out as a literal even when it could be quoted.
QUOTED_MAX_OCTETS = 1000

# RFC 9051 §9: ATOM-CHAR is any CHAR except atom-specials; ASTRING-CHAR adds "]".
_ASTRING = re.compile(rb"[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c-\x7e]+\Z")
# RFC 9051 §9: TEXT-CHAR is any 7-bit CHAR except CR and LF (and NUL, which no string may carry).
_QUOTABLE = re.compile(rb"[\x01-\x09\x0b\x0c\x0e-\x7f]*\Z")
_U63_MAX = 2**63 - 1


class Adjoined(tuple):  # type: ignore[type-arg]
    """A parenthesised list whose items are written with no space between them (``"(" 1*address ")"``)."""

    __slots__ = ()


class Spliced(tuple):  # type: ignore[type-arg]
    """Items written one after the other with neither parentheses nor spaces (``1*body`` of a multipart)."""

    __slots__ = ()


ImapValue = bytes | int | None | tuple["ImapValue", ...]


def number(value: int) -> bytes:
    """An IMAP ``number64`` (RFC 9051 §4.2): a non-negative decimal integer."""
    if value < 0 or value > _U63_MAX:
        raise ValueError(f"số ngoài phạm vi IMAP: {value}")
    return str(value).encode("ascii")


def quoted(value: bytes) -> bytes:
    """A quoted string (RFC 9051 §4.3): only for 7-bit values without CR, LF or NUL."""
    if not _QUOTABLE.match(value):
        raise ValueError("chuỗi có CR, LF, NUL hoặc byte 8 bit không thể viết trong dấu nháy kép")
    return b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def literal(value: bytes, *, binary: bool = False, non_sync: bool = False) -> bytes:
    """A literal ``{n}CRLF<octets>`` (RFC 9051 §4.3), or ``literal8`` ``~{n}`` if ``binary`` (RFC 3516 §4.2).

    ``non_sync`` writes the ``{n+}`` form a client may send without waiting (RFC 7888); servers never need it.
    """
    plus = b"+" if non_sync else b""
    prefix = b"~{" if binary else b"{"
    return prefix + str(len(value)).encode("ascii") + plus + b"}\r\n" + value


def string(value: bytes) -> bytes:
    """A string, quoted when it can be and short enough, otherwise a literal."""
    if len(value) <= QUOTED_MAX_OCTETS and _QUOTABLE.match(value):
        return quoted(value)
    return literal(value)


def nstring(value: bytes | None) -> bytes:
    """``nstring`` (RFC 9051 §9): ``NIL`` for ``None``, otherwise a string."""
    return b"NIL" if value is None else string(value)


def astring(value: bytes) -> bytes:
    """``astring`` (RFC 9051 §9): a bare atom when every octet is an ASTRING-CHAR, otherwise a string."""
    if _ASTRING.match(value) and value.upper() != b"NIL":
        return value
    return string(value)


def render(value: ImapValue) -> bytes:
    """Serialise a nested IMAP value; see the module docstring for the meaning of each Python type."""
    out: list[bytes] = []
    _render_into(value, out)
    return b"".join(out)


def _render_into(value: ImapValue, out: list[bytes]) -> None:
    if value is None:
        out.append(b"NIL")
    elif isinstance(value, bool):
        raise TypeError("giá trị bool không có dạng IMAP")
    elif isinstance(value, int):
        out.append(number(value))
    elif isinstance(value, bytes):
        out.append(string(value))
    elif isinstance(value, Spliced):
        for item in value:
            _render_into(item, out)
    elif isinstance(value, Adjoined):
        out.append(b"(")
        for item in value:
            _render_into(item, out)
        out.append(b")")
    elif isinstance(value, tuple):
        out.append(b"(")
        for position, item in enumerate(value):
            if position:
                out.append(b" ")
            _render_into(item, out)
        out.append(b")")
    else:
        raise TypeError(f"không có dạng IMAP cho {type(value).__name__}")
