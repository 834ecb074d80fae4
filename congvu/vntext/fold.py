"""The search fold: the key that makes Vietnamese search insensitive to diacritics, case and tone placement.

``fold`` = case fold → NFD → drop combining marks → ``đ``/``Đ`` (and the eth look-alikes) → ``d`` → white
space collapsed (vn-text.md §3.1). ``đ`` needs its own rule because U+0111 has no Unicode decomposition, so
stripping marks leaves it alone (SQLite FTS5 ``remove_diacritics 2`` keeps it; PostgreSQL ``unaccent`` folds
it). Index the folded copy and fold the query the same way. Because tones are dropped, old and new tone
placement fold equal: ``fold("hòa") == fold("hoà") == "hoa"``.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_D = str.maketrans({"\u0111": "d", "\u00f0": "d"})  # after casefold: đ, and eth ð (Ð casefolds to ð)


def fold(text: str) -> str:
    """Return the search key of ``text``: ``fold("Công Văn ĐẾN") == "cong van den"``."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.translate(_D)).strip()
