"""The index of a message, computed once at delivery: what IMAP and the webmail need without reparsing it.

It holds the RFC 9051 §7.5.2 ENVELOPE, BODY and BODYSTRUCTURE (as nested values and already serialised), the
byte ranges of every body part with its IMAP part number (for BODY[section] and BINARY[section], RFC 9051
§6.4.5 and RFC 3516), and the decoded fields search and display use. The raw message is never rewritten; every
offset points into it.

:func:`index_message` never raises: missing or broken headers, bare LF line endings, NUL octets, invalid UTF-8
or broken MIME structure give a best-effort index (see :mod:`congvu.mail.mime`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property

from congvu.errors import InvalidInput
from congvu.mail.headers import decode_header_value, parse_date
from congvu.mail.mime import PartSpan, number_parts, parse_entity
from congvu.mail.searchfields import (
    AttachmentInfo,
    address_display,
    attachments,
    body_text,
    header_text,
    message_ids,
)
from congvu.mail.structure import body_structure, envelope
from congvu.mail.wire import ImapValue, render

__all__ = ["MessageIndex", "find_part", "index_message", "parts_from_json", "parts_to_json"]


@dataclass(frozen=True)
class MessageIndex:
    """Everything computed from one raw message. ``parts`` starts with the whole message as part ""."""

    size: int
    envelope: tuple[ImapValue, ...]
    body: tuple[ImapValue, ...]
    bodystructure: tuple[ImapValue, ...]
    envelope_wire: bytes
    body_wire: bytes
    bodystructure_wire: bytes
    date: datetime | None
    subject: str
    from_: str
    to: str
    cc: str
    bcc: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    header_text: str
    body_text: str
    attachments: tuple[AttachmentInfo, ...]
    has_attachments: bool
    parts: tuple[PartSpan, ...]

    def find_part(self, number: str) -> PartSpan | None:
        """The part with IMAP part number ``number`` ("" is the whole message), or ``None``."""
        return self._by_number.get(number)

    @cached_property
    def _by_number(self) -> dict[str, PartSpan]:
        return {span.part: span for span in self.parts}


def find_part(parts: tuple[PartSpan, ...], number: str) -> PartSpan | None:
    """The part with IMAP part number ``number`` among ``parts``, or ``None``."""
    for span in parts:
        if span.part == number:
            return span
    return None


def index_message(raw: bytes) -> MessageIndex:
    """Index ``raw``, the message exactly as stored."""
    top = parse_entity(raw, 0, len(raw))
    header = top.header
    parts = number_parts(raw, top)
    env = envelope(header)
    body = body_structure(raw, top, extensible=False)
    structure = body_structure(raw, top, extensible=True)
    date_value = header.value("date")
    found = attachments(raw, parts)
    ids = message_ids(header.value("message-id"))
    replied = message_ids(header.value("in-reply-to"))
    return MessageIndex(
        size=len(raw),
        envelope=env,
        body=body,
        bodystructure=structure,
        envelope_wire=render(env),
        body_wire=render(body),
        bodystructure_wire=render(structure),
        date=parse_date(decode_header_value(date_value)) if date_value else None,
        subject=decode_header_value(header.value("subject") or b""),
        from_=address_display(header, "from"),
        to=address_display(header, "to"),
        cc=address_display(header, "cc"),
        bcc=address_display(header, "bcc"),
        message_id=ids[0] if ids else None,
        in_reply_to=replied[0] if replied else None,
        references=message_ids(header.value("references")),
        header_text=header_text(header),
        body_text=body_text(raw, top),
        attachments=found,
        has_attachments=bool(found),
        parts=parts,
    )


_SPAN_FIELDS = tuple(f.name for f in fields(PartSpan))


def parts_to_json(parts: tuple[PartSpan, ...]) -> str:
    """The part table as compact JSON, for storing beside the message."""
    # The fields taken directly (as asdict would give them, without its deep copy): this runs for every delivery.
    rows = [{name: getattr(span, name) for name in _SPAN_FIELDS} for span in parts]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def parts_from_json(text: str) -> tuple[PartSpan, ...]:
    """The part table back from :func:`parts_to_json`."""
    try:
        rows = json.loads(text)
        return tuple(
            PartSpan(**{**row, "params": tuple((str(k), str(v)) for k, v in row.get("params", ()))})
            for row in rows
        )
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidInput(
            "Bảng phần của thư không đọc được", message_en="Unreadable message part table"
        ) from error
