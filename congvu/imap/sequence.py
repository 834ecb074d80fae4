"""Sequence sets of message numbers and UIDs (RFC 9051 §9 ``sequence-set``, ``$`` of RFC 5182).

A set is kept as the ranges the client wrote, with ``*`` unresolved, so ``1:4294967295`` costs two integers.
:meth:`SequenceSet.resolve` turns it, against the largest number in use, into a :class:`NumberSet` of merged
ranges that answers membership by bisection and iterates without building a list.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from congvu.imap.errors import ParseError

STAR = 0
"""Stands for ``*`` in a range bound: 0 is never a valid message number or UID (RFC 9051 §9 nz-number)."""

MAX_NUMBER = 4_294_967_295
DEFAULT_MAX_RANGES = 50_000


@dataclass(frozen=True)
class NumberSet:
    """Disjoint ranges ``(low, high)`` in ascending order, both ends included."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def from_ranges(cls, ranges: Iterable[tuple[int, int]]) -> NumberSet:
        merged: list[tuple[int, int]] = []
        for low, high in sorted((min(a, b), max(a, b)) for a, b in ranges):
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return cls(tuple(merged))

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, int):
            return False
        index = bisect.bisect_right(self.ranges, (number, MAX_NUMBER + 1)) - 1
        return index >= 0 and self.ranges[index][0] <= number <= self.ranges[index][1]

    def __iter__(self) -> Iterator[int]:
        for low, high in self.ranges:
            yield from range(low, high + 1)

    def __len__(self) -> int:
        return sum(high - low + 1 for low, high in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def clip(self, low: int, high: int) -> NumberSet:
        """The part of the set inside ``low..high``."""
        clipped = [(max(a, low), min(b, high)) for a, b in self.ranges if b >= low and a <= high]
        return NumberSet(tuple(clipped))

    def __str__(self) -> str:
        return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in self.ranges)


@dataclass(frozen=True)
class SequenceSet:
    """A ``sequence-set`` as sent: ranges with :data:`STAR` for ``*``, or the saved search result ``$``."""

    ranges: tuple[tuple[int, int], ...] = ()
    saved: bool = False

    @classmethod
    def parse(
        cls, text: str | bytes, *, tag: str | None = None, max_ranges: int = DEFAULT_MAX_RANGES
    ) -> SequenceSet:
        """Parse the wire form; raise :class:`ParseError` (BAD) for anything outside the grammar."""
        if isinstance(text, bytes):
            text = text.decode("ascii", "replace")
        if text == "$":
            return cls(saved=True)
        items = text.split(",")
        if len(items) > max_ranges:
            raise ParseError(
                tag,
                f"Tập số thứ tự quá dài (hơn {max_ranges} khoảng)",
                message_en=f"Sequence set has more than {max_ranges} ranges",
            )
        ranges: list[tuple[int, int]] = []
        for item in items:
            bounds = item.split(":")
            if len(bounds) > 2:
                raise _bad(tag, text)
            numbers = [_seq_number(bound, tag, text) for bound in bounds]
            ranges.append((numbers[0], numbers[-1]))
        return cls(tuple(ranges))

    @classmethod
    def of(cls, numbers: Iterable[int]) -> SequenceSet:
        """The compressed set of the given numbers (``1,2,3,5`` gives ``1:3,5``)."""
        return cls(NumberSet.from_ranges((n, n) for n in numbers).ranges)

    @classmethod
    def everything(cls) -> SequenceSet:
        return cls(((1, STAR),))

    def resolve(self, largest: int) -> NumberSet:
        """Replace ``*`` by ``largest`` and merge; the caller substitutes a saved set (``$``) first.

        For UIDs the result may reach past the largest UID in use (RFC 9051 §6.4.8: ``559:*`` always includes
        the last message); intersect with the UIDs that exist.
        """
        if self.saved:
            raise ValueError("the saved search result ($) must be substituted before resolving")
        return NumberSet.from_ranges(
            (largest if a == STAR else a, largest if b == STAR else b) for a, b in self.ranges
        )

    def numbers(self, largest: int) -> Iterator[int]:
        """Ascending message numbers in ``1..largest`` (sequence-number semantics)."""
        if largest < 1:
            return iter(())
        return iter(self.resolve(largest).clip(1, largest))

    def contains(self, number: int, largest: int) -> bool:
        return number in self.resolve(largest)

    @property
    def uses_star(self) -> bool:
        return any(STAR in pair for pair in self.ranges)

    def __str__(self) -> str:
        if self.saved:
            return "$"
        parts: list[str] = []
        for a, b in self.ranges:
            left = "*" if a == STAR else str(a)
            right = "*" if b == STAR else str(b)
            parts.append(left if a == b else f"{left}:{right}")
        return ",".join(parts)


def _bad(tag: str | None, text: str) -> ParseError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return ParseError(
        tag, f"Tập số thứ tự không hợp lệ: {shown}", message_en=f"Invalid sequence set: {shown}"
    )


def _seq_number(bound: str, tag: str | None, text: str) -> int:
    if bound == "*":
        return STAR
    # RFC 9051 §9: nz-number = digit-nz *DIGIT, at most 32 bits.
    if not bound.isascii() or not bound.isdigit() or bound[0] == "0" or len(bound) > 10:
        raise _bad(tag, text)
    value = int(bound)
    if value > MAX_NUMBER:
        raise _bad(tag, text)
    return value
