"""STORE: flag modes, MODSEQ per changed message, UNCHANGEDSINCE, keywords, and CONDSTORE changes."""

from __future__ import annotations

import pytest
from mailstore_samples import People, message

from congvu.errors import InvalidInput
from congvu.mailstore.api import ANSWERED, DELETED, FLAGGED, RECENT, SEEN, FlagMode


def _inbox_with(people: People, count: int) -> int:
    for i in range(count):
        people.store.deliver(message(f"Thư số {i + 1}"), [people.an])
    return people.store.find_folder(people.an, "INBOX").id


def test_add_remove_replace(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 3)
    added = store.store_flags(people.an, inbox, [1, 2], FlagMode.ADD, [SEEN, "$Forwarded"])
    assert added.changed == {1, 2}
    assert [m.flags for m in added.messages] == [{SEEN, "$Forwarded"}] * 2
    removed = store.store_flags(people.an, inbox, [1], FlagMode.REMOVE, ["$forwarded"])  # keywords: any case
    assert removed.messages[0].flags == {SEEN}
    replaced = store.store_flags(people.an, inbox, range(1, 4), FlagMode.REPLACE, [FLAGGED, ANSWERED])
    assert replaced.changed == {1, 2, 3}
    assert {m.uid: m.flags for m in store.snapshot(people.an, inbox).messages} == {
        1: {FLAGGED, ANSWERED}, 2: {FLAGGED, ANSWERED}, 3: {FLAGGED, ANSWERED}}


def test_modseq_moves_only_for_changed_messages(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 3)
    before = {m.uid: m.modseq for m in store.snapshot(people.an, inbox).messages}
    first = store.store_flags(people.an, inbox, [1, 2], FlagMode.ADD, [SEEN])
    assert first.highestmodseq > max(before.values())
    second = store.store_flags(people.an, inbox, [1, 2, 3], FlagMode.ADD, [SEEN])
    assert second.changed == {3}
    after = {m.uid: m.modseq for m in second.messages}
    assert after[1] == after[2] == first.highestmodseq
    assert after[3] == second.highestmodseq > first.highestmodseq
    nothing = store.store_flags(people.an, inbox, [1], FlagMode.ADD, [SEEN])
    assert nothing.changed == frozenset() and nothing.highestmodseq == second.highestmodseq
    assert store.get_folder(people.an, inbox).highestmodseq == second.highestmodseq


def test_unchangedsince(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 2)
    snap = store.snapshot(people.an, inbox)
    known = snap.folder.highestmodseq
    store.store_flags(people.an, inbox, [2], FlagMode.ADD, [FLAGGED])  # another session changed message 2
    result = store.store_flags(people.an, inbox, [1, 2], FlagMode.ADD, [DELETED], unchanged_since=known)
    assert result.modified == (2,)  # RFC 7162 §3.1.3: [MODIFIED 2]
    assert result.changed == {1}
    flags = {m.uid: m.flags for m in store.snapshot(people.an, inbox).messages}
    assert flags == {1: {DELETED}, 2: {FLAGGED}}


def test_recent_is_not_stored_and_bad_flags_are_refused(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 1)
    result = store.store_flags(people.an, inbox, [1], FlagMode.ADD, [RECENT, "\\seen"])
    assert result.messages[0].flags == {SEEN}
    with pytest.raises(InvalidInput):
        store.store_flags(people.an, inbox, [1], FlagMode.ADD, ["\\Bogus"])
    with pytest.raises(InvalidInput):
        store.store_flags(people.an, inbox, [1], FlagMode.ADD, ["two words"])


def test_changes_since_for_condstore(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 3)
    known = store.snapshot(people.an, inbox).folder.highestmodseq
    store.store_flags(people.an, inbox, [2], FlagMode.ADD, [SEEN])
    people.store.deliver(message("Thư mới"), [people.an])
    changes = store.changes_since(people.an, inbox, known)
    assert [m.uid for m in changes.changed] == [2, 4]
    assert changes.vanished == ()
    assert changes.highestmodseq == max(m.modseq for m in changes.changed)
    assert store.changes_since(people.an, inbox, changes.highestmodseq).changed == ()


def test_store_over_many_messages_by_ranges(people: People) -> None:
    store = people.store
    inbox = _inbox_with(people, 30)

    class Ranges:  # what congvu.imap.sequence.NumberSet offers
        ranges = ((1, 10), (20, 4_294_967_295))

    result = store.store_flags(people.an, inbox, Ranges(), FlagMode.ADD, [SEEN])
    assert sorted(result.changed) == [*range(1, 11), *range(20, 31)]
    status = store.folder_status(people.an, inbox)
    assert status.messages == 30 and status.unseen == 9
