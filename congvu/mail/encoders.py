"""Writing header fields and bodies of outgoing mail: encoded-words, RFC 2231 parameters, folding, QP.

- RFC 2047 §4.1, §5: non-ASCII text in unstructured fields and display names becomes ``=?utf-8?b?…?=`` words
  of at most 75 characters (§2), never splitting a character between words.
- RFC 2231 §3–§4: non-ASCII parameter values become ``name*=utf-8''%XX…``, split into ``name*0*``,
  ``name*1*``… when long.
- RFC 5322 §2.1.1, §2.2.3: lines are folded at white space to stay within 78 characters where they can.
- RFC 2045 §6.7 quoted-printable (lines of at most 76 characters, trailing white space and ``From ``
  protected) and §6.8 base64 in 76-character lines; every line ends in CRLF.
"""

from __future__ import annotations

import base64
import re
import unicodedata

from congvu.errors import InvalidInput

__all__ = [
    "base64_body",
    "check_field_name",
    "check_header_text",
    "encode_words",
    "fold",
    "mailbox_words",
    "parameter",
    "quoted_printable_body",
    "unstructured_words",
]

_LINE_LIMIT = 78
_WORD_PAYLOAD_OCTETS = 39  # 52 base64 characters + "=?utf-8?b?" + "?=": 64, so "Subject: " + word fits in 76
_SECTION_CHARS = 50
_PHRASE_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ .-]*\Z")
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+\Z")
_ATTRIBUTE_CHARS = frozenset(b"!#$&+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def check_header_text(value: str, what: str) -> str:
    """Refuse line breaks and NUL in a header value (header injection); return the NFC value."""
    if any(char in value for char in "\r\n\x00"):
        raise InvalidInput(
            f"{what} không được chứa ký tự xuống dòng",
            message_en=f"{what} must not contain line breaks",
            field=what,
        )
    return unicodedata.normalize("NFC", value)


def check_field_name(name: str) -> str:
    """A field name must be printable US-ASCII without colon (RFC 5322 §3.6.8)."""
    if not _FIELD_NAME.match(name):
        raise InvalidInput(
            f"Tên trường tiêu đề không hợp lệ: {name!r}", message_en=f"Invalid header name {name!r}"
        )
    return name


def encode_words(text: str) -> list[str]:
    """``text`` as RFC 2047 B encoded-words in UTF-8, each at most 75 characters."""
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and len(chunk) + len(data) > _WORD_PAYLOAD_OCTETS:
            words.append(f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=")
            chunk = b""
        chunk += data
    if chunk or not words:
        words.append(f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=")
    return words


def _needs_encoding(text: str) -> bool:
    return not text.isascii() or "=?" in text or any(len(word) > 900 for word in text.split(" "))


def unstructured_words(text: str) -> list[str]:
    """The words of an unstructured field (Subject, …): as written when ASCII, encoded-words otherwise."""
    if _needs_encoding(text):
        return encode_words(text)
    return text.split(" ")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_words(name: str, address: str) -> list[str]:
    """The words of one mailbox (RFC 5322 §3.4 name-addr or addr-spec), display name encoded when needed."""
    if not name:
        return [address]
    if _needs_encoding(name):
        phrase = encode_words(name)
    elif _PHRASE_ATOM.match(name) and "." not in name:
        phrase = name.split(" ")
    else:
        phrase = [_quote(name)]
    return [*phrase, f"<{address}>"]


def fold(name: str, words: list[str]) -> str:
    """``Name: words…`` folded at the spaces between words (CRLF + space) within 78 characters."""
    lines: list[str] = []
    current = f"{name}:"
    for word in words:
        if len(current) + 1 + len(word) > _LINE_LIMIT and (current != f"{name}:" or word.startswith("=?")):
            lines.append(current)
            current = " " + word
        else:
            current += " " + word
    lines.append(current)
    return "\r\n".join(lines)


def _percent(value: str) -> str:
    return "".join(
        chr(octet) if octet in _ATTRIBUTE_CHARS else f"%{octet:02X}" for octet in value.encode("utf-8")
    )


def parameter(name: str, value: str) -> list[str]:
    """``name=value`` pieces for a Content-Type or Content-Disposition field (RFC 2045 §5.1, RFC 2231)."""
    value = check_header_text(value, name)
    if value.isascii() and len(value) <= _SECTION_CHARS * 2:
        return [f"{name}={_quote(value)}"]
    encoded = _percent(value)
    if len(encoded) <= _SECTION_CHARS:
        return [f"{name}*=utf-8''{encoded}"]
    pieces: list[str] = []
    rest = encoded
    while rest:
        cut = min(_SECTION_CHARS, len(rest))
        # Never cut inside a %XX triplet.
        while cut < len(rest) and "%" in rest[max(0, cut - 2) : cut]:
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    out = [f"{name}*0*=utf-8''{pieces[0]}"]
    out.extend(f"{name}*{index}*={piece}" for index, piece in enumerate(pieces[1:], start=1))
    return out


def _qp_line(line: bytes) -> list[str]:
    encoded: list[str] = []
    for position, octet in enumerate(line):
        last = position == len(line) - 1
        if (octet in (0x20, 0x09) and not last) or (33 <= octet <= 126 and octet != 0x3D):
            encoded.append(chr(octet))
        else:
            encoded.append(f"={octet:02X}")
    if line.startswith(b"From ") and encoded:
        encoded[0] = "=46"
    out: list[str] = []
    current = ""
    for token in encoded:
        if len(current) + len(token) > 75:
            out.append(current + "=")
            current = ""
        current += token
    out.append(current)
    return out


def quoted_printable_body(text: str) -> bytes:
    """``text`` as UTF-8 quoted-printable with CRLF line ends."""
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(_qp_line(line.encode("utf-8")))
    return ("\r\n".join(lines)).encode("ascii")


def base64_body(data: bytes) -> bytes:
    """``data`` as base64 in lines of 76 characters, CRLF line ends."""
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
