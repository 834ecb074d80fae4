"""The search fold: the key that makes Vietnamese search insensitive to diacritics, case and tone placement.

``fold`` = case fold → NFD → drop combining marks → ``đ``/``Đ`` (and the eth look-alikes) → ``d`` → white
space collapsed (vn-text.md §3.1). ``đ`` needs its own rule because U+0111 has no Unicode decomposition, so
stripping marks leaves it alone (SQLite FTS5 ``remove_diacritics 2`` keeps it; PostgreSQL ``unaccent`` folds
it). Index the folded copy and fold the query the same way. Because tones are dropped, old and new tone
placement fold equal: ``fold("hòa") == fold("hoà") == "hoa"``.
"""

from __future__ import annotations

import unicodedata

_ETH_D = ("\u0111", "\u00f0")  # after casefold: đ, and eth ð (Ð casefolds to ð)
# The marks of Vietnamese in NFD (five tones, circumflex, breve, horn), tried first: most text needs no others.
_VIETNAMESE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b")


def _strip_marks(decomposed: str) -> str:
    # Whole-string replaces rather than a test per character: every message body is folded at delivery, and a
    # per-character loop in Python cost tens of milliseconds for 100 KB.
    for letter in _ETH_D:
        decomposed = decomposed.replace(letter, "d")
    for mark in _VIETNAMESE_MARKS:
        if decomposed.isascii():
            return decomposed
        decomposed = decomposed.replace(mark, "")
    if decomposed.isascii():
        return decomposed
    for ch in set(decomposed):
        if unicodedata.combining(ch):
            decomposed = decomposed.replace(ch, "")
    return decomposed


def _slow_fold(text: str) -> str:
    # str.split() splits on exactly the white space that ``\s`` matches in a str pattern.
    return " ".join(_strip_marks(unicodedata.normalize("NFD", text.casefold())).split())


_WORDWISE_FROM = 4096  # characters: below this the direct way is as fast
_PIECE = 8192  # characters folded by one call at most (see fold)
_SEPARATOR = "\x00"  # not white space, unchanged by case folding and decomposition, a starter (combining class 0)


# The ASCII characters str.split() takes for white space, besides the space itself.
_ASCII_SPACES = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)


def _fold_to_ascii(text: str) -> str | None:
    """The fold of text whose letters are ASCII once Vietnamese's marks are dropped, by whole-string operations
    only; None for other text (other letters or marks), which takes the general way."""
    folded = text.casefold()
    if folded.isascii():
        data = folded.encode("ascii")
    else:
        for letter in _ETH_D:
            folded = folded.replace(letter, "d")
        folded = unicodedata.normalize("NFD", folded)
        data = folded.encode("ascii", "ignore")
        # Right only if every character dropped is one of Vietnamese's marks (counting is cheaper than a scan).
        if len(folded) - len(data) != sum(map(folded.count, _VIETNAMESE_MARKS)):
            return None
    data = data.translate(_ASCII_SPACES)
    while b"  " in data:
        data = data.replace(b"  ", b" ")
    return data.strip(b" ").decode("ascii")


def fold(text: str) -> str:
    """Return the search key of ``text``: ``fold("Công Văn ĐẾN") == "cong van den"``."""
    if len(text) < _WORDWISE_FROM:
        return _slow_fold(text)
    if len(text) <= _PIECE:
        return _fold_long(text)
    # Folding never joins or splits words, so text cut at spaces folds piece by piece to the same key. Pieces
    # keep each call into C short: a server's other threads (and the one committing to the database, which gives
    # up the interpreter lock at every statement) never wait behind the fold of a whole message body.
    pieces: list[str] = []
    start = 0
    while start < len(text):
        cut = text.find(" ", start + _PIECE)
        end = len(text) if cut < 0 else cut
        pieces.append(_fold_long(text[start:end]))
        start = end
    return " ".join(filter(None, pieces))


def _fold_long(text: str) -> str:
    # A whole message body is folded at delivery: most fold to ASCII, a few whole-string passes in C.
    quick = _fold_to_ascii(text)
    if quick is not None:
        return quick
    if _SEPARATOR in text:
        return _slow_fold(text)
    # Folding works character by character and never makes or removes white space, so each distinct word is
    # folded once (all of them in one pass over their joined text) and the words are put back in order: the same
    # result for a fraction of the work on long text, where words repeat.
    words = text.split()
    distinct = list(dict.fromkeys(words))
    folded = _strip_marks(unicodedata.normalize("NFD", _SEPARATOR.join(distinct).casefold())).split(_SEPARATOR)
    table = dict(zip(distinct, folded, strict=True))
    return " ".join(filter(None, map(table.__getitem__, words)))
