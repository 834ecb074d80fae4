"""Decoding header values for people and for search: encoded-words, addresses and dates.

- RFC 2047 encoded-words (``=?charset?B|Q?text?=``, §2–§6), with RFC 2231 §5 language suffixes, read
  tolerantly: white space between adjacent encoded-words is dropped (§6.2), adjacent words in one charset are
  joined before charset decoding so a character split across two words survives, words glued to other text are
  still decoded, and a broken word stays as written.
- RFC 6532: raw UTF-8 in header values is accepted; other 8-bit octets are read as Windows-1252.
- RFC 5322 §3.4 addresses and §3.3 dates (with the obsolete forms of §4.3 and a few common deviations).

Every text returned is NFC, with U+00D0 (Ð) read as U+0110 (Đ).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

from congvu.mail.addresses import Mailbox, parse_address_list
from congvu.mail.charsets import decode_text

__all__ = [
    "decode_header_value",
    "decode_word_bytes",
    "format_address",
    "parse_addresses",
    "parse_date",
]

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]+")
_FOLD = re.compile(r"\r?\n[ \t]*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _as_text(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(raw, "windows-1252")


def decode_word_bytes(encoding: str, text: str) -> bytes | None:
    """The octets an encoded-word's text stands for (RFC 2047 §4), or ``None`` when they cannot be read."""
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    if encoding in "bB":
        if re.search(rb"[^A-Za-z0-9+/=\s]", data):
            return None
        data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        if len(data) % 4 == 1:
            data = data[:-1]
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4))
        except (binascii.Error, ValueError):
            return None
    # RFC 2047 §4.2: "_" is a space, "=XX" an octet.
    data = data.replace(b"_", b" ")
    return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _decode_words(text: str) -> str:
    out: list[str] = []
    pending: bytes = b""
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending_charset is not None:
            out.append(decode_text(pending, pending_charset))
        pending, pending_charset = b"", None

    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        data = decode_word_bytes(match.group(2), match.group(3))
        if data is None:
            flush()
            out.append(gap + match.group(0))
            pos = match.end()
            continue
        charset = match.group(1).split("*", 1)[0].lower()
        adjacent = pending_charset is not None and _BETWEEN_WORDS.fullmatch(gap or " ") is not None
        if adjacent and charset == pending_charset:
            pending += data
        else:
            if not adjacent:
                flush()
                out.append(gap)
            else:
                flush()
            pending, pending_charset = data, charset
        pos = match.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def decode_header_value(raw: bytes | str) -> str:
    """Decode a header value for display and search: unfolded, encoded-words decoded, no controls, NFC."""
    text = _FOLD.sub(" ", _as_text(raw))
    if "=?" in text:
        text = _decode_words(text)
    text = _CONTROLS.sub("", text.replace("\t", " "))
    # TCVN 6909:2001 text: NFC, and Ð (U+00D0, a legacy converters' stand-in) is Đ (U+0110).
    return unicodedata.normalize("NFC", text.strip()).replace("\u00d0", "\u0110")


def format_address(name: str, address: str) -> str:
    """``Name <address>``, or the bare address when there is no name."""
    if not name:
        return address
    if not address:
        return name
    return f"{name} <{address}>"


def _mailbox_pair(mailbox: Mailbox) -> tuple[str, str]:
    name = decode_header_value(mailbox.name) if mailbox.name else ""
    local = unicodedata.normalize("NFC", mailbox.local.strip())
    if mailbox.domain is None:
        return name, local
    return name, f"{local}@{mailbox.domain.strip().lower()}"


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of an address-list header; group members are listed, groups dropped.

    Display names are decoded (RFC 2047, NFC); the domain is lower-cased; an entry without ``@`` gives its
    text as the address.
    """
    pairs: list[tuple[str, str]] = []
    for item in parse_address_list(_FOLD.sub(" ", value)):
        if isinstance(item, Mailbox):
            name, address = _mailbox_pair(item)
            if name or address:
                pairs.append((name, address))
    return pairs


# Deviations seen in real Date fields: ISO 8601 and "dd/mm/yyyy hh:mm:ss" from Vietnamese systems.
_ISO_DATE = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_DMY_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4})?\s*$")


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    digits = text.replace(":", "")
    minutes = int(digits[1:3]) * 60 + int(digits[3:5])
    return timezone(timedelta(minutes=-minutes if digits[0] == "-" else minutes))


def _fallback_date(text: str) -> datetime | None:
    iso = _ISO_DATE.match(text)
    if iso:
        naive = datetime.fromisoformat(f"{iso.group(1)}T{iso.group(2)}")
        return naive.replace(tzinfo=_zone(iso.group(3)))
    dmy = _DMY_DATE.match(text)
    if dmy:
        day, month, year, hour, minute = (int(dmy.group(i)) for i in range(1, 6))
        second = int(dmy.group(6) or 0)
        return datetime(year, month, day, hour, minute, second, tzinfo=_zone(dmy.group(7)))
    return None


def parse_date(value: str) -> datetime | None:
    """The moment an RFC 5322 date-time names, timezone-aware (``-0000`` and unknown zones read as UTC).

    Returns ``None`` for text that names no valid moment.
    """
    text = _CONTROLS.sub("", _FOLD.sub(" ", value)).strip()
    if not text:
        return None
    try:
        parts = parsedate_tz(text)
        if parts is not None:
            year, month, day, hour, minute, second = parts[:6]
            offset = parts[9] or 0
            moment = datetime(year, month, day, hour, minute, min(second, 59))
            if abs(offset) >= 24 * 3600:
                offset = 0
            return moment.replace(tzinfo=timezone(timedelta(seconds=offset)))
        return _fallback_date(text)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None
