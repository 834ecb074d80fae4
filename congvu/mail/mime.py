"""The MIME tree of a raw message as byte ranges, and the IMAP part numbers of its entities.

RFC 2045 §5 (Content-Type, with the text/plain; charset=us-ascii default of §5.2), §6
(Content-Transfer-Encoding), RFC 2046 §5.1 (multipart: delimiter lines, the CRLF before a delimiter belongs to
the delimiter, preamble and epilogue, multipart/digest's message/rfc822 default), §5.2 (message/rfc822), RFC
6532 §3.7 (message/global), and RFC 9051 §6.4.5 for numbering: the parts of a multipart are 1, 2, …; a
message/rfc822 part's own parts hang under its number; a part that is not multipart has the single part 1 (so
a plain message's body is part 1).

Nothing is copied or decoded: every entity is a set of offsets into the message, which is never re-serialised.
Broken input yields a best-effort tree: a multipart without boundary reads as text/plain; a delimiter that
never closes runs to the end; nesting deeper than :data:`MAX_DEPTH` or beyond :data:`MAX_ENTITIES` entities is
left as opaque application/octet-stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from congvu.mail.fields import HeaderBlock, split_header
from congvu.mail.params import MediaType, merged_params, param_text, parse_disposition, parse_media_type

__all__ = [
    "MAX_DEPTH",
    "MAX_ENTITIES",
    "Entity",
    "PartSpan",
    "number_parts",
    "parse_entity",
    "split_multipart",
]

MAX_DEPTH = 60
MAX_ENTITIES = 5000

_TEXT_PLAIN = MediaType("text", "plain", ())
_RFC822 = MediaType("message", "rfc822", ())
_OPAQUE = MediaType("application", "octet-stream", ())
_MESSAGE_SUBTYPES = frozenset({"rfc822", "global"})
_ENCODING_TOKEN = re.compile(rb"[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*(?:\(|;|\Z)")


@dataclass(frozen=True)
class Entity:
    """One MIME entity: header block, body range, effective media type, children or encapsulated message."""

    header: HeaderBlock
    body_end: int
    media: MediaType
    encoding: str  # lower-case Content-Transfer-Encoding, "7bit" when absent
    children: tuple[Entity, ...] = ()
    message: Entity | None = None

    @property
    def body_start(self) -> int:
        return self.header.end

    @property
    def is_multipart(self) -> bool:
        return self.media.maintype == "multipart"


@dataclass(frozen=True)
class PartSpan:
    """Where one IMAP body part lies in the raw message (RFC 9051 §6.4.5 part numbering).

    ``part`` is the IMAP part number ("1", "1.2", …; "" is the whole message). The header range is the part's
    MIME header (for "" and for part 1 of a non-multipart message, the message header); the body range is the
    part's content as transferred. For message/rfc822 parts ``message_header_end`` ends the encapsulated
    message's header, which runs from ``body_start``. ``params`` are decoded (RFC 2231 and 2047), names
    lower-case.
    """

    part: str
    header_start: int
    header_end: int
    body_start: int
    body_end: int
    content_type: str
    params: tuple[tuple[str, str], ...]
    encoding: str
    disposition: str | None = None
    filename: str | None = None
    is_multipart: bool = False
    message_header_end: int | None = None

    @property
    def size(self) -> int:
        """Octets of the body as transferred."""
        return self.body_end - self.body_start

    @property
    def charset(self) -> str | None:
        return dict(self.params).get("charset")

    @property
    def is_message(self) -> bool:
        """Whether the part encapsulates a message (message/rfc822 or message/global)."""
        return self.message_header_end is not None


def _delimiters(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int, bool]]:
    """(line start, line end including its break, closing?) of each delimiter line (RFC 2046 §5.1.1)."""
    pattern = re.compile(rb"^--" + re.escape(boundary) + rb"(--)?[ \t]*\r?$", re.MULTILINE)
    found: list[tuple[int, int, bool]] = []
    for match in pattern.finditer(raw, start, end):
        if match.start() != start and raw[match.start() - 1 : match.start()] != b"\n":
            continue
        line_end = match.end()
        if line_end < end and raw[line_end : line_end + 1] == b"\n":
            line_end += 1
        found.append((match.start(), line_end, match.group(1) is not None))
        if match.group(1) is not None:
            break
    return found


def _content_end(raw: bytes, start: int, delimiter: int) -> int:
    """Where a part ends: before the line break that precedes the next delimiter line."""
    end = delimiter
    if end > start and raw[end - 1 : end] == b"\n":
        end -= 1
        if end > start and raw[end - 1 : end] == b"\r":
            end -= 1
    return end


def split_multipart(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int]]:
    """The (start, end) content ranges of the body parts of a multipart body."""
    delimiters = _delimiters(raw, start, end, boundary)
    ranges: list[tuple[int, int]] = []
    for position, (_line_start, line_end, closing) in enumerate(delimiters):
        if closing:
            break
        following = delimiters[position + 1][0] if position + 1 < len(delimiters) else None
        part_end = end if following is None else _content_end(raw, line_end, following)
        ranges.append((line_end, max(line_end, part_end)))
    return ranges


def parse_entity(
    raw: bytes,
    start: int,
    end: int,
    default: MediaType = _TEXT_PLAIN,
    depth: int = 0,
    budget: list[int] | None = None,
) -> Entity:
    """Parse the entity in ``raw[start:end]`` and everything inside it."""
    budget = [MAX_ENTITIES] if budget is None else budget
    budget[0] -= 1
    header = split_header(raw, start, end)
    content_type = header.value("content-type")
    media = parse_media_type(content_type) if content_type is not None else None
    media = media or default
    encoding_value = header.value("content-transfer-encoding")
    # RFC 2045 §6.1: the mechanism is one token (comments after it are ignored); a value that is no token at
    # all is read as 7bit, as common servers do.
    token = _ENCODING_TOKEN.match(encoding_value or b"")
    encoding = token.group(1).decode("ascii").lower() if token else "7bit"
    exhausted = depth >= MAX_DEPTH or budget[0] <= 0
    if media.maintype == "multipart":
        boundary = dict(merged_params(media.params)).get("boundary")
        if not boundary:
            media = MediaType("text", "plain", media.params)
        elif exhausted:
            media = _OPAQUE
        else:
            child_default = _RFC822 if media.subtype == "digest" else _TEXT_PLAIN
            children = tuple(
                parse_entity(raw, part_start, part_end, child_default, depth + 1, budget)
                for part_start, part_end in split_multipart(raw, header.end, end, boundary)
                if budget[0] > 0
            )
            return Entity(header, end, media, encoding, children=children)
    if media.maintype == "message" and media.subtype in _MESSAGE_SUBTYPES:
        if exhausted:
            return Entity(header, end, _OPAQUE, encoding)
        inner = parse_entity(raw, header.end, end, _TEXT_PLAIN, depth + 1, budget)
        return Entity(header, end, media, encoding, message=inner)
    return Entity(header, end, media, encoding)


def _span(raw: bytes, number: str, entity: Entity) -> PartSpan:
    names = {param.name.split("*", 1)[0] for param in entity.media.params}
    params = tuple(
        (name, text) for name in sorted(names) if (text := param_text(entity.media.params, name)) is not None
    )
    disposition_value = entity.header.value("content-disposition")
    disposition = parse_disposition(disposition_value) if disposition_value else None
    filename = param_text(disposition[1], "filename") if disposition else None
    filename = filename or param_text(entity.media.params, "name")
    return PartSpan(
        part=number,
        header_start=entity.header.start,
        header_end=entity.header.end,
        body_start=entity.body_start,
        body_end=entity.body_end,
        content_type=entity.media.full,
        params=params,
        encoding=entity.encoding,
        disposition=disposition[0] if disposition else None,
        filename=filename or None,
        is_multipart=entity.is_multipart,
        message_header_end=entity.message.header.end if entity.message is not None else None,
    )


def _empty_span(number: str, at: int) -> PartSpan:
    # RFC 9051 §7.5.2 wants one body at least in a multipart; an empty text part stands in.
    return PartSpan(number, at, at, at, at, "text/plain", (("charset", "us-ascii"),), "7bit")


def _walk(raw: bytes, entity: Entity, number: str, out: list[PartSpan]) -> None:
    out.append(_span(raw, number, entity))
    if entity.is_multipart:
        _walk_children(raw, entity, number, out)
    elif entity.message is not None:
        _walk_message(raw, entity.message, number, out)


def _walk_children(raw: bytes, entity: Entity, number: str, out: list[PartSpan]) -> None:
    prefix = f"{number}." if number else ""
    if not entity.children:
        out.append(_empty_span(f"{prefix}1", entity.body_end))
    for position, child in enumerate(entity.children, start=1):
        _walk(raw, child, f"{prefix}{position}", out)


def _walk_message(raw: bytes, inner: Entity, number: str, out: list[PartSpan]) -> None:
    if inner.is_multipart:
        _walk_children(raw, inner, number, out)
    else:
        _walk(raw, inner, f"{number}.1" if number else "1", out)


def number_parts(raw: bytes, top: Entity) -> tuple[PartSpan, ...]:
    """Every IMAP body part of the message, the whole message first as part ""."""
    out = [_span(raw, "", top)]
    _walk_message(raw, top, "", out)
    return tuple(out)
