"""Turning the octets of a MIME text into Unicode whatever charset label it carries.

Mail declares its charset (RFC 2045 §5.1, RFC 2046 §4.1.2, RFC 2231 §4 and RFC 2047 §2 for words), but labels
are often wrong or unknown to Python. Decoding never fails here:

- Python's codecs serve every label they know (text codecs only: ``base64`` or ``rot13`` are not charsets).
- VISCII (RFC 1456) and TCVN3 (TCVN 5712:1993 VN3, the ``.VnTime`` fonts) have no Python codec; their tables
  are built in below (facts of the encodings, as listed in glibc ``iconv``; TCVN3 as read by UniKey with
  Windows-1252 punctuation in 0x80–0x9F).
- Windows-1258 puts tones in separate combining octets, so its text is NFC-composed after decoding.
- Text labelled US-ASCII, ISO-8859-1 or Windows-1252 that is in fact well-formed UTF-8 with multi-octet
  sequences is read as UTF-8: such octet runs are vanishingly rare in real Latin-1 text and common from
  misconfigured senders.
- A label that fails or is unknown falls back to UTF-8, reading octets that are not UTF-8 as Windows-1252.

Every result is NFC (TCVN 6909:2001 text is Unicode NFC; QĐ 72/2002/QĐ-TTg).
"""

from __future__ import annotations

import codecs
import unicodedata

__all__ = ["canonical_charset", "decode_text", "is_known_charset"]

# VISCII 0x80–0xFF (RFC 1456; glibc iconv VISCII). All 128 octets are letters.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"
    "ÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯ"
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡư"
    "àáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
)
# VISCII also takes six C0 control positions for capitals.
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}
# TCVN3 (VN3) 0xA1–0xFF; 0x80–0x9F are Windows-1252 punctuation and 0xA0 is NO-BREAK SPACE.
_TCVN3_HIGH = (
    "ĂÂÊÔƠƯĐăâêôơưđ¯°±²³´àảãáạºằẳẵắ¿ÀÁÂÃÄÅặầẩẫấậèÍẻẽéẹềểễếệìỉÙÚÛĩíịòàỏõóọồổỗốộờởỡớợùðủũúụừửữứựỳỷỹýỵÿ"
)


def _viscii_table() -> str:
    low = "".join(_VISCII_LOW.get(octet, chr(octet)) for octet in range(0x80))
    return low + _VISCII_HIGH


def _tcvn3_table() -> str:
    punctuation = bytes(range(0x80, 0xA0)).decode("cp1252", errors="surrogateescape")
    punctuation = "".join(chr(ord(c) - 0xDC00) if "\udc80" <= c <= "\udcff" else c for c in punctuation)
    return "".join(chr(octet) for octet in range(0x80)) + punctuation + "\u00a0" + _TCVN3_HIGH


_TABLES: dict[str, dict[int, str]] = {
    "viscii": dict(enumerate(_viscii_table())),
    "tcvn3": dict(enumerate(_tcvn3_table())),
}
_ALIASES: dict[str, str] = {
    "viscii": "viscii",
    "x-viscii": "viscii",
    "csviscii": "viscii",
    "viscii1.1-1": "viscii",
    "tcvn": "tcvn3",
    "tcvn3": "tcvn3",
    "tcvn-3": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn-5712": "tcvn3",
    "tcvn5712-1": "tcvn3",
    "tcvn5712-3": "tcvn3",
    "x-viet-tcvn5712": "tcvn3",
    "vn3": "tcvn3",
    "abc": "tcvn3",
    # Labels Python spells differently or lacks, mapped to the codec that reads them best.
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
    "x-user-defined": "latin-1",
}
# Labels that say nothing about the octets.
_UNKNOWN = frozenset({"", "unknown", "unknown-8bit", "x-unknown", "default", "charset", "none", "binary"})
# Labels commonly stuck on UTF-8 text by misconfigured senders.
_WEAK = frozenset({"ascii", "iso8859-1", "cp1252"})


def _clean_label(label: str | None) -> str:
    if not label:
        return ""
    value = label.strip().strip("\"'").strip().lower()
    # RFC 2231 §5: a language may follow the charset after "*".
    return value.split("*", 1)[0]


def canonical_charset(label: str | None) -> str | None:
    """The codec name (Python's, or ``viscii``/``tcvn3``) used for ``label``, or ``None``."""
    value = _clean_label(label)
    if value in _UNKNOWN:
        return None
    value = _ALIASES.get(value, value)
    if value in _TABLES:
        return value
    try:
        info = codecs.lookup(value)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def is_known_charset(label: str | None) -> bool:
    """Whether ``label`` names a charset this module can decode by its own rules (not by guessing)."""
    return canonical_charset(label) is not None


def _utf8_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# Octets that are not UTF-8 come back from "surrogateescape" as U+DC80–U+DCFF; read them as Windows-1252.
_STRAYS = {
    0xDC00 + octet: bytes([octet]).decode("cp1252", errors="ignore") or chr(octet)
    for octet in range(0x80, 0x100)
}


def _utf8_lenient(data: bytes) -> str:
    """UTF-8 where the octets are UTF-8, Windows-1252 for the stray ones."""
    return data.decode("utf-8", errors="surrogateescape").translate(_STRAYS)


def _decode_replacing(data: bytes, name: str) -> str:
    try:
        return data.decode(name, errors="replace")
    except (UnicodeError, LookupError, ValueError):
        return data.decode("cp1252", errors="replace")


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode ``data`` declared as ``charset`` into NFC text; never raises."""
    name = canonical_charset(charset)
    text: str
    if name in _TABLES:
        text = data.decode("latin-1").translate(_TABLES[name])
    elif name is None:
        text = _utf8_lenient(data)
    elif name in _WEAK and not data.isascii() and (as_utf8 := _utf8_or_none(data)) is not None:
        text = as_utf8
    else:
        try:
            text = data.decode(name)
        except (UnicodeError, LookupError, ValueError):
            if name == "utf-8" or name in _WEAK:
                text = _utf8_lenient(data)
            else:
                text = _utf8_or_none(data) or _decode_replacing(data, name)
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))
