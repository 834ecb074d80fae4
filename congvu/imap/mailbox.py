"""Mailbox names on the wire: decoding from modified UTF-7 or UTF-8, INBOX folding, and encoding back.

RFC 9051 §5.1: ``INBOX`` is case-insensitive, every other name is case-sensitive. Clients that have not
enabled UTF8=ACCEPT (RFC 6855 §3) send names in modified UTF-7 (RFC 3501 §5.1.3); a name that arrives as raw
UTF-8 is accepted as such, since several clients send it regardless. Names are kept as NFC text so that
"Văn bản đến" typed on a phone and on a desktop is the same mailbox.
"""

from __future__ import annotations

import unicodedata

from congvu.errors import InvalidInput
from congvu.imap import mutf7
from congvu.imap.errors import ParseError

INBOX = "INBOX"
DEFAULT_DELIMITER = "/"


def canonical_name(name: str, delimiter: str = DEFAULT_DELIMITER) -> str:
    """Fold ``inbox`` and ``Inbox/…`` to ``INBOX`` and ``INBOX/…``; other names are unchanged."""
    head, sep, tail = name.partition(delimiter) if delimiter else (name, "", "")
    if head.upper() == INBOX:
        return INBOX + sep + tail
    return name


def decode_name(raw: bytes, *, utf8: bool, tag: str | None = None, delimiter: str = DEFAULT_DELIMITER) -> str:
    """Turn an ``astring`` mailbox argument into the name it denotes (NFC, INBOX folded).

    ``utf8`` is true once the client has enabled UTF8=ACCEPT or IMAP4rev2; then ``&`` is an ordinary
    character (RFC 6855 §3, RFC 9051 §5.1.3).
    """
    try:
        text = raw.decode("utf-8") if utf8 or not raw.isascii() else mutf7.decode(raw.decode("ascii"))
    except UnicodeDecodeError:
        raise ParseError(
            tag, "Tên hộp thư không phải UTF-8 hợp lệ", message_en="Mailbox name is not valid UTF-8"
        ) from None
    except InvalidInput as exc:
        raise ParseError(tag, exc.message, message_en=exc.message_en) from None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise ParseError(
            tag,
            "Tên hộp thư chứa ký tự điều khiển",
            message_en="Mailbox name contains a control character",
        )
    return canonical_name(unicodedata.normalize("NFC", text), delimiter)


def encode_name(name: str, *, utf8: bool) -> str:
    """The wire spelling of a name: UTF-8 as is for UTF8=ACCEPT clients, modified UTF-7 otherwise."""
    return name if utf8 else mutf7.encode(name)
