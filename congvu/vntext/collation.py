"""Vietnamese dictionary order as plain ASCII sort keys.

Order (ICU ``vi`` tailoring, vn-text.md §4.1): letters a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t
u ư v (w) x y (z) — the loanword letters f j w z sit in Latin order — compared over the whole string first;
then tones ngang < huyền < hỏi < ngã < sắc < nặng; then case (lower before upper). Python's code-point order
and ICU root are both wrong for Vietnamese (``Đặng`` last, ``Trương`` before ``Trần``).

The key is made only of ``[0-9a-z]`` so that it orders the same under Python string comparison, SQLite BINARY
and PostgreSQL under any collation (``en_US.UTF-8`` ignores punctuation and folds case, so neither may
appear).

Key layout, ``sort_key(s) = P + "0" + S + T``, with one entry per character of the cleaned string (NFC, runs
of white space made one space, ends trimmed):

* P, primary, a prefix-free code per character, in this order:
  ``1`` white space · ``2xxxx`` punctuation and symbols (``xxxx`` = code point in base 36) · ``3d`` digit
  ``d`` · letters as ``<ascii base><variant>``: ``a0`` a, ``a1`` ă, ``a2`` â, ``b0`` b … ``d0`` d, ``d1`` đ,
  ``e0`` e, ``e1`` ê, ``o0`` o, ``o1`` ô, ``o2`` ơ, ``u0`` u, ``u1`` ư … ``z0`` z · ``z1xxxx`` any other
  character (other scripts, ``ß``, ``ø`` …), after the Latin letters by code point.
* ``0`` ends the primary level; no primary code starts with ``0``, so a string sorts before its extensions.
* S, secondary, one digit per character: the tone (0 ngang … 5 nặng); ``6`` for a Latin letter bearing marks
  that are not Vietnamese (``ç``, ``ü``); ``0`` for non-letters.
* T, tertiary, one digit per character: ``1`` for an upper-case letter, else ``0``.

S and T need no separator: they are only reached when the primaries are equal, and then they have equal
length. For the same reason no key is a proper prefix of another, so keys can be concatenated
(``name_sort_key``). Different strings can share a key only when they differ in non-Vietnamese marks alone
(``ü``/``û``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from congvu.vntext.normalize import nfc
from congvu.vntext.syllable import TONE_MARKS

_SPACES = re.compile(r"\s+")
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_VARIANTS = {
    "ă": "a1", "â": "a2", "đ": "d1", "ê": "e1", "ô": "o1", "ơ": "o2", "ư": "u1",
}
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")

# Surnames of two syllables (họ kép) that split_name keeps together; the admin can store the parts
# separately when a name is read otherwise.
COMPOUND_SURNAMES = frozenset(
    ("âu dương", "tôn thất", "tôn nữ", "công tôn", "tư mã", "gia cát", "thượng quan", "hoàng phủ")
)


def _base36(value: int) -> str:
    digits = []
    for _ in range(4):
        value, rest = divmod(value, 36)
        digits.append(_DIGITS36[rest])
    return "".join(reversed(digits))


@lru_cache(maxsize=4096)
def _element(ch: str) -> tuple[str, str, str]:
    """(primary code, secondary digit, tertiary digit) of one NFC character."""
    if ch == " ":
        return "1", "0", "0"
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return f"3{digit}", "0", "0"
    if not ch.isalpha():
        return "2" + _base36(ord(ch)), "0", "0"
    lower = ch.lower()
    case = "0" if lower == ch else "1"
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    tones = [TONE_MARKS[m] for m in marks if m in TONE_MARKS]
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONE_MARKS))
    tone = str(int(tones[0])) if len(tones) == 1 else ("0" if not tones else "6")
    if letter in _VARIANTS:
        return _VARIANTS[letter], tone, case
    if letter in _ASCII_LETTERS:
        return letter + "0", tone, case
    if base in _ASCII_LETTERS:
        return base + "0", "6", case
    return "z1" + _base36(ord(ch)), "0", case


def sort_key(text: str) -> str:
    """Return the ASCII key whose plain order is Vietnamese dictionary order (layout: module notes)."""
    cleaned = _SPACES.sub(" ", nfc(text)).strip()
    primary, secondary, tertiary = [], [], []
    for ch in cleaned:
        p, s, t = _element(ch)
        primary.append(p)
        secondary.append(s)
        tertiary.append(t)
    return "".join(primary) + "0" + "".join(secondary) + "".join(tertiary)


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a full name into (họ, đệm, tên) = (family, middle, given).

    The family name is the first word, or the first two for a known compound surname (``Tôn Thất Thuyết``),
    the given name is the last word, the rest is the middle name. One word is a given name alone. This is only
    a heuristic (ethnic-minority names may put the family name last): store the parts separately where known.
    """
    words = _SPACES.sub(" ", nfc(full_name)).strip().split(" ")
    words = [w for w in words if w]
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    family_len = 2 if len(words) >= 3 and " ".join(words[:2]).lower() in COMPOUND_SURNAMES else 1
    family = " ".join(words[:family_len])
    middle = " ".join(words[family_len:-1])
    return family, middle, words[-1]


def name_sort_key(full_name: str) -> str:
    """Key for directories and lists of people: by tên (given name), then họ (family), then đệm (middle).

    Each part is compared with the ``sort_key`` rules (letters, then tones, then case, within the part); the
    result is ``sort_key(given) + "0" + sort_key(family) + "0" + sort_key(middle)``, still ``[0-9a-z]`` only.
    """
    family, middle, given = split_name(full_name)
    return "0".join((sort_key(given), sort_key(family), sort_key(middle)))


__all__ = ["COMPOUND_SURNAMES", "name_sort_key", "sort_key", "split_name"]
