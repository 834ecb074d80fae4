"""Reading a folder: summaries of UID ranges (FETCH FLAGS), CONDSTORE changes, contents kept between reads,
arrival times as each database hands them over, and child folders whose names hold LIKE wildcards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from mailstore_samples import People, message

from congvu.imap.sequence import NumberSet
from congvu.mailstore import contents
from congvu.mailstore.api import DELETED, FLAGGED, SEEN, FlagMode
from congvu.mailstore.messages import arrival

ICT = timezone(timedelta(hours=7))


def _folder_with_gaps(people: People) -> int:
    """INBOX with UIDs 1–12, 4 and 9 expunged, some flags set."""
    store = people.store
    for n in range(12):
        store.deliver(message(f"Thư số {n}", f"Nội dung {n}"), [people.an],
                      internal_date=datetime(2025, 3, 1, 8, n, tzinfo=ICT))
    inbox = store.find_folder(people.an, "INBOX").id
    store.store_flags(people.an, inbox, [4, 9], FlagMode.ADD, [DELETED])
    store.expunge(people.an, inbox)
    store.store_flags(people.an, inbox, [2, 3], FlagMode.ADD, [SEEN, "$Quan_trong"])
    store.store_flags(people.an, inbox, [11], FlagMode.ADD, [FLAGGED])
    return inbox


def test_summaries_of_ranges_and_scattered_uids_match_the_snapshot(people: People) -> None:
    store = people.store
    inbox = _folder_with_gaps(people)
    snapshot = store.snapshot(people.an, inbox).messages
    assert [m.uid for m in snapshot] == [1, 2, 3, 5, 6, 7, 8, 10, 11, 12]
    by_uid = {m.uid: m for m in snapshot}
    assert store.fetch_summaries(people.an, inbox, NumberSet.from_ranges([(1, 4_000_000)])) == snapshot
    assert store.fetch_summaries(people.an, inbox, NumberSet.from_ranges([(3, 9)])) == tuple(
        by_uid[uid] for uid in (3, 5, 6, 7, 8))
    assert store.fetch_summaries(people.an, inbox, [12, 2, 4, 7]) == tuple(by_uid[uid] for uid in (2, 7, 12))
    assert store.fetch_summaries(people.an, inbox, [99]) == ()
    first = snapshot[0]
    assert first.internal_date == datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
    assert first.internal_date.tzinfo is not None and first.internal_date.utcoffset() == timedelta(0)
    # FETCH reads the same summaries (one range, several ranges).
    assert tuple(m.summary for m in store.fetch(people.an, inbox, NumberSet.from_ranges([(1, 12)]))) == snapshot
    assert tuple(m.summary for m in store.fetch(people.an, inbox, [11, 2])) == (by_uid[2], by_uid[11])


def test_a_delegate_reads_its_own_seen_in_summaries(people: People) -> None:
    store = people.store
    for n in range(3):
        store.deliver(message(f"Công văn {n}"), [people.agency])
    inbox = store.find_folder(people.binh, f"Shared/{people.agency_address}/INBOX").id
    store.store_flags(people.binh, inbox, [2], FlagMode.ADD, [SEEN])
    store.store_flags(people.agency, inbox, [3], FlagMode.ADD, [SEEN])
    span = NumberSet.from_ranges([(1, 3)])
    assert [m.flags for m in store.fetch_summaries(people.binh, inbox, span)] == [frozenset(), {SEEN}, frozenset()]
    assert [m.flags for m in store.fetch_summaries(people.agency, inbox, span)] == [frozenset(), frozenset(), {SEEN}]
    assert store.fetch_summaries(people.binh, inbox, span) == store.snapshot(people.binh, inbox).messages


def test_changes_since_the_highest_modseq_are_none_until_something_changes(people: People) -> None:
    store = people.store
    inbox = _folder_with_gaps(people)
    highest = store.snapshot(people.an, inbox).folder.highestmodseq
    quiet = store.changes_since(people.an, inbox, highest)
    assert (quiet.changed, quiet.vanished, quiet.highestmodseq) == ((), (), highest)
    assert store.changes_since(people.an, inbox, highest + 10).changed == ()
    store.store_flags(people.an, inbox, [5], FlagMode.ADD, [SEEN])
    store.store_flags(people.an, inbox, [6], FlagMode.ADD, [DELETED])
    store.expunge(people.an, inbox, [6])
    later = store.changes_since(people.an, inbox, highest)
    assert [m.uid for m in later.changed] == [5]
    assert later.vanished == (6,)
    assert later.highestmodseq > highest
    # Everything since the start: tombstones of the first expunge too.
    assert store.changes_since(people.an, inbox, 0).vanished == (4, 6, 9)


def test_contents_read_before_are_the_same_values(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    store = people.store
    store.deliver(message("Giấy mời họp", "Mời dự họp."), [people.an])
    inbox = store.find_folder(people.an, "INBOX").id
    first = store.fetch(people.an, inbox, [1])[0].content
    monkeypatch.setattr(contents, "CACHED_CONTENTS", contents.ContentCache(contents.CACHED_CONTENTS.max_entries))
    fresh = store.fetch(people.an, inbox, [1])[0].content
    assert fresh == first and fresh.parts == first.parts and fresh.subject == "Giấy mời họp"
    assert store.fetch(people.an, inbox, [1])[0].content is fresh  # kept
    # A copy shares the content row, and so the value.
    archive = store.find_folder(people.an, "Archive").id
    store.copy(people.an, inbox, [1], archive)
    assert store.fetch(people.an, archive, [1])[0].content is fresh


def test_the_content_cache_keeps_the_newest_entries() -> None:
    cache = contents.ContentCache(2)
    store_values = []
    for n in range(3):
        value = contents.MessageContent(
            id=n, sha256=f"{n:064x}", size=1, envelope_wire=b"", body_wire=b"", bodystructure_wire=b"",
            parts_json="[]", subject="", from_="", to="", cc="", bcc="", date=None, message_id=None,
            in_reply_to=None, references=(), has_attachments=False)
        cache.put(value)
        store_values.append(value)
    assert cache.get(0, f"{0:064x}") is None
    assert cache.get(2, f"{2:064x}") is store_values[2]
    # The same row id with other bytes (a row id reused after a delete) is another content.
    assert cache.get(2, f"{9:064x}") is None


def test_arrival_reads_sqlite_text_and_driver_datetimes() -> None:
    expected = datetime(2025, 3, 1, 1, 2, 3, tzinfo=UTC)
    assert arrival("2025-03-01 01:02:03.000000") == expected
    assert arrival("2025-03-01 01:02:03") == expected
    assert arrival("2025-03-01 01:02:03.5").microsecond == 500_000
    assert arrival("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)
    assert arrival(datetime(2025, 3, 1, 8, 2, 3, tzinfo=ICT)) == expected
    assert arrival(datetime(2025, 3, 1, 1, 2, 3)) == expected


def test_children_are_found_by_name_even_with_a_like_wildcard(people: People) -> None:
    store = people.store
    store.create_folder(people.an, "Báo_cáo")
    store.create_folder(people.an, "Báo-cáo/Quý 1")
    store.create_folder(people.an, "Dự_án/2025")
    # "_" matches any one character in LIKE: "Báo_cáo/%" unescaped would take "Báo-cáo/Quý 1" for a child.
    assert not store.find_folder(people.an, "Báo_cáo").has_children
    assert store.find_folder(people.an, "Báo-cáo").has_children
    assert store.find_folder(people.an, "Dự_án").has_children
    assert not store.find_folder(people.an, "Dự_án/2025").has_children
    status = store.folder_status(people.an, store.find_folder(people.an, "Báo_cáo").id)
    assert (status.messages, status.unseen) == (0, 0)
