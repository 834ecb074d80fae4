"""From IMAP SEARCH and SORT programs (:mod:`congvu.imap.search`, RFC 9051 §6.4.4, RFC 5256) to the mail store's
criteria (:mod:`congvu.mailstore.criteria`).

What only the session knows is passed in: the UIDs in message-number order (message sequence numbers map to
them), the saved result ``$`` (RFC 5182) and the UIDs that are ``\\Recent`` in this session. Everything else is
a one-to-one renaming, so the store evaluates the program in the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from congvu.imap.commands import SortCriterion, StoreMode
from congvu.imap.search import (
    Compare,
    DateField,
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
from congvu.mailstore import criteria as store
from congvu.mailstore.api import RECENT, FlagMode

_ADDRESS_HEADERS = {"subject": store.TextField.SUBJECT, "from": store.TextField.FROM, "to": store.TextField.TO,
                    "cc": store.TextField.CC, "bcc": store.TextField.BCC}
_COMPARE = {Compare.BEFORE: store.DateCompare.BEFORE, Compare.ON: store.DateCompare.ON,
            Compare.SINCE: store.DateCompare.SINCE}
_DATE_FIELD = {DateField.INTERNAL: store.DateField.INTERNAL, DateField.SENT: store.DateField.SENT}
_SORT_KEYS = {key.value.upper(): key for key in store.SortKey}


class SessionView:
    """The session's side of a search: UIDs by message number, the saved result and its \\Recent UIDs."""

    def __init__(self, uids: Sequence[int], *, saved: Collection[int] = (), recent: Collection[int] = ()) -> None:
        self.uids = uids
        self.saved = saved
        self.recent = recent


def _uid_set(uids: Collection[int]) -> store.UidIn:
    return store.UidIn.of(sorted(uids))


def _sequence(key: SearchSequence, view: SessionView) -> store.Criterion:
    if key.sequence.saved:
        return _uid_set(view.saved)
    if key.uid:
        # RFC 9051 §6.4.8: "*" is the largest UID in use; an empty mailbox has none.
        largest = view.uids[-1] if view.uids else 0
        return store.UidIn(key.sequence.resolve(largest).ranges)
    count = len(view.uids)
    numbers = key.sequence.resolve(count).clip(1, count) if count else None
    if numbers is None or not numbers:
        return store.UidIn(())
    if numbers.ranges == ((1, count),):
        return store.MATCH_ALL
    return _uid_set([view.uids[n - 1] for n in numbers])


def from_imap(key: SearchKey, view: SessionView) -> store.Criterion:
    """The store criterion equivalent to ``key`` in the session ``view``."""
    if isinstance(key, SearchAll):
        return store.MATCH_ALL
    if isinstance(key, SearchFlag):
        if key.flag.upper() == RECENT.upper():
            recent = _uid_set(view.recent)
            return recent if key.present else store.Not(recent)
        return store.HasFlag(key.flag, key.present)
    if isinstance(key, SearchHeader):
        field = _ADDRESS_HEADERS.get(key.field.lower())
        if field is not None and key.value:
            return store.TextContains(field, key.value)
        return store.HeaderContains(key.field, key.value)
    if isinstance(key, SearchText):
        return store.TextContains(store.TextField.TEXT if key.headers else store.TextField.BODY, key.value)
    if isinstance(key, SearchDate):
        return store.DateMatch(_DATE_FIELD[key.field], _COMPARE[key.compare], key.day)
    if isinstance(key, SearchSize):
        return store.SizeMatch(key.size, key.larger)
    if isinstance(key, SearchSequence):
        return _sequence(key, view)
    if isinstance(key, SearchModSeq):
        return store.ModSeqAtLeast(key.modseq)
    if isinstance(key, SearchNot):
        return store.Not(from_imap(key.key, view))
    if isinstance(key, SearchOr):
        return store.AnyOf((from_imap(key.left, view), from_imap(key.right, view)))
    if isinstance(key, SearchAnd):
        return store.AllOf(tuple(from_imap(item, view) for item in key.keys))
    raise TypeError(f"unknown search key {key!r}")


def sort_order(criteria: Sequence[SortCriterion]) -> tuple[store.SortOrder, ...]:
    """The criteria of a SORT command as store sort orders."""
    return tuple(store.SortOrder(_SORT_KEYS[item.key.upper()], item.reverse) for item in criteria)


def flag_mode(mode: StoreMode) -> FlagMode:
    """STORE FLAGS / +FLAGS / -FLAGS as the store's mode."""
    return {StoreMode.REPLACE: FlagMode.REPLACE, StoreMode.ADD: FlagMode.ADD, StoreMode.REMOVE: FlagMode.REMOVE}[mode]
