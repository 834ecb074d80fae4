"""Decoding legacy Vietnamese text to NFC Unicode, and encoding it back (vn-text.md §1.2–§1.7).

Every decoder accepts either the raw bytes or the *view* (the same bytes shown as Windows-1252 characters,
which is what text pulled out of .doc/.docx/.rtf/HTML holds; see ``legacy_tables``). Decoders are lenient:
bytes or characters that mean nothing in the encoding pass through as their Windows-1252 reading, and
characters of a view that no byte produces (real Unicode mixed in) are kept as they are. Results are NFC with
``Ð`` → ``Đ``.

Encoders exist to produce test data and exports; they raise InvalidInput on a character the encoding lacks
(or write ``?`` with ``errors="replace"``), except that TCVN3 writes toned capitals with their lowercase
codes, as VN3 itself does (the capital comes from the …H font).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from enum import StrEnum
from typing import Literal

from congvu.errors import InvalidInput
from congvu.vntext import legacy_tables as t
from congvu.vntext.normalize import nfc
from congvu.vntext.syllable import TONE_MARKS, Tone

Errors = Literal["strict", "replace"]


class LegacyEncoding(StrEnum):
    """What a piece of text was written in."""

    UNICODE = "unicode"  # already Unicode (UTF-8): nothing to convert
    TCVN3 = "tcvn3"  # TCVN 5712:1993 VN3, ABC, .VnTime fonts
    VNI_WINDOWS = "vni_windows"  # VNI-Times, VNI-Helve … fonts
    VIQR = "viqr"  # RFC 1456 ASCII mnemonics
    VISCII = "viscii"  # RFC 1456 8-bit
    CP1258 = "cp1258"  # Windows-1258
    UTF8_AS_CP1252 = "utf8_as_cp1252"  # UTF-8 read as Windows-1252 (mojibake)
    CP1252 = "cp1252"  # not Vietnamese: Western text in Windows-1252 (bytes that are not UTF-8)


def _view(data: bytes | str) -> str:
    return t.bytes_as_cp1252(data) if isinstance(data, bytes) else data


def _runs(view: str, decode: Callable[[bytes], str]) -> str:
    """Apply a bytes decoder to each run of the view that maps back to bytes; keep other characters."""
    out: list[str] = []
    run = bytearray()
    for ch in view:
        b = t.BYTE_OF_VIEW.get(ch)
        if b is None:
            if run:
                out.append(decode(bytes(run)))
                run.clear()
            out.append(ch)
        else:
            run.append(b)
    if run:
        out.append(decode(bytes(run)))
    return "".join(out)


def _restore(text: str) -> str:
    """Turn surrogate escapes of undecodable bytes back into the bytes' Windows-1252 reading."""
    return "".join(t.VIEW_OF_BYTE[ord(ch) - 0xDC00] if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in text)


def _tcvn3(data: bytes | str, capital: bool) -> str:
    out = []
    for ch in _view(data):
        b = t.BYTE_OF_VIEW.get(ch)
        if b is None:
            out.append(ch)
        else:
            out.append(t.TCVN3_DECODE.get(b) or t.VIEW_OF_BYTE[b])
    text = "".join(out)
    return text.upper() if capital else text


def _vni(data: bytes | str) -> str:
    view = _view(data)
    out = []
    i = 0
    while i < len(view):
        pair = t.VNI_PAIR_DECODE.get(view[i:i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        out.append(t.VNI_SINGLE_DECODE.get(view[i], view[i]))
        i += 1
    return "".join(out)


def _viqr(data: bytes | str) -> str:
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\\" and nxt and nxt in t.VIQR_ESCAPABLE:
            out.append(nxt)  # RFC 1456: a backslash makes the next mark literal
            i += 2
        elif ch in "dD" and nxt in ("d", "D") and not (ch == "d" and nxt == "D"):
            out.append("đ" if ch == "d" else "Đ")
            i += 2
        elif ch.lower() in "aeiouy":
            base, modifier, j = ch, "", i + 1
            mod = t.VIQR_MODIFIERS.get(text[j]) if j < n else None
            if mod is not None and ch.lower() in t.VIQR_MODIFIER_BASES[mod]:
                modifier, j = mod, j + 1
            tone = t.VIQR_TONES.get(text[j]) if j < n else None
            if tone is not None:
                j += 1
            out.append(t.letter(base, modifier, Tone.NGANG if tone is None else tone))
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _viscii(data: bytes | str) -> str:
    def table(raw: bytes) -> str:
        return "".join(t.VISCII_DECODE[b] for b in raw)

    return table(data) if isinstance(data, bytes) else _runs(data, table)


def _cp1258(data: bytes | str) -> str:
    def codec(raw: bytes) -> str:
        return _restore(raw.decode("cp1258", errors="surrogateescape"))

    return codec(data) if isinstance(data, bytes) else _runs(data, codec)


def _utf8(raw: bytes) -> str:
    return _restore(raw.decode("utf-8", errors="surrogateescape"))


def _mojibake(data: bytes | str) -> str:
    text = _utf8(data) if isinstance(data, bytes) else data
    return _runs(text, _utf8)


def _unicode(data: bytes | str) -> str:
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def decode_legacy(data: bytes | str, encoding: LegacyEncoding | str, *, capital: bool = False) -> str:
    """Convert ``data`` written in ``encoding`` to NFC Unicode.

    ``capital`` is for TCVN3 typed in a capital font (``.VnTimeH``): the whole run is upper-cased, since VN3
    has no toned capitals of its own. For ``utf8_as_cp1252`` bytes are the UTF-8 of the garbled text.
    """
    return nfc(decode_plain(data, encoding, capital=capital))


def decode_plain(data: bytes | str, encoding: LegacyEncoding | str, *, capital: bool = False) -> str:
    """``decode_legacy`` without the eth repair: only NFC. Detection scores this form, so that a stray Latin-1
    ``ð`` left by a wrong table counts against it instead of being mended into ``đ``."""
    encoding = LegacyEncoding(encoding)
    if encoding is LegacyEncoding.TCVN3:
        text = _tcvn3(data, capital)
    elif encoding is LegacyEncoding.VNI_WINDOWS:
        text = _vni(data)
    elif encoding is LegacyEncoding.VIQR:
        text = _viqr(data)
    elif encoding is LegacyEncoding.VISCII:
        text = _viscii(data)
    elif encoding is LegacyEncoding.CP1258:
        text = _cp1258(data)
    elif encoding is LegacyEncoding.UTF8_AS_CP1252:
        text = _mojibake(data)
    elif encoding is LegacyEncoding.CP1252:
        text = _view(data)
    else:
        text = _unicode(data)
    return unicodedata.normalize("NFC", text)


# -- encoders --------------------------------------------------------------------------------

def _unencodable(ch: str, encoding: LegacyEncoding) -> InvalidInput:
    return InvalidInput(
        f"Không chuyển được ký tự «{ch}» (U+{ord(ch):04X}) sang bảng mã {encoding.value}",
        message_en=f"Character {ch!r} (U+{ord(ch):04X}) has no code in {encoding.value}",
    )


def _cp1252_byte(ch: str) -> int | None:
    """The byte of an ASCII or Windows-1252 punctuation character (0x00-0x7F, 0x80-0x9F, 0xA0)."""
    b = t.BYTE_OF_VIEW.get(ch)
    return b if b is not None and (b < 0xA1) else None


def _tcvn3_bytes(ch: str) -> bytes | None:
    b = t.TCVN3_ENCODE.get(ch)
    if b is None:
        b = _cp1252_byte(ch)
    return None if b is None else bytes([b])


def _vni_bytes(ch: str) -> bytes | None:
    seq = t.VNI_ENCODE.get(ch)
    if seq is not None:
        return seq
    b = t.BYTE_OF_VIEW.get(ch)
    taken = b is not None and (b in t.VNI_MARK_BYTES or ch in t.VNI_SINGLE_DECODE)
    return None if b is None or taken else bytes([b])


def _viqr_bytes(ch: str) -> bytes | None:
    seq = t.VIQR_ENCODE.get(ch)
    if seq is not None:
        return seq.encode("ascii")
    return ch.encode("ascii") if ch.isascii() else None


def _viscii_bytes(ch: str) -> bytes | None:
    b = t.VISCII_ENCODE.get(ch)
    return None if b is None else bytes([b])


def _cp1258_bytes(ch: str) -> bytes | None:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        pass
    # Windows-1258 keeps the tone as a separate combining byte: encode base (with its modifier) + tone.
    decomposed = unicodedata.normalize("NFD", ch)
    tones = [m for m in decomposed if m in TONE_MARKS]
    base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
    try:
        return base.encode("cp1258") + "".join(tones).encode("cp1258")
    except UnicodeEncodeError:
        return None


def _western_bytes(ch: str) -> bytes | None:
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        return None


def _escape_viqr(text: str) -> str:
    """Backslash the characters a VIQR reader would take as marks or as ``dd`` (RFC 1456)."""
    out = []
    for i, ch in enumerate(text):
        previous = text[i - 1].lower() if i else ""
        following = text[i + 1] if i + 1 < len(text) else ""
        vowel_before = bool(previous) and unicodedata.normalize("NFD", previous)[0] in "aeiouy"
        if (
            ch == "\\"
            or (vowel_before and ch in "(^+*'`?~.")
            or (ch in "dD" and following in ("d", "D", "đ", "Đ"))
        ):
            out.append("\\")
        out.append(ch)
    return "".join(out)


_ENCODERS: dict[LegacyEncoding, Callable[[str], bytes | None]] = {
    LegacyEncoding.TCVN3: _tcvn3_bytes,
    LegacyEncoding.VNI_WINDOWS: _vni_bytes,
    LegacyEncoding.VIQR: _viqr_bytes,
    LegacyEncoding.VISCII: _viscii_bytes,
    LegacyEncoding.CP1258: _cp1258_bytes,
    LegacyEncoding.CP1252: _western_bytes,
}


def encode_legacy(text: str, encoding: LegacyEncoding | str, *, errors: Errors = "strict") -> bytes:
    """Encode Unicode ``text`` in a legacy encoding (the inverse of ``decode_legacy``)."""
    encoding = LegacyEncoding(encoding)
    text = nfc(text)
    if encoding is LegacyEncoding.UNICODE:
        return text.encode("utf-8")
    if encoding is LegacyEncoding.UTF8_AS_CP1252:
        return t.bytes_as_cp1252(text.encode("utf-8")).encode("utf-8")
    if encoding is LegacyEncoding.VIQR:
        text = _escape_viqr(text)
    encode_char = _ENCODERS[encoding]
    out = bytearray()
    for ch in text:
        seq = encode_char(ch)
        if seq is None:
            if errors == "strict":
                raise _unencodable(ch, encoding)
            seq = b"?"
        out += seq
    return bytes(out)
