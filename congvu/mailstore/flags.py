"""Message flags as stored: system flags as bits, keywords as a space-separated list (RFC 9051 §2.3.2).

Keywords are atoms (RFC 9051 §9 ``flag-keyword``) compared without regard to case, as clients do; the first
spelling seen is kept. ``\\Recent`` is never stored (it belongs to a session) and is dropped here.
"""

from __future__ import annotations

from collections.abc import Iterable

from congvu.errors import InvalidInput
from congvu.mailstore.api import ANSWERED, DELETED, DRAFT, FLAGGED, RECENT, SEEN, FlagMode

BITS: dict[str, int] = {SEEN: 1, ANSWERED: 2, FLAGGED: 4, DELETED: 8, DRAFT: 16}
SEEN_BIT = BITS[SEEN]
DELETED_BIT = BITS[DELETED]
_BY_UPPER = {name.upper(): name for name in (*BITS, RECENT)}
MAX_KEYWORDS = 64
MAX_KEYWORD_CHARS = 100
# RFC 9051 §9: atom-specials, list-wildcards, quoted-specials and resp-specials may not be in an atom.
_NOT_ATOM = frozenset('(){ %*"\\]')


class FlagSet:
    """Flags parsed from a request: system bits and keywords (by lower-case key, first spelling kept)."""

    __slots__ = ("bits", "keywords")

    def __init__(self, bits: int = 0, keywords: dict[str, str] | None = None) -> None:
        self.bits = bits
        self.keywords: dict[str, str] = keywords or {}

    @classmethod
    def parse(cls, flags: Iterable[str]) -> FlagSet:
        result = cls()
        for flag in flags:
            if flag.startswith("\\"):
                canonical = _BY_UPPER.get(flag.upper())
                if canonical is None:
                    raise InvalidInput(f"Cờ hệ thống không hợp lệ: {flag}", message_en=f"Invalid system flag: {flag}")
                if canonical != RECENT:
                    result.bits |= BITS[canonical]
                continue
            check_keyword(flag)
            result.keywords.setdefault(flag.lower(), flag)
        if len(result.keywords) > MAX_KEYWORDS:
            raise InvalidInput("Quá nhiều từ khoá trên một thư", message_en="Too many keywords on one message")
        return result

    @classmethod
    def stored(cls, bits: int, keywords: str) -> FlagSet:
        return cls(bits, {word.lower(): word for word in keywords.split()})

    def keywords_text(self) -> str:
        return " ".join(sorted(self.keywords.values(), key=str.lower))

    def apply(self, mode: FlagMode, change: FlagSet, *, bit_mask: int, with_keywords: bool = True) -> FlagSet:
        """The flags after STORE ``mode`` with ``change``; only bits inside ``bit_mask`` may move, and keywords
        only when ``with_keywords`` is true."""
        if not with_keywords:
            return FlagSet(self.apply(mode, change, bit_mask=bit_mask).bits, dict(self.keywords))
        keywords: dict[str, str]
        if mode == FlagMode.ADD:
            bits = self.bits | (change.bits & bit_mask)
            keywords = {**self.keywords, **{k: v for k, v in change.keywords.items() if k not in self.keywords}}
        elif mode == FlagMode.REMOVE:
            bits = self.bits & ~(change.bits & bit_mask)
            keywords = {k: v for k, v in self.keywords.items() if k not in change.keywords}
        else:
            bits = (self.bits & ~bit_mask) | (change.bits & bit_mask)
            keywords = {k: self.keywords.get(k, v) for k, v in change.keywords.items()}
        return FlagSet(bits, keywords)

    def same_as(self, other: FlagSet) -> bool:
        return self.bits == other.bits and self.keywords.keys() == other.keywords.keys()


def check_keyword(flag: str) -> str:
    if (not flag or len(flag) > MAX_KEYWORD_CHARS or not flag.isascii()
            or any(ch in _NOT_ATOM or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in flag)):
        raise InvalidInput(f"Từ khoá không hợp lệ: {flag!r}", message_en=f"Invalid keyword: {flag!r}")
    return flag


_FLAG_CACHE: dict[tuple[int, str], frozenset[str]] = {}
# Without keywords (most messages), by the bits alone: no key tuple to build.
_SYSTEM_ONLY: dict[int, frozenset[str]] = {}


def flag_names(bits: int, keywords: str) -> frozenset[str]:
    """The flags of a stored message as a set of names (shared frozensets: folders repeat a few combinations)."""
    if not keywords:
        found = _SYSTEM_ONLY.get(bits)
        if found is None:
            found = frozenset(name for name, bit in BITS.items() if bits & bit)
            if len(_SYSTEM_ONLY) < 1_000:
                _SYSTEM_ONLY[bits] = found
        return found
    key = (bits, keywords)
    found = _FLAG_CACHE.get(key)
    if found is None:
        names = [name for name, bit in BITS.items() if bits & bit]
        names.extend(keywords.split())
        found = frozenset(names)
        if len(_FLAG_CACHE) < 10_000:
            _FLAG_CACHE[key] = found
    return found
