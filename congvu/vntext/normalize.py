"""Normalising and checking text that enters the system.

TCVN 6909:2001 is Unicode (made mandatory for State bodies by QĐ 72/2002/QĐ-TTg); the product stores every
string in NFC. Two look-alikes of ``Đ`` need more than NFC:

* U+00D0 ``Ð`` (capital eth) is always replaced by U+0110 ``Đ``: legacy converters and some keyboards emit it,
  and a capital eth has no business in Vietnamese administrative text.
* U+00F0 ``ð`` (small eth) is replaced by U+0111 ``đ`` only where it is clearly Vietnamese: at the start of a
  word whose rest, with ``đ``, is a well-formed Vietnamese syllable (``ðồng`` → ``đồng``). In Icelandic and
  Faroese ``ð`` never begins a word, so their text is left as typed.

``clean_line`` and ``clean_text`` are the gate for values typed by people or read from files. They reject
characters that have no place in a name or a letter and that are used to disguise text: C0 and C1 controls,
DEL, the line/paragraph separators U+2028/U+2029, the bidirectional embeddings, overrides and isolates
U+202A–U+202E, U+2066–U+2069 (the "Trojan source" trick) and the direction marks U+200E, U+200F, U+061C, plus
unpaired surrogates (they cannot be written as UTF-8). The zero-width space U+200B and the stray byte-order
mark U+FEFF are removed silently: they are invisible, carry nothing, and break equality and search.
"""

from __future__ import annotations

import re
import unicodedata

from congvu.errors import InvalidInput
from congvu.vntext.syllable import is_syllable

_SPACES = re.compile(r"\s+")
_ETH_WORD = re.compile(r"(?<![^\W\d_])\u00f0([^\W\d_]*)")
_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None})
_DIRECTION_MARKS = frozenset((0x061C, 0x200E, 0x200F))


def nfc(text: str) -> str:
    """Return ``text`` in NFC, with eth look-alikes turned into Đ/đ as described in the module notes."""
    text = unicodedata.normalize("NFC", text.replace("\u00d0", "\u0110"))
    if "\u00f0" in text:
        text = _ETH_WORD.sub(_eth_to_d, text)
    return text


def _eth_to_d(match: re.Match[str]) -> str:
    candidate = "\u0111" + match.group(1)
    return candidate if is_syllable(candidate) else match.group(0)


def is_forbidden(ch: str) -> bool:
    """True for a character ``clean_line``/``clean_text`` refuse (tab and line feed are judged by the
    caller)."""
    cp = ord(ch)
    return (
        cp < 0x20
        or 0x7F <= cp <= 0x9F
        or cp in (0x2028, 0x2029)
        or 0x202A <= cp <= 0x202E
        or 0x2066 <= cp <= 0x2069
        or cp in _DIRECTION_MARKS
        or 0xD800 <= cp <= 0xDFFF
    )


def _reject(field: str, ch: str) -> InvalidInput:
    code = f"U+{ord(ch):04X}"
    if ch in "\r\n":
        return InvalidInput(
            f"Trường «{field}» chỉ được viết trên một dòng (có ký tự xuống dòng {code})",
            message_en=f"Field «{field}» must be a single line (contains a line break {code})",
            field=field,
        )
    return InvalidInput(
        f"Trường «{field}» chứa ký tự điều khiển ({code})",
        message_en=f"Field «{field}» contains a control character ({code})",
        field=field,
    )


def _check_size(text: str, field: str, max_chars: int) -> str:
    if not text:
        raise InvalidInput(
            f"Trường «{field}» không được để trống",
            message_en=f"Field «{field}» must not be empty",
            field=field,
        )
    if len(text) > max_chars:
        raise InvalidInput(
            f"Trường «{field}» dài quá {max_chars} ký tự (có {len(text)} ký tự)",
            message_en=f"Field «{field}» is longer than {max_chars} characters ({len(text)})",
            field=field,
        )
    return text


def clean_line(value: str, *, field: str, max_chars: int = 300) -> str:
    """Clean a single-line field (name, position, unit): NFC, trimmed, inner white space made one space.

    A line break at either end (a pasted cell) is trimmed; one inside the value is refused, since in a header
    or a one-line field it is either a mistake or an injection. Tabs count as white space. ``field`` is the
    Vietnamese label shown to the user and set as the error's ``field``.
    """
    text = nfc(value).translate(_INVISIBLE).strip()
    for ch in text:
        if ch != "\t" and is_forbidden(ch):
            raise _reject(field, ch)
    return _check_size(_SPACES.sub(" ", text), field, max_chars)


def clean_text(value: str, *, field: str, max_chars: int = 100_000) -> str:
    """Clean a multi-line field: NFC, ``\\r\\n`` and lone ``\\r`` made ``\\n``, trailing blanks of each line
    and blank lines at both ends removed; tabs and line feeds kept, other controls refused."""
    text = nfc(value).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    for ch in text:
        if ch not in "\t\n" and is_forbidden(ch):
            raise _reject(field, ch)
    lines = [line.rstrip() for line in text.split("\n")]
    return _check_size("\n".join(lines).strip("\n"), field, max_chars)
