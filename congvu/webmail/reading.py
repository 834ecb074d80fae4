"""A stored message made readable: its header fields decoded, the body a person should see, the attachments.

Which body (RFC 2046): of a multipart/alternative the richest part we can show (HTML over plain text, §5.1.4);
of a multipart/related its root (RFC 2387 §3.2, first part unless ``start`` says otherwise); of a
multipart/mixed every inline text part in order (§5.1.3). Encapsulated messages and parts marked as
attachments (RFC 2183) are listed as files, not shown.

Text written in a legacy Vietnamese encoding (TCVN3/ABC, VNI-Windows, VISCII…; TCVN 6909:2001 requires Unicode)
is recognised and converted, so old mail-merge and office software still reads correctly; the view says which
encoding it was. HTML goes through :func:`congvu.webmail.safehtml.sanitise`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from congvu.mail.charsets import decode_text
from congvu.mail.content import UnknownTransferEncoding, decode_transfer, html_to_text
from congvu.mail.fields import HeaderBlock, split_header
from congvu.mail.headers import decode_header_value, parse_addresses, parse_date
from congvu.mail.mime import PartSpan
from congvu.mail.searchfields import attachments, message_ids
from congvu.vntext.legacy import LegacyEncoding, decode_legacy, detect_legacy
from congvu.webmail.filenames import safe_filename
from congvu.webmail.safehtml import sanitise, text_to_html

Address = tuple[str, str]
# Encodings whose conversion leaves ASCII alone, so markup survives it (VIQR spells marks with ASCII).
_MARKUP_SAFE = frozenset({LegacyEncoding.TCVN3, LegacyEncoding.VNI_WINDOWS, LegacyEncoding.VISCII,
                          LegacyEncoding.CP1258, LegacyEncoding.UTF8_AS_CP1252})
_NOT_LEGACY = frozenset({LegacyEncoding.UNICODE, LegacyEncoding.CP1252})
LEGACY_NAMES = {LegacyEncoding.TCVN3: "TCVN3 (ABC)", LegacyEncoding.VNI_WINDOWS: "VNI-Windows",
                LegacyEncoding.VIQR: "VIQR", LegacyEncoding.VISCII: "VISCII", LegacyEncoding.CP1258: "Windows-1258",
                LegacyEncoding.UTF8_AS_CP1252: "UTF-8 (hiển thị sai)"}
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MIN_LEGACY_CONFIDENCE = 0.5


@dataclass(frozen=True)
class AttachmentView:
    part: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class MessageView:
    subject: str
    from_: tuple[Address, ...]
    sender: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    html: str  # safe markup of the body
    text: str  # the body as plain text (for quoting in a reply)
    blocked_images: int
    legacy: str | None  # the legacy encoding the text was converted from, for the reader's information
    attachments: tuple[AttachmentView, ...]


def _addresses(header: HeaderBlock, name: str) -> tuple[Address, ...]:
    value = header.value(name)
    if not value:
        return ()
    return tuple((display, address) for display, address in parse_addresses(decode_text(value, None)) if address)


def _children(spans: dict[str, PartSpan], number: str) -> list[PartSpan]:
    prefix = f"{number}." if number else ""
    depth = number.count(".") + 1 if number else 0
    found = [s for s in spans.values() if s.part.startswith(prefix) and s.part and s.part.count(".") == depth
             and s.part != number]
    return sorted(found, key=lambda s: tuple(int(n) for n in s.part.split(".")))


def _shown(span: PartSpan) -> bool:
    return (span.content_type in ("text/plain", "text/html") and span.disposition != "attachment"
            and not (span.filename and span.disposition != "inline"))


def body_parts(parts: tuple[PartSpan, ...], cids: dict[str, str] | None = None) -> list[PartSpan]:
    """The text parts to show, in order (see the module notes); ``cids`` resolves a related part's ``start``."""
    spans = {span.part: span for span in parts}
    root = spans.get("")
    if root is None:
        return []
    if not root.is_multipart:
        single = spans.get("1")
        return [single] if single is not None and single.content_type.startswith("text/") else []

    def pick(span: PartSpan) -> list[PartSpan]:
        if span.is_message:
            return []
        if not span.is_multipart:
            return [span] if _shown(span) else []
        children = _children(spans, span.part)
        subtype = span.content_type.partition("/")[2]
        if subtype == "alternative":
            for child in reversed(children):
                chosen = pick(child)
                if chosen:
                    return chosen
            return []
        if subtype == "related" and children:
            start = (dict(span.params).get("start") or "").strip().strip("<>")
            wanted = (cids or {}).get(start)
            return pick(next((c for c in children if c.part == wanted), children[0]))
        return [piece for child in children for piece in pick(child)]

    return pick(root)


def content_ids(raw: bytes, parts: tuple[PartSpan, ...]) -> dict[str, str]:
    """Content-ID (without brackets) → part number, for ``cid:`` references (RFC 2392)."""
    found: dict[str, str] = {}
    for span in parts:
        if not span.part or span.is_multipart:
            continue
        value = split_header(raw, span.header_start, span.header_end).value("content-id")
        if value:
            cid = value.decode("latin-1").strip().strip("<>").strip()
            if cid:
                found.setdefault(cid, span.part)
    return found


def decoded_part(raw: bytes, span: PartSpan) -> bytes:
    data = raw[span.body_start:span.body_end]
    try:
        return decode_transfer(data, span.encoding)
    except UnknownTransferEncoding:
        return data


def _unlegacy(text: str, *, markup: str | None = None) -> tuple[str, LegacyEncoding | None]:
    """``text`` (or ``markup``, judged by its visible ``text``) converted from a legacy encoding if it is one."""
    found = detect_legacy(text)
    if found.encoding in _NOT_LEGACY or found.confidence < MIN_LEGACY_CONFIDENCE:
        return (markup if markup is not None else text), None
    if markup is not None:
        if found.encoding not in _MARKUP_SAFE:
            return markup, None
        return decode_legacy(markup, found.encoding), found.encoding
    return found.text, found.encoding


def read_message(raw: bytes, parts: tuple[PartSpan, ...], *, part_url: Callable[[str], str],
                 allow_remote: bool = False) -> MessageView:
    """The view of ``raw``; ``part_url`` gives the address our site serves a part at (for pictures)."""
    header = split_header(raw)
    cids = content_ids(raw, parts)
    html_pieces: list[str] = []
    text_pieces: list[str] = []
    blocked = 0
    legacy: LegacyEncoding | None = None
    for span in body_parts(parts, cids):
        data = decoded_part(raw, span)
        if span.content_type == "text/html":
            source = decode_text(data, span.charset or _meta_charset(data))
            safe = sanitise(source, cid_url=lambda cid: part_url(cids[cid]) if cid in cids else None,
                            allow_remote=allow_remote)
            visible = html_to_text(safe.markup)
            markup, converted = _unlegacy(visible, markup=safe.markup)
            if converted is not None:
                visible = html_to_text(markup)
            html_pieces.append(markup)
            text_pieces.append(visible)
            blocked += safe.blocked_images
        else:
            text = decode_text(data, span.charset).replace("\r\n", "\n").replace("\x00", "")
            text, converted = _unlegacy(text)
            html_pieces.append(f'<div class="plain">{text_to_html(text)}</div>')
            text_pieces.append(text)
        legacy = legacy or converted
    subject = decode_header_value(header.value("subject") or b"")
    fixed_subject, subject_legacy = _unlegacy(subject)
    date_value = header.value("date")
    listed = tuple(AttachmentView(a.part_path, safe_filename(a.filename), a.content_type, a.size)
                   for a in attachments(raw, parts))
    return MessageView(
        subject=fixed_subject, from_=_addresses(header, "from"), sender=_addresses(header, "sender"),
        to=_addresses(header, "to"), cc=_addresses(header, "cc"), bcc=_addresses(header, "bcc"),
        reply_to=_addresses(header, "reply-to"),
        date=parse_date(decode_header_value(date_value)) if date_value else None,
        message_id=(message_ids(header.value("message-id")) or (None,))[0],
        in_reply_to=(message_ids(header.value("in-reply-to")) or (None,))[0],
        references=message_ids(header.value("references")),
        html="\n".join(html_pieces), text=unicodedata.normalize("NFC", "\n\n".join(t.strip() for t in text_pieces)),
        blocked_images=blocked, legacy=LEGACY_NAMES.get(legacy or subject_legacy) if (legacy or subject_legacy)
        else None, attachments=listed)


def _meta_charset(data: bytes) -> str | None:
    head = data[:4096].lower()
    at = head.find(b"charset=")
    if at < 0:
        return None
    value = head[at + 8:at + 40].lstrip(b"\"' ")
    end = next((i for i, ch in enumerate(value) if chr(ch) in "\"'>; /"), len(value))
    return value[:end].decode("ascii", "ignore") or None


def find_span(parts: tuple[PartSpan, ...], number: str) -> PartSpan | None:
    return next((span for span in parts if span.part == number), None)
