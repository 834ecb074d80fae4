"""FETCH data items (RFC 9051 §6.4.5, RFC 3501 §6.4.5 for the RFC822.* forms, BINARY of RFC 3516, MODSEQ of
RFC 7162 §3.1.4): typed attributes, body sections and partial ranges, and their labels in FETCH responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from congvu.imap.grammar import ATOM_CHARS, Cursor

SIMPLE_ATTRIBUTES = frozenset(
    {
        "ENVELOPE",
        "FLAGS",
        "INTERNALDATE",
        "RFC822",
        "RFC822.HEADER",
        "RFC822.SIZE",
        "RFC822.TEXT",
        "BODY",
        "BODYSTRUCTURE",
        "UID",
        "MODSEQ",
    }
)
# RFC 9051 §6.4.5: the three macros, each equivalent to a list of attributes.
MACROS = {
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"),
}
_NAME_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"
MAX_HEADER_FIELDS = 200


class SectionText(StrEnum):
    HEADER = "HEADER"
    HEADER_FIELDS = "HEADER.FIELDS"
    HEADER_FIELDS_NOT = "HEADER.FIELDS.NOT"
    TEXT = "TEXT"
    MIME = "MIME"


@dataclass(frozen=True)
class Section:
    """``section-spec``: a MIME part path (``1.2``) and/or a text specifier; empty means the whole message."""

    part: tuple[int, ...] = ()
    text: SectionText | None = None
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        pieces = [".".join(str(n) for n in self.part)] if self.part else []
        if self.text is not None:
            pieces.append(self.text.value)
        spec = ".".join(pieces)
        if self.fields:
            spec += " (" + " ".join(_field_label(f) for f in self.fields) + ")"
        return spec


@dataclass(frozen=True)
class Partial:
    """``<offset.length>``: octets ``offset`` to ``offset+length-1`` of the section."""

    offset: int
    length: int


@dataclass(frozen=True)
class FetchSimple:
    """An attribute without arguments: ENVELOPE, FLAGS, UID, RFC822.SIZE, BODYSTRUCTURE, MODSEQ, …"""

    name: str

    @property
    def label(self) -> str:
        return self.name

    @property
    def sets_seen(self) -> bool:
        # RFC 3501 §6.4.5: RFC822 and RFC822.TEXT are BODY[] and BODY[TEXT], which set \Seen.
        return self.name in ("RFC822", "RFC822.TEXT")


@dataclass(frozen=True)
class FetchBody:
    """BODY[section]<partial> or BODY.PEEK[…] (``peek``: do not set \\Seen)."""

    section: Section
    partial: Partial | None = None
    peek: bool = False

    @property
    def label(self) -> str:
        # RFC 9051 §7.5.2: the response names BODY (never .PEEK) and only the origin octet of a partial.
        origin = f"<{self.partial.offset}>" if self.partial else ""
        return f"BODY[{self.section}]{origin}"

    @property
    def sets_seen(self) -> bool:
        return not self.peek


@dataclass(frozen=True)
class FetchBinary:
    """BINARY[part]<partial> or BINARY.PEEK (RFC 3516 §4.2): the part with its transfer encoding removed."""

    part: tuple[int, ...] = ()
    partial: Partial | None = None
    peek: bool = False

    @property
    def label(self) -> str:
        origin = f"<{self.partial.offset}>" if self.partial else ""
        return f"BINARY[{'.'.join(str(n) for n in self.part)}]{origin}"

    @property
    def sets_seen(self) -> bool:
        return not self.peek


@dataclass(frozen=True)
class FetchBinarySize:
    """BINARY.SIZE[part] (RFC 3516 §4.2): the decoded size of the part."""

    part: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return f"BINARY.SIZE[{'.'.join(str(n) for n in self.part)}]"

    @property
    def sets_seen(self) -> bool:
        return False


FetchAttribute = FetchSimple | FetchBody | FetchBinary | FetchBinarySize


def _field_label(name: str) -> str:
    if name and all(ord(c) in ATOM_CHARS for c in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_attributes(cursor: Cursor) -> tuple[FetchAttribute, ...]:
    """``"ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")"``."""
    if cursor.peek() == 0x28:
        return tuple(cursor.paren_list(lambda: _attribute(cursor), allow_empty=False))
    start = cursor.pos
    name = cursor.word(_NAME_CHARS)
    if name in MACROS and not cursor.peek_is(b"[<"):
        return tuple(FetchSimple(n) for n in MACROS[name])
    cursor.pos = start
    return (_attribute(cursor),)


def _attribute(cursor: Cursor) -> FetchAttribute:
    name = cursor.word(_NAME_CHARS)
    if not name:
        cursor.fail(f"Cần mục FETCH ở vị trí {cursor.pos}", f"Expected a FETCH item at offset {cursor.pos}")
    if cursor.peek() == 0x5B:  # "["
        if name in ("BODY", "BODY.PEEK"):
            section = _section(cursor)
            return FetchBody(section, _partial(cursor), peek=name == "BODY.PEEK")
        if name in ("BINARY", "BINARY.PEEK"):
            part = _binary_part(cursor)
            return FetchBinary(part, _partial(cursor), peek=name == "BINARY.PEEK")
        if name == "BINARY.SIZE":
            return FetchBinarySize(_binary_part(cursor))
    elif name in SIMPLE_ATTRIBUTES:
        return FetchSimple(name)
    cursor.fail(f"Mục FETCH không hỗ trợ: {name}", f"Unsupported FETCH item: {name}")


def _part_numbers(cursor: Cursor) -> list[int]:
    numbers: list[int] = []
    while cursor.peek_is(b"123456789"):
        numbers.append(cursor.number(nonzero=True))
        if not cursor.take(b"."):
            break
        if not cursor.peek_is(b"0123456789"):
            cursor.pos -= 1  # the dot introduces a section text, not another part number
            break
    return numbers


def _section(cursor: Cursor) -> Section:
    """RFC 9051 §9 ``section = "[" [section-spec] "]"``."""
    cursor.expect(b"[")
    if cursor.take(b"]"):
        return Section()
    part = tuple(_part_numbers(cursor))
    text: SectionText | None = None
    fields: tuple[str, ...] = ()
    if not part or cursor.take(b"."):
        for candidate in (
            SectionText.HEADER_FIELDS_NOT,
            SectionText.HEADER_FIELDS,
            SectionText.HEADER,
            SectionText.TEXT,
            SectionText.MIME,
        ):
            if cursor.take(candidate.value.encode("ascii")):
                text = candidate
                break
        else:
            cursor.fail("Phần thư (section) không hợp lệ", "Invalid body section")
        if text is SectionText.MIME and not part:
            cursor.fail("MIME chỉ dùng sau số phần", "MIME needs a part number")
        if text in (SectionText.HEADER_FIELDS, SectionText.HEADER_FIELDS_NOT):
            cursor.sp()
            names = cursor.paren_list(lambda: cursor.text_astring("tên trường"), allow_empty=False)
            if len(names) > MAX_HEADER_FIELDS:
                cursor.fail("Quá nhiều tên trường", "Too many header field names")
            fields = tuple(names)
    cursor.expect(b"]")
    return Section(part, text, fields)


def _binary_part(cursor: Cursor) -> tuple[int, ...]:
    """RFC 3516 ``section-binary = "[" [section-part] "]"``."""
    cursor.expect(b"[")
    part = tuple(_part_numbers(cursor))
    cursor.expect(b"]")
    return part


def _partial(cursor: Cursor) -> Partial | None:
    if not cursor.take(b"<"):
        return None
    offset = cursor.number()
    cursor.expect(b".")
    # RFC 9051 makes the length nz-number; a zero length is answered with an empty string instead of BAD.
    length = cursor.number()
    cursor.expect(b">")
    return Partial(offset, length)
