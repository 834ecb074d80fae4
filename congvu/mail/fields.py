"""Header blocks of a message or MIME part, split into fields with their byte offsets in the raw message.

RFC 5322 §2.2 (header fields, folding) and §2.1 (the empty line ending the header section); RFC 2045 §3 for
MIME part headers. The split is tolerant, like the readers of real mail: a line ending in LF alone ends a line
as well as CRLF; a line that is neither a field nor a continuation ends the header section there (the body
starts with that line, as when the separating empty line was forgotten); an mbox ``From `` line at the very
top is kept in the header section without being a field; a block that never reaches an empty line is all
header.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property

__all__ = ["HeaderBlock", "HeaderField", "split_header", "unfold"]

# RFC 5322 §3.6.8: field-name = 1*ftext, printable US-ASCII except ":", then (obs-) optional WSP before ":".
_FIELD_START = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_LINE_BREAKS = re.compile(rb"[\r\n]+")


@dataclass(frozen=True)
class HeaderField:
    """One header field: its name as written, its raw value and where the field lies in the message."""

    name: str
    value: bytes  # octets after the colon up to the field's final line ending, folding kept
    start: int  # offset of the field's first octet
    end: int  # offset just past its last line ending

    @property
    def key(self) -> str:
        """The name folded for comparison (field names are case-insensitive, RFC 5322 §1.2.2)."""
        # Not cached: lowering a short name costs less than a cached_property's lookup.
        return self.name.lower()


@dataclass(frozen=True)
class HeaderBlock:
    """The header section from ``start`` to ``end``, where the body begins (empty line included)."""

    start: int
    end: int
    fields: tuple[HeaderField, ...]
    separated: bool  # whether an empty line ended the section

    def first(self, name: str) -> HeaderField | None:
        """The first field with this name, or ``None``."""
        return self._first_by_key.get(name.lower())

    @cached_property
    def _first_by_key(self) -> dict[str, HeaderField]:
        # Indexing a message asks for a dozen fields by name: one pass over the fields answers them all.
        found: dict[str, HeaderField] = {}
        for field in self.fields:
            found.setdefault(field.key, field)
        return found

    def value(self, name: str) -> bytes | None:
        """The unfolded value of the first field with this name, or ``None`` when absent."""
        field = self.first(name)
        return None if field is None else unfold(field.value)

    def all(self, name: str) -> tuple[HeaderField, ...]:
        """Every field with this name, in order."""
        key = name.lower()
        return tuple(field for field in self.fields if field.key == key)


def unfold(value: bytes) -> bytes:
    """RFC 5322 §2.2.3 unfolding: breaks before white space go, stray breaks become spaces, ends trimmed."""
    value = _FOLD.sub(b"", value)
    value = _LINE_BREAKS.sub(b" ", value)
    return value.strip(b" \t")


class _LastSplit(threading.local):
    raw: bytes | None = None
    block: HeaderBlock | None = None


_last = _LastSplit()


def split_header(raw: bytes, start: int = 0, end: int | None = None) -> HeaderBlock:
    """Split the header section that begins at ``start`` (and ends no later than ``end``) into fields.

    The split of a whole message is remembered (per thread) for the same bytes object: checking a message on
    arrival (SPF/DKIM/DMARC/ARC, the server's own checks) asks for it several times in a row."""
    if start == 0 and end is None:
        if raw is _last.raw and _last.block is not None and type(raw) is bytes:
            return _last.block
        block = _split(raw, 0, None)
        _last.raw, _last.block = raw, block
        return block
    return _split(raw, start, end)


def _split(raw: bytes, start: int, end: int | None) -> HeaderBlock:
    stop = len(raw) if end is None else end
    fields: list[HeaderField] = []
    name: str | None = None
    field_start = value_start = start
    pos = start

    def close(at: int) -> None:
        if name is not None:
            value_end = at
            if value_end > value_start and raw[value_end - 1 : value_end] == b"\n":
                value_end -= 1
                if value_end > value_start and raw[value_end - 1 : value_end] == b"\r":
                    value_end -= 1
            fields.append(HeaderField(name, raw[value_start:value_end], field_start, at))

    while pos < stop:
        newline = raw.find(b"\n", pos, stop)
        line_end = stop if newline < 0 else newline + 1
        line = raw[pos:line_end]
        if line in (b"\n", b"\r\n"):
            close(pos)
            return HeaderBlock(start, line_end, tuple(fields), True)
        if line[:1] in (b" ", b"\t") and name is not None:
            pos = line_end
            continue
        match = _FIELD_START.match(line)
        if match is not None:
            close(pos)
            name = match.group(1).decode("latin-1")
            field_start, value_start = pos, pos + match.end()
        elif pos == start and line.startswith(b"From "):
            pass
        else:
            close(pos)
            return HeaderBlock(start, pos, tuple(fields), False)
        pos = line_end
    close(stop)
    return HeaderBlock(start, stop, tuple(fields), False)
