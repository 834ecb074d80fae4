"""What search and the webmail read from a message: decoded headers, body text and the list of attachments.

Body text is the text of text/plain parts and the visible text of text/html parts (RFC 2046 §4.1), charset
decoded; of the alternatives of a multipart/alternative (RFC 2046 §5.1.4) only the plain one is read when it
has text (otherwise the richest), so the same words are not indexed twice. Parts marked
``Content-Disposition: attachment`` (RFC 2183) are not body text.

An attachment is a leaf part that is not the message's own text: one marked as attachment, a part with a file
name, any non-text part, and encapsulated messages (RFC 2046 §5.2.1), which are listed once and not looked
into. Resources of a multipart/related (RFC 2387) referred to by Content-ID, such as pictures inside an HTML
body, are not attachments.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from congvu.mail.charsets import decode_text
from congvu.mail.content import UnknownTransferEncoding, decode_transfer, normalise_text, part_text
from congvu.mail.fields import HeaderBlock, split_header
from congvu.mail.headers import decode_header_value, format_address, parse_addresses
from congvu.mail.mime import Entity, PartSpan
from congvu.mail.params import parse_disposition

__all__ = [
    "MAX_BODY_TEXT_CHARS",
    "AttachmentInfo",
    "address_display",
    "attachments",
    "body_text",
    "header_text",
    "message_ids",
]

MAX_BODY_TEXT_CHARS = 1_000_000
_MESSAGE_ID = re.compile(rb"<[^<>\s]*>")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
# Trace and signature fields: long, machine-made, and no help to a person searching.
_NOISE_FIELDS = frozenset(
    {
        "received",
        "dkim-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "authentication-results",
        "received-spf",
        "x-google-dkim-signature",
    }
)


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment: its IMAP part number, decoded file name, media type and decoded size in octets."""

    part_path: str
    filename: str
    content_type: str
    size: int


def header_text(header: HeaderBlock) -> str:
    """Every header field but trace and signature fields, decoded, one ``Name: value`` per line."""
    lines = [
        f"{field.name}: {decode_header_value(field.value)}"
        for field in header.fields
        if field.key not in _NOISE_FIELDS
    ]
    return "\n".join(lines)


def address_display(header: HeaderBlock, name: str) -> str:
    """The decoded addresses of field ``name`` as ``Name <address>, …`` (empty when absent)."""
    value = header.value(name)
    if not value:
        return ""
    pairs = parse_addresses(decode_text(value, None))
    return ", ".join(format_address(display, address) for display, address in pairs)


def message_ids(value: bytes | None) -> tuple[str, ...]:
    """The ``<msg-id>`` tokens of a Message-ID, In-Reply-To or References value (RFC 5322 §3.6.4)."""
    if not value:
        return ()
    found = [token.decode("latin-1") for token in _MESSAGE_ID.findall(value) if len(token) > 2]
    if not found and value.strip():
        found = [decode_text(value.strip(), None)]
    return tuple(found)


def _disposition(entity: Entity) -> str | None:
    value = entity.header.value("content-disposition")
    parsed = parse_disposition(value) if value else None
    return parsed[0] if parsed else None


def _collect(raw: bytes, entity: Entity, chunks: list[str]) -> None:
    media = entity.media
    if entity.is_multipart:
        children = entity.children
        if media.subtype == "alternative" and children:
            # RFC 2046 §5.1.4: alternatives say the same thing; read the plain one unless it is empty.
            for child in children:
                if child.media.full == "text/plain":
                    plain: list[str] = []
                    _collect(raw, child, plain)
                    if any(chunk.strip() for chunk in plain):
                        chunks.extend(plain)
                        return
            children = (children[-1],)
        if not children:
            chunks.append(part_text(raw[entity.body_start : entity.body_end], "7bit", "plain", None))
        for child in children:
            _collect(raw, child, chunks)
    elif entity.message is not None:
        _collect(raw, entity.message, chunks)
    elif (
        media.maintype == "text"
        and media.subtype in ("plain", "html")
        and _disposition(entity) != "attachment"
    ):
        charset = next((p.value.decode("latin-1") for p in media.params if p.name == "charset"), None)
        data = raw[entity.body_start : entity.body_end]
        chunks.append(part_text(data, entity.encoding, media.subtype, charset))


def body_text(raw: bytes, top: Entity) -> str:
    """The searchable text of the message body, at most :data:`MAX_BODY_TEXT_CHARS` characters."""
    chunks: list[str] = []
    _collect(raw, top, chunks)
    text = "\n\n".join(chunk.strip() for chunk in chunks if chunk.strip())
    return text[:MAX_BODY_TEXT_CHARS]


def _safe_filename(name: str) -> str:
    name = re.split(r"[/\\]", name)[-1]
    return unicodedata.normalize("NFC", _UNSAFE_NAME.sub("", name)).strip()


def _parent(spans: dict[str, PartSpan], number: str) -> PartSpan | None:
    return spans.get(number.rsplit(".", 1)[0] if "." in number else "")


def _is_attachment(span: PartSpan, parent: PartSpan | None) -> bool:
    if span.is_message or span.disposition == "attachment":
        return True
    related = parent is not None and parent.content_type == "multipart/related"
    if related and not span.part.endswith(".1") and span.part != "1":
        return False
    if span.filename:
        return not (related and span.disposition == "inline")
    if span.content_type in ("text/plain", "text/html"):
        return False
    return span.size > 0


def _message_name(raw: bytes, span: PartSpan) -> str:
    inner = split_header(raw, span.body_start, span.body_end)
    subject = decode_header_value(inner.value("subject") or b"")
    return normalise_text(f"{_safe_filename(subject) or 'message'}.eml")


def attachments(raw: bytes, parts: tuple[PartSpan, ...]) -> tuple[AttachmentInfo, ...]:
    """The attachments of the message, in part order."""
    by_number = {span.part: span for span in parts}
    found: list[AttachmentInfo] = []
    inside_message: list[str] = []
    for span in parts:
        if not span.part or span.is_multipart:
            continue
        if any(span.part.startswith(prefix) for prefix in inside_message):
            continue
        if span.is_message:
            inside_message.append(span.part + ".")
        top_single = span.part == "1" and not by_number[""].is_multipart
        parent = None if top_single else _parent(by_number, span.part)
        if not _is_attachment(span, parent):
            continue
        try:
            size = len(decode_transfer(raw[span.body_start : span.body_end], span.encoding))
        except UnknownTransferEncoding:
            size = span.size
        filename = _safe_filename(span.filename or "")
        if not filename and span.is_message:
            filename = _message_name(raw, span)
        found.append(AttachmentInfo(span.part, filename, span.content_type, size))
    return tuple(found)
