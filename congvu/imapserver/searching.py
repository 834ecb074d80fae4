"""SEARCH, SORT and THREAD keys turned into the store's criteria, and their results into responses.

What only the session knows is resolved here: message numbers become UID ranges, ``$`` the saved result (RFC
5182), RECENT the session's \\Recent set (RFC 3501 §6.4.4). Text keys go to the store unchanged: it matches them
through its index without case or Vietnamese diacritics ("cong van" finds "công văn", RFC 9051 §6.4.4 leaves
the comparison to the server).

Responses: ``* SEARCH`` for IMAP4rev1 clients, ``* ESEARCH`` (RFC 4731) when RETURN was given or the client
enabled IMAP4rev2 (RFC 9051 §7.3.4), ``* SORT`` or ESORT (RFC 5267), with ``(MODSEQ n)`` when the key named a
mod-sequence (RFC 7162 §3.1.5).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from congvu.imap import response, wire
from congvu.imap.commands import SortCriterion
from congvu.imap.search import (
    SearchAll,
    SearchAnd,
    SearchDate,
    SearchFlag,
    SearchHeader,
    SearchKey,
    SearchModSeq,
    SearchNot,
    SearchOr,
    SearchSequence,
    SearchSize,
    SearchText,
)
from congvu.imap.sequence import NumberSet
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.criteria import (
    AllOf,
    AnyOf,
    Criterion,
    DateCompare,
    DateField,
    DateMatch,
    HasFlag,
    HeaderContains,
    MatchAll,
    ModSeqAtLeast,
    Not,
    SizeMatch,
    SortKey,
    SortOrder,
    TextContains,
    TextField,
    UidIn,
)

_TEXT_FIELDS = {
    "subject": TextField.SUBJECT,
    "from": TextField.FROM,
    "to": TextField.TO,
    "cc": TextField.CC,
    "bcc": TextField.BCC,
}
_SORT_KEYS = {key.name: key for key in SortKey}


def to_criterion(key: SearchKey, folder: SelectedFolder, saved: Sequence[int]) -> Criterion:
    """The store criterion for ``key`` as evaluated in ``folder`` by this session."""
    if isinstance(key, SearchAll):
        return MatchAll()
    if isinstance(key, SearchFlag):
        if key.flag == "\\Recent":
            recent = UidIn.of(folder.recent)
            return recent if key.present else Not(recent)
        return HasFlag(key.flag, key.present)
    if isinstance(key, SearchHeader):
        field = _TEXT_FIELDS.get(key.field.lower())
        if field is not None:
            return TextContains(field, key.value)
        return HeaderContains(key.field, key.value)
    if isinstance(key, SearchText):
        return TextContains(TextField.TEXT if key.headers else TextField.BODY, key.value)
    if isinstance(key, SearchDate):
        return DateMatch(DateField(key.field.value), DateCompare(key.compare.value), key.day)
    if isinstance(key, SearchSize):
        return SizeMatch(key.size, key.larger)
    if isinstance(key, SearchSequence):
        return _sequence(key, folder, saved)
    if isinstance(key, SearchModSeq):
        return ModSeqAtLeast(key.modseq)
    if isinstance(key, SearchNot):
        return Not(to_criterion(key.key, folder, saved))
    if isinstance(key, SearchOr):
        return AnyOf((to_criterion(key.left, folder, saved), to_criterion(key.right, folder, saved)))
    return AllOf(tuple(to_criterion(k, folder, saved) for k in key.keys))


def _sequence(key: SearchSequence, folder: SelectedFolder, saved: Sequence[int]) -> Criterion:
    if key.sequence.saved:
        return UidIn.of(tuple(saved))
    if key.uid:
        # "*" is the highest UID in use; ranges past it stay as given (the store ignores missing UIDs).
        return UidIn(key.sequence.resolve(folder.max_uid).ranges)
    if folder.count == 0:
        return UidIn(())
    numbers = key.sequence.resolve(folder.count)
    if numbers.ranges == ((1, folder.count),):
        return UidIn(((1, folder.max_uid),))
    return UidIn(folder.seq_ranges_to_uid_ranges(numbers))


def uses_modseq(key: SearchKey) -> bool:
    if isinstance(key, SearchModSeq):
        return True
    if isinstance(key, SearchNot):
        return uses_modseq(key.key)
    if isinstance(key, SearchOr):
        return uses_modseq(key.left) or uses_modseq(key.right)
    if isinstance(key, SearchAnd):
        return any(uses_modseq(k) for k in key.keys)
    return False


def sort_orders(criteria: Sequence[SortCriterion]) -> tuple[SortOrder, ...]:
    return tuple(SortOrder(_SORT_KEYS[c.key], c.reverse) for c in criteria)


def visible(uids: Sequence[int], folder: SelectedFolder) -> list[int]:
    """The UIDs the client may hear of: those of messages it has been told about (in the order given)."""
    limit = folder.max_uid
    known = folder.uids
    count = len(known)
    found: list[int] = []
    for uid in uids:
        if uid <= limit:
            index = bisect_left(known, uid)
            if index < count and known[index] == uid:
                found.append(uid)
    return found


def saved_result(numbers: Sequence[int], options: frozenset[str]) -> tuple[int, ...]:
    """RFC 5182 §2.1: with only MIN and/or MAX beside SAVE, only those are saved."""
    if not numbers:
        return ()
    if options & {"ALL", "COUNT"} or not options & {"MIN", "MAX"}:
        return tuple(numbers)
    chosen = []
    if "MIN" in options:
        chosen.append(min(numbers))
    if "MAX" in options:
        chosen.append(max(numbers))
    return tuple(sorted(set(chosen)))


def esearch_line(tag: str, numbers: Sequence[int], options: frozenset[str], *, uid: bool,
                 modseq: int | None) -> bytes:
    """``* ESEARCH (TAG "t") [UID] MIN … MAX … COUNT … ALL …`` (RFC 4731 §3.1); empty results omit MIN, MAX
    and ALL."""
    return response.esearch(
        tag,
        uid=uid,
        minimum=min(numbers) if numbers and "MIN" in options else None,
        maximum=max(numbers) if numbers and "MAX" in options else None,
        all_numbers=numbers if numbers and "ALL" in options else None,
        count=len(numbers) if "COUNT" in options else None,
        modseq=modseq if numbers else None,
    )


def esort_line(tag: str, numbers: Sequence[int], options: frozenset[str], *, uid: bool,
               modseq: int | None) -> bytes:
    """RFC 5267 §3.1: like ESEARCH, but MIN and MAX are the first and last in sort order and ALL keeps the
    sort order (runs of consecutive numbers still collapse into ranges)."""
    parts: list[bytes] = [b"ESEARCH", b"(TAG " + wire.quoted(tag) + b")"]
    if uid:
        parts.append(b"UID")
    if numbers and "MIN" in options:
        parts.append(f"MIN {numbers[0]}".encode("ascii"))
    if numbers and "MAX" in options:
        parts.append(f"MAX {numbers[-1]}".encode("ascii"))
    if numbers and "ALL" in options:
        parts.append(b"ALL " + wire.sequence_set(numbers, sort=False).encode("ascii"))
    if "COUNT" in options:
        parts.append(f"COUNT {len(numbers)}".encode("ascii"))
    if numbers and modseq is not None:
        parts.append(f"MODSEQ {modseq}".encode("ascii"))
    return response.data(*parts)


def uid_ranges(uids: Sequence[int]) -> NumberSet:
    return NumberSet.from_ranges((u, u) for u in uids)
