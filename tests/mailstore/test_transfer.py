"""COPY, MOVE and EXPUNGE: new UIDs in the target, tombstones with MODSEQ, VANISHED through changes_since."""

from __future__ import annotations

from mailstore_samples import People, message
from sqlalchemy import func, select

from congvu.installation import Installation
from congvu.mailstore.api import DELETED, FLAGGED, SEEN, FlagMode
from congvu.store.schema import message_contents


def _setup(people: People, count: int) -> tuple[int, int]:
    for i in range(count):
        people.store.deliver(message(f"Thư {i + 1}", f"Nội dung {i + 1}"), [people.an])
    return people.store.find_folder(people.an, "INBOX").id, people.store.find_folder(people.an, "Archive").id


def test_copy_keeps_flags_and_shares_content(installation: Installation, people: People) -> None:
    store = people.store
    inbox, archive = _setup(people, 3)
    store.store_flags(people.an, inbox, [2], FlagMode.ADD, [FLAGGED, "$Label1"])
    result = store.copy(people.an, inbox, [2, 3, 99], archive)
    assert result.mapping == ((2, 1), (3, 2))
    assert result.target_uidvalidity == store.get_folder(people.an, archive).uidvalidity
    copied = store.snapshot(people.an, archive).messages
    assert [m.flags for m in copied] == [{FLAGGED, "$Label1"}, frozenset()]
    assert [m.content_id for m in copied] == [m.content_id for m in store.snapshot(people.an, inbox).messages[1:]]
    with installation.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(message_contents)).scalar_one() == 3
    assert store.quota(people.an).messages == 5
    assert store.fetch(people.an, archive, [1])[0].content.subject == "Thư 2"


def test_move_leaves_tombstones_and_reports_vanished(people: People) -> None:
    store = people.store
    inbox, archive = _setup(people, 4)
    known = store.snapshot(people.an, inbox).folder.highestmodseq
    moved = store.move(people.an, inbox, [1, 3], archive)
    assert moved.mapping == ((1, 1), (3, 2))
    assert moved.expunged_modseq > known
    assert [m.uid for m in store.snapshot(people.an, inbox).messages] == [2, 4]
    assert [m.uid for m in store.snapshot(people.an, archive).messages] == [1, 2]
    changes = store.changes_since(people.an, inbox, known)
    assert changes.vanished == (1, 3) and changes.changed == ()
    assert changes.highestmodseq == moved.expunged_modseq
    assert store.quota(people.an).messages == 4
    # UIDs are never reused: the next delivery gets 5, not 1 or 3.
    later = store.deliver(message("Sau khi chuyển"), [people.an])
    assert later.deliveries[0].uid == 5


def test_expunge_all_deleted_or_a_uid_subset(people: People) -> None:
    store = people.store
    inbox, _archive = _setup(people, 5)
    store.store_flags(people.an, inbox, [1, 2, 4], FlagMode.ADD, [DELETED])
    known = store.snapshot(people.an, inbox).folder.highestmodseq
    subset = store.expunge(people.an, inbox, [2, 3])  # UID EXPUNGE: 3 is not \Deleted and stays
    assert subset.uids == (2,)
    rest = store.expunge(people.an, inbox)
    assert rest.uids == (1, 4) and rest.modseq > subset.modseq
    assert [m.uid for m in store.snapshot(people.an, inbox).messages] == [3, 5]
    assert store.changes_since(people.an, inbox, known).vanished == (1, 2, 4)
    assert store.changes_since(people.an, inbox, subset.modseq).vanished == (1, 4)
    assert store.expunge(people.an, inbox).uids == ()
    status = store.folder_status(people.an, inbox)
    assert (status.messages, status.deleted) == (2, 0)
    assert store.quota(people.an).messages == 2


def test_append_with_flags_and_date(people: People) -> None:
    from datetime import UTC, datetime

    store = people.store
    store.ensure_default_folders(people.an)
    drafts = store.find_folder(people.an, "Drafts")
    when = datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)
    raw = message("Bản nháp")
    appended = store.append(people.an, drafts.id, raw, flags=[SEEN, "\\Draft"], internal_date=when)
    assert (appended.uid, appended.uidvalidity) == (1, drafts.uidvalidity)
    stored = store.snapshot(people.an, drafts.id).messages[0]
    assert stored.flags == {SEEN, "\\Draft"} and stored.internal_date == when
    assert store.read_raw(people.an, drafts.id, 1) == raw
