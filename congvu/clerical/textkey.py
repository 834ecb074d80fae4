"""Text cleaning and comparison keys for the clerical rules.

Every value this package reads is first cleaned (NFC, TCVN 6909:2001 = Unicode; the look-alike eth U+00D0 is
replaced by Đ U+0110). Names typed by people are compared on a folded key: NFD, combining marks dropped, ``đ``
folded to ``d``, case folded and spaces collapsed. The fold makes the comparison independent of tone placement
(``Hỏa tốc`` / ``Hoả tốc`` are different NFC strings, even inside NĐ 30/2020 itself).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Look-alikes of Đ/đ that legacy converters and some keyboards produce: eth (Icelandic) and its small form.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_FOLD_D = str.maketrans({"\u0111": "d", "\u0110": "d"})


def clean_text(text: str) -> str:
    """Return ``text`` in NFC with the eth look-alikes replaced by Đ/đ (no trimming)."""
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKES))


def clean_line(text: str) -> str:
    """Return ``text`` cleaned, with runs of white space made single spaces and the ends trimmed."""
    return _SPACES.sub(" ", clean_text(text)).strip()


def fold_key(text: str) -> str:
    """Return the comparison key of ``text``: no diacritics, ``đ`` → ``d``, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", clean_text(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.translate(_FOLD_D).casefold()).strip()
