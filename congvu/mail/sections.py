"""BODY[section] and BINARY[section] contents, cut from the raw message with the index's part table.

RFC 9051 §6.4.5 (RFC 3501 §6.4.5): the section is empty (the whole message) or a part number ``1.2.3``
optionally followed by a text specifier:

- ``HEADER``, ``HEADER.FIELDS (…)``, ``HEADER.FIELDS.NOT (…)`` and ``TEXT`` name the header or the body of the
  message, or of the message encapsulated in a message/rfc822 part when a part number comes first;
- ``MIME`` names the MIME header of the numbered part (never of the message itself);
- a bare part number names the part's content as transferred; for a message/rfc822 part, the whole
  encapsulated message; a message that is not multipart has part 1, its body.

The header subsets keep the matching fields as stored, in message order, and always end with the empty line
(field names compare case-insensitively). Partial fetches ``<offset.count>`` are the caller's slicing.

RFC 3516 §4.1: BINARY[part] is the part's content with its Content-Transfer-Encoding undone; BINARY.SIZE its
length.
"""

from __future__ import annotations

from dataclasses import dataclass

from congvu.errors import InvalidInput, NotFound
from congvu.mail.content import decode_transfer
from congvu.mail.fields import split_header
from congvu.mail.index import MessageIndex, find_part
from congvu.mail.mime import PartSpan

__all__ = ["TEXT_SPECIFIERS", "SectionSpec", "binary_size", "fetch_binary", "fetch_section"]

TEXT_SPECIFIERS = frozenset({"HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"})


@dataclass(frozen=True)
class SectionSpec:
    """A parsed section: part number (empty for the message), text specifier, HEADER.FIELDS names."""

    part: tuple[int, ...] = ()
    text: str | None = None
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.text is not None and self.text.upper() not in TEXT_SPECIFIERS:
            raise InvalidInput(
                f"Phần thư không hợp lệ: {self.text}", message_en=f"Invalid section text {self.text}"
            )
        if self.text is not None and self.text.upper() == "MIME" and not self.part:
            raise InvalidInput(
                "MIME phải đi sau số hiệu phần (RFC 9051 §6.4.5)",
                message_en="MIME needs a part number (RFC 9051 §6.4.5)",
            )
        if any(number < 1 for number in self.part):
            raise InvalidInput("Số hiệu phần phải từ 1 trở lên", message_en="Part numbers start at 1")


def _span(index: MessageIndex | tuple[PartSpan, ...], part: tuple[int, ...]) -> PartSpan:
    number = ".".join(str(n) for n in part)
    span = index.find_part(number) if isinstance(index, MessageIndex) else find_part(index, number)
    if span is None:
        raise NotFound(f"Thư không có phần {number}", message_en=f"No body part {number}")
    return span


def _header_fields(raw: bytes, start: int, end: int, names: tuple[str, ...], keep: bool) -> bytes:
    """The fields of the header in ``raw[start:end]`` whose names are (``keep``) or are not in ``names``."""
    block = split_header(raw, start, end)
    wanted = {name.lower() for name in names}
    out: list[bytes] = []
    for field in block.fields:
        if (field.key in wanted) == keep:
            data = raw[field.start : field.end]
            out.append(data if data.endswith(b"\n") else data + b"\r\n")
    out.append(b"\r\n")
    return b"".join(out)


def fetch_section(raw: bytes, index: MessageIndex | tuple[PartSpan, ...], section: SectionSpec) -> bytes:
    """The octets of BODY[section] (RFC 9051 §6.4.5); :class:`NotFound` when the part does not exist.

    HEADER, HEADER.FIELDS[.NOT] and TEXT after a part number need a message/rfc822 part
    (:class:`InvalidInput` otherwise).
    """
    text = section.text.upper() if section.text else None
    span = _span(index, section.part)
    if section.part and text is None:
        return raw[span.body_start : span.body_end]
    if text == "MIME":
        return raw[span.header_start : span.header_end]
    if not section.part:
        header_start, header_end, body_end = span.header_start, span.header_end, span.body_end
    elif span.message_header_end is not None:
        header_start, header_end, body_end = span.body_start, span.message_header_end, span.body_end
    else:
        raise InvalidInput(
            f"Phần {'.'.join(map(str, section.part))} không phải là thư đính kèm (message/rfc822)",
            message_en="HEADER and TEXT of a part need a message/rfc822 part",
        )
    if text is None:
        return raw[header_start:body_end]
    if text == "HEADER":
        return raw[header_start:header_end]
    if text == "TEXT":
        return raw[header_end:body_end]
    return _header_fields(raw, header_start, header_end, section.fields, keep=text == "HEADER.FIELDS")


def fetch_binary(raw: bytes, index: MessageIndex | tuple[PartSpan, ...], part: tuple[int, ...]) -> bytes:
    """The octets of BINARY[part] (RFC 3516 §4.1): content with its transfer encoding undone.

    Raises :class:`~congvu.mail.content.UnknownTransferEncoding` for an encoding that cannot be undone (the
    server answers ``NO [UNKNOWN-CTE]``) and :class:`NotFound` for a missing part.
    """
    span = _span(index, part)
    if not part:
        return raw
    content = raw[span.body_start : span.body_end]
    if span.is_multipart:
        return content
    return decode_transfer(content, span.encoding)


def binary_size(raw: bytes, index: MessageIndex | tuple[PartSpan, ...], part: tuple[int, ...]) -> int:
    """BINARY.SIZE[part] (RFC 3516 §4.2): the length of :func:`fetch_binary`."""
    return len(fetch_binary(raw, index, part))
