"""Building outgoing messages, and completing submitted ones without touching what is already there.

RFC 5322 (fields, §3.6.1 Date, §3.6.4 Message-ID, In-Reply-To and References, CRLF lines), RFC 2045–2047 (MIME
structure, transfer encodings, encoded-words), RFC 2231 (non-ASCII file names), RFC 2183
(Content-Disposition), RFC 2387 (multipart/related for pictures an HTML body shows) and RFC 6409 §8.3 (a
submission server may add a missing Date and Message-ID).

Messages are UTF-8 throughout; text parts go as 7bit when plain ASCII, otherwise as quoted-printable or
base64, whichever is shorter, so no 8BITMIME hop can alter them after signing. Boundaries are derived from the
content, so the same input gives the same message apart from the generated Message-ID and Date.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from congvu.errors import InvalidInput
from congvu.mail.encoders import (
    base64_body,
    check_field_name,
    check_header_text,
    fold,
    mailbox_words,
    parameter,
    quoted_printable_body,
    unstructured_words,
)
from congvu.mail.fields import split_header
from congvu.mail.headers import parse_addresses

__all__ = [
    "AddressSpec",
    "Attachment",
    "build_message",
    "ensure_standard_headers",
    "make_message_id",
    "prepend_header",
]

AddressSpec = str | tuple[str, str]
"""An address as ``"Name <user@host>"`` / ``"user@host"``, or as a ``(name, address)`` pair."""


@dataclass(frozen=True)
class Attachment:
    """A file to attach; ``inline`` with a ``content_id`` is a picture the HTML body shows (cid:)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class _Part:
    headers: tuple[str, ...]
    body: bytes


def _domain_ascii(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii").lower() if not domain.isascii() else domain.lower()
    except UnicodeError as error:
        raise InvalidInput(
            f"Tên miền không hợp lệ: {domain}", message_en=f"Invalid domain {domain}"
        ) from error


def _address(spec: AddressSpec) -> tuple[str, str]:
    if isinstance(spec, tuple):
        name, address = spec
    else:
        pairs = parse_addresses(check_header_text(spec, "địa chỉ"))
        if len(pairs) != 1:
            raise InvalidInput(f"Địa chỉ thư không hợp lệ: {spec!r}", message_en=f"Invalid address {spec!r}")
        name, address = pairs[0]
    name = check_header_text(name, "tên hiển thị").strip()
    address = check_header_text(address, "địa chỉ").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c in address for c in ' <>()[],;:"\\'):
        raise InvalidInput(
            f"Địa chỉ thư không hợp lệ: {address!r}", message_en=f"Invalid address {address!r}"
        )
    return name, f"{local}@{_domain_ascii(domain)}"


def _address_field(name: str, specs: Sequence[AddressSpec]) -> str:
    words: list[str] = []
    for position, spec in enumerate(specs):
        mailbox = mailbox_words(*_address(spec))
        if position < len(specs) - 1:
            mailbox[-1] += ","
        words.extend(mailbox)
    return fold(name, words)


def make_message_id(domain: str) -> str:
    """A new globally unique ``<id@domain>`` (RFC 5322 §3.6.4)."""
    return f"<{uuid.uuid4().hex}@{_domain_ascii(domain)}>"


def _msg_id(value: str) -> str:
    value = check_header_text(value, "Message-ID").strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    if " " in value or value.count("<") != 1 or not value.endswith(">") or "@" not in value:
        raise InvalidInput(f"Message-ID không hợp lệ: {value!r}", message_en=f"Invalid Message-ID {value!r}")
    return value


def _date(value: datetime) -> str:
    return format_datetime(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


def _text_part(text: str, subtype: str) -> _Part:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    content_type = f"Content-Type: text/{subtype}; charset=utf-8"
    if text.isascii() and all(len(line) <= 998 for line in text.split("\n")):
        return _Part((content_type, "Content-Transfer-Encoding: 7bit"), text.replace("\n", "\r\n").encode())
    quoted = quoted_printable_body(text)
    encoded = base64_body(text.replace("\n", "\r\n").encode("utf-8"))
    if len(quoted) <= len(encoded):
        return _Part((content_type, "Content-Transfer-Encoding: quoted-printable"), quoted)
    return _Part((content_type, "Content-Transfer-Encoding: base64"), encoded)


def _media_type(value: str) -> str:
    value = check_header_text(value, "Content-Type").strip().lower()
    maintype, slash, subtype = value.partition("/")
    if not slash or not maintype.isascii() or not subtype.isascii() or " " in value or ";" in value:
        raise InvalidInput(
            f"Kiểu nội dung không hợp lệ: {value!r}", message_en=f"Invalid media type {value!r}"
        )
    return value


def _attachment_part(attachment: Attachment) -> _Part:
    media = _media_type(attachment.content_type)
    filename = check_header_text(attachment.filename, "tên tệp").strip() or "tep-dinh-kem"
    kind = "inline" if attachment.inline else "attachment"
    headers = [fold("Content-Type", [media + ";", *_joined(parameter("name", filename))])]
    headers.append(fold("Content-Disposition", [kind + ";", *_joined(parameter("filename", filename))]))
    if attachment.content_id:
        headers.append(f"Content-ID: {_msg_id(attachment.content_id)}")
    if media in ("message/rfc822", "message/global"):
        body = attachment.data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        headers.append("Content-Transfer-Encoding: " + ("7bit" if body.isascii() else "8bit"))
        return _Part(tuple(headers), body)
    headers.append("Content-Transfer-Encoding: base64")
    return _Part(tuple(headers), base64_body(attachment.data))


def _joined(pieces: list[str]) -> list[str]:
    return [piece + ";" for piece in pieces[:-1]] + pieces[-1:]


def _render(part: _Part) -> bytes:
    return "\r\n".join(part.headers).encode("ascii") + b"\r\n\r\n" + part.body


def _multipart(subtype: str, parts: Sequence[_Part]) -> _Part:
    rendered = [_render(part) for part in parts]
    seed = hashlib.sha256(b"\x00".join(rendered)).hexdigest()
    salt = 0
    # "=_" never occurs in base64 or quoted-printable text; the check covers 7bit parts and messages.
    while True:
        boundary = f"=_{seed[:24]}{salt:x}"
        if not any(f"--{boundary}".encode() in body for body in rendered):
            break
        salt += 1
    body = b"".join(f"--{boundary}\r\n".encode() + item + b"\r\n" for item in rendered)
    body += f"--{boundary}--\r\n".encode()
    return _Part((f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"',), body)


def _body(text: str, html: str | None, attachments: Sequence[Attachment]) -> _Part:
    inline = [a for a in attachments if a.inline and a.content_id]
    files = [a for a in attachments if not (a.inline and a.content_id)]
    main = _text_part(text, "plain")
    if html is not None:
        html_part = _text_part(html, "html")
        if inline:
            html_part = _multipart("related", [html_part, *(_attachment_part(a) for a in inline)])
        main = _multipart("alternative", [main, html_part])
    else:
        files = list(attachments)
    if files:
        main = _multipart("mixed", [main, *(_attachment_part(a) for a in files)])
    return main


def build_message(
    *,
    from_addr: AddressSpec,
    to: Sequence[AddressSpec],
    cc: Sequence[AddressSpec] = (),
    bcc: Sequence[AddressSpec] = (),
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    message_id: str | None = None,
    date: datetime | None = None,
    extra_headers: Sequence[tuple[str, str]] = (),
    keep_bcc: bool = False,
) -> bytes:
    """A complete RFC 5322 message in UTF-8 with CRLF line ends.

    Bcc addresses are written only with ``keep_bcc`` (for the sender's own copy); otherwise they are envelope
    recipients only. Message-ID defaults to a new one in the sender's domain, Date to now (UTC).
    """
    sender = _address(from_addr)
    fields = [
        f"Date: {_date(date or datetime.now(UTC))}",
        _address_field("From", [sender]),
    ]
    if to:
        fields.append(_address_field("To", to))
    if cc:
        fields.append(_address_field("Cc", cc))
    if bcc and keep_bcc:
        fields.append(_address_field("Bcc", bcc))
    fields.append(fold("Subject", unstructured_words(check_header_text(subject, "Subject"))))
    fields.append(
        f"Message-ID: {_msg_id(message_id) if message_id else make_message_id(sender[1].split('@')[1])}"
    )
    if in_reply_to:
        fields.append(f"In-Reply-To: {_msg_id(in_reply_to)}")
    if references:
        fields.append(fold("References", [_msg_id(ref) for ref in references]))
    fields.append("MIME-Version: 1.0")
    for name, value in extra_headers:
        fields.append(fold(check_field_name(name), unstructured_words(check_header_text(value, name))))
    body = _body(text, html, attachments)
    return ("\r\n".join([*fields, *body.headers]) + "\r\n\r\n").encode("ascii") + body.body


def _line_end(raw: bytes) -> bytes:
    newline = raw.find(b"\n")
    return b"\n" if newline > 0 and raw[newline - 1 : newline] != b"\r" else b"\r\n"


def prepend_header(raw: bytes, name: str, value: str) -> bytes:
    """``raw`` with ``name: value`` added in front (trace fields, RFC 5321 §4.4); nothing else changes.

    A non-ASCII value is written as encoded-words; long values are folded.
    """
    field = fold(check_field_name(name), unstructured_words(check_header_text(value, name)))
    eol = _line_end(raw)
    return field.replace("\r\n", eol.decode()).encode("ascii") + eol + raw


def ensure_standard_headers(raw: bytes, *, domain: str, now: datetime) -> bytes:
    """``raw`` with Message-ID and Date added in front when missing (RFC 6409 §8.3); nothing else changes."""
    header = split_header(raw)
    if header.first("date") is None:
        raw = prepend_header(raw, "Date", _date(now))
    if header.first("message-id") is None:
        raw = prepend_header(raw, "Message-ID", make_message_id(domain))
    return raw
