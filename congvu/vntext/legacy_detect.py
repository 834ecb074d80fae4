"""Recognising legacy Vietnamese text and converting it to Unicode (vn-text.md §1.8).

Generic charset detectors do not know TCVN3, VNI or VISCII, so the evidence is Vietnamese-specific, in this
order:

1. **Letters only Unicode has.** Text (a ``str``, or bytes that are valid UTF-8) containing ``ă đ ơ ư ĩ ũ``
   (either case), a letter of U+1EA0–U+1EF9 or a combining tone mark is already Unicode: no legacy view can
   hold them. This is checked even before the font hint, because converting such text per a stale font name
   would corrupt its Latin-1 letters (``á`` → ``ỏ`` in TCVN3).
2. **Font name hint** (from a document's run properties): ``.Vn…`` → TCVN3 (a name ending in ``H``, such as
   ``.VnTimeH``, is a capital font: the run is upper-cased), ``VNI-…`` → VNI-Windows, ``VISCII``/``VI …`` →
   VISCII, ``VIQR`` → VIQR. A font name that says nothing (``Times New Roman``) is ignored.
3. **Syllable score.** Each candidate decoding (TCVN3, VNI, VIQR, UTF-8 mojibake, VISCII, Windows-1258) is
   scored: +1 per word with Vietnamese letters that is a well-formed syllable (``syllable.is_syllable``) in
   lower, upper or title case, +2 if it is one of the frequent ``COMMON_SYLLABLES``, −1 per other word, −1 per
   leftover junk character (Latin-1 symbols such as ``§ · ¸ µ``, controls); ASCII words count for nothing.
   The score is that sum over the total counted. A candidate wins only with at least two good words, a score
   of at least 0.5, and a strictly better score than the text as it stands: ties keep the text unchanged, so
   a conversion happens only on positive evidence.
   Between candidates, the higher score wins, then the larger weighted count of good words.

Short strings using only Latin-1 letters (``Tôi là``) are genuinely ambiguous and stay as they are. VISCII
and TCVN3 share most lowercase codes, so a few unlabelled words of VISCII may read as TCVN3 (by far the more
common): where a MIME label says ``charset=VISCII`` or ``windows-1258``, call ``decode_legacy`` with that
label instead.
Callers keep the original bytes next to the converted text: it is the legal record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from congvu.vntext.legacy_codec import LegacyEncoding, decode_legacy, decode_plain
from congvu.vntext.legacy_tables import bytes_as_cp1252
from congvu.vntext.normalize import nfc
from congvu.vntext.syllable import COMMON_SYLLABLES, TONE_MARKS, is_syllable

_UNICODE_ONLY = frozenset("ăĂđĐơƠưƯĩĨũŨ") | frozenset(map(chr, range(0x1EA0, 0x1EFA))) | frozenset(TONE_MARKS)
_WORD = re.compile(r"[^\W\d_]+")
_CP1252_SPECIALS = frozenset("ƒˆ‰Š‹ŒŽ˜™š›œžŸ\ufffd×÷")
_MIN_GOOD = 2
_MIN_SCORE = 0.5
_TEXT_CANDIDATES = (
    LegacyEncoding.TCVN3, LegacyEncoding.VNI_WINDOWS, LegacyEncoding.VIQR, LegacyEncoding.UTF8_AS_CP1252,
    LegacyEncoding.VISCII, LegacyEncoding.CP1258,
)
_BYTE_CANDIDATES = (
    LegacyEncoding.TCVN3, LegacyEncoding.VNI_WINDOWS, LegacyEncoding.VISCII, LegacyEncoding.CP1258,
)


@dataclass(frozen=True)
class Detection:
    """What a text was written in, how sure we are (0..1), and the NFC Unicode text."""

    encoding: LegacyEncoding
    confidence: float
    text: str


@dataclass(frozen=True)
class FontEncoding:
    """The encoding a legacy font implies; ``capital`` for TCVN3 capital fonts (``.VnTimeH``)."""

    encoding: LegacyEncoding
    capital: bool = False


def encoding_for_font(font_name: str) -> FontEncoding | None:
    """The legacy encoding a font name implies, or None for a Unicode or unknown font."""
    name = font_name.strip()
    key = name.lower()
    if key.startswith(".vn"):
        return FontEncoding(LegacyEncoding.TCVN3, capital=name.endswith("H"))
    if key.startswith(("vni-", "vni ", "vni_")):
        return FontEncoding(LegacyEncoding.VNI_WINDOWS)
    if "viscii" in key or key.startswith(("vi ", "vi-", "vi_")):
        return FontEncoding(LegacyEncoding.VISCII)
    if key.startswith("viqr"):
        return FontEncoding(LegacyEncoding.VIQR)
    return None


def has_unicode_only_letters(text: str) -> bool:
    """True when ``text`` holds a Vietnamese letter or tone mark that no legacy view can contain."""
    return not _UNICODE_ONLY.isdisjoint(text)


def _is_junk(ch: str) -> bool:
    cp = ord(ch)
    if ch in "\t\n\r":
        return False
    return cp < 0x20 or 0x7F <= cp <= 0x9F or 0xA1 <= cp <= 0xBF or ch in _CP1252_SPECIALS


@dataclass(frozen=True)
class _Score:
    good: int  # well-formed syllables with Vietnamese letters
    weight: int  # the same, frequent ones counted twice
    bad: int
    junk: int

    @property
    def value(self) -> float:
        total = self.weight + self.bad + self.junk
        return (self.weight - self.bad - self.junk) / total if total else 0.0

    @property
    def confidence(self) -> float:
        total = self.good + self.bad + self.junk
        if not total:
            return 0.0
        return round(min(0.99, self.good / total * (1 - 0.5**self.good)), 3)


def _evaluate(text: str) -> _Score:
    good = weight = bad = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        # A capital inside a lowercase word ("lỰc") is what a wrong table with capitals (VISCII) produces.
        if is_syllable(word) and (word.islower() or word.isupper() or word.istitle()):
            good += 1
            weight += 2 if word.lower() in COMMON_SYLLABLES else 1
        else:
            bad += 1
    return _Score(good, weight, bad, sum(map(_is_junk, text)))


def _choose(data: bytes | str, baseline: Detection, candidates: tuple[LegacyEncoding, ...]) -> Detection:
    base_score = _evaluate(baseline.text).value
    best: tuple[float, int, LegacyEncoding, str, _Score] | None = None
    rival = 0.0
    for encoding in candidates:
        plain = decode_plain(data, encoding)
        text = nfc(plain)
        if text == baseline.text:
            continue
        score = _evaluate(plain)
        rival = max(rival, score.value)
        if score.good < _MIN_GOOD or score.value < _MIN_SCORE or score.value <= base_score:
            continue
        if best is None or (score.value, score.weight) > (best[0], best[1]):
            best = (score.value, score.weight, encoding, text, score)
    if best is None:
        if rival <= 0.0:
            return baseline
        return Detection(baseline.encoding, round(max(0.5, 1.0 - rival / 2), 3), baseline.text)
    return Detection(best[2], best[4].confidence, best[3])


def _from_font(data: bytes | str, font_hint: str | None) -> Detection | None:
    font = encoding_for_font(font_hint) if font_hint else None
    if font is None:
        return None
    return Detection(font.encoding, 0.95, decode_legacy(data, font.encoding, capital=font.capital))


def detect_legacy(data: bytes | str, *, font_hint: str | None = None) -> Detection:
    """Find what ``data`` was written in and convert it (rules in the module notes).

    Bytes that are valid UTF-8 are judged as that text; other bytes are judged among the 8-bit encodings, and
    when none fits they are read as Windows-1252 (``cp1252``). Plain ASCII and real Unicode come back
    unchanged as ``unicode``.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            by_font = _from_font(data, font_hint)
            if by_font is not None:
                return by_font
            baseline = Detection(LegacyEncoding.CP1252, 1.0, nfc(bytes_as_cp1252(data)))
            return _choose(data, baseline, _BYTE_CANDIDATES)
    if has_unicode_only_letters(data):
        return Detection(LegacyEncoding.UNICODE, 0.99, nfc(data))
    by_font = _from_font(data, font_hint)
    if by_font is not None:
        return by_font
    return _choose(data, Detection(LegacyEncoding.UNICODE, 1.0, nfc(data)), _TEXT_CANDIDATES)


def to_unicode(data: bytes | str, *, font_hint: str | None = None) -> str:
    """``detect_legacy(data, font_hint=…).text``: the text in NFC Unicode, converted when it was legacy."""
    return detect_legacy(data, font_hint=font_hint).text
