"""Local delivery: one blob and one content row per distinct message, UIDs under concurrency, default folders."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from mailstore_samples import People, message
from sqlalchemy import func, select

from congvu.errors import InvalidInput, NotFound
from congvu.installation import Installation
from congvu.mailstore.api import DEFAULT_FOLDERS, SEEN, SpecialUse
from congvu.store.schema import blobs, message_contents, messages


def _count(installation: Installation, table) -> int:  # type: ignore[no-untyped-def]
    with installation.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_several_recipients_share_one_blob_and_one_content_row(installation: Installation, people: People) -> None:
    raw = message("Giấy mời họp giao ban tuần")
    first = people.store.deliver(raw, [people.an, people.binh, people.agency])
    assert len(first.deliveries) == 3
    assert {d.account_id for d in first.deliveries} == {people.an, people.binh, people.agency}
    assert installation.blobs.get(first.sha256) == raw
    again = people.store.deliver(raw, [people.an])  # the same bytes later: still one blob and one row
    assert again.sha256 == first.sha256 and again.content_id == first.content_id
    assert _count(installation, message_contents) == 1
    assert _count(installation, blobs) == 1
    assert _count(installation, messages) == 4
    assert len(list(installation.blobs.root.rglob("*/*/*"))) == 1
    inbox = people.store.find_folder(people.an, "INBOX")
    assert [m.uid for m in people.store.snapshot(people.an, inbox.id).messages] == [1, 2]


def test_duplicate_recipients_get_one_copy(people: People) -> None:
    result = people.store.deliver(message("Một bản"), [people.an, people.an])
    assert len(result.deliveries) == 1


def test_default_folders_are_created_on_first_use(people: People) -> None:
    store = people.store
    assert store.folder_ids(people.an) == {}
    store.deliver(message("Chào"), [people.an])
    listed = {f.name: f.special_use for f in store.list_folders(people.an) if not f.shared}
    assert listed == {name: use.value if use else None for name, use in DEFAULT_FOLDERS}
    again = store.ensure_default_folders(people.an)
    assert len(again) == len(DEFAULT_FOLDERS)
    validities = [f.uidvalidity for f in again]
    assert len(set(validities)) == len(validities)


def test_delivery_into_a_named_or_special_use_folder(people: People) -> None:
    store = people.store
    sent = store.deliver(message("Bản lưu"), [people.an], folder=SpecialUse.SENT, flags=[SEEN])
    assert sent.deliveries[0].folder_id == store.find_folder(people.an, "Sent").id
    junk = store.deliver(message("Quảng cáo"), [people.an], folder="Junk")
    assert junk.deliveries[0].folder_id == store.find_folder(people.an, "Junk").id
    fallback = store.deliver(message("Không có thư mục này"), [people.an], folder="Không có")
    assert fallback.deliveries[0].folder_id == store.find_folder(people.an, "INBOX").id
    snap = store.snapshot(people.an, sent.deliveries[0].folder_id)
    assert snap.messages[0].flags == {SEEN}


def test_internal_date_and_quota(people: People) -> None:
    store = people.store
    when = datetime(2025, 3, 3, 9, 15, tzinfo=timezone(timedelta(hours=7)))
    raw = message("Có ngày nhận")
    result = store.deliver(raw, [people.an], internal_date=when)
    snap = store.snapshot(people.an, result.deliveries[0].folder_id)
    assert snap.messages[0].internal_date == datetime(2025, 3, 3, 2, 15, tzinfo=UTC)
    assert store.quota(people.an).bytes == len(raw) and store.quota(people.an).messages == 1
    with pytest.raises(InvalidInput):
        store.deliver(raw, [people.an], internal_date=datetime(2025, 3, 3))  # no time zone


def test_unknown_recipient_is_refused_without_rows(installation: Installation, people: People) -> None:
    with pytest.raises(NotFound):
        people.store.deliver(message("Lạc"), [people.an, 999_999])
    assert _count(installation, messages) == 0


def test_concurrent_deliveries_get_unique_increasing_uids(people: People) -> None:
    store = people.store
    store.ensure_default_folders(people.an)
    store.ensure_default_folders(people.agency)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for i in range(6):
                delivered = store.deliver(message(f"Thư {n}-{i}", f"Luồng {n}, thư {i}"), [people.an, people.agency])
                with lock:
                    results.extend((d.account_id, d.uid) for d in delivered.deliveries)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for account in (people.an, people.agency):
        uids = [uid for acc, uid in results if acc == account]
        assert sorted(uids) == list(range(1, 37))
    inbox = store.find_folder(people.an, "INBOX")
    snap = store.snapshot(people.an, inbox.id)
    assert [m.uid for m in snap.messages] == list(range(1, 37))
    assert snap.folder.uidnext == 37
    # MODSEQs are unique per folder here: each delivery is its own operation.
    assert len({m.modseq for m in snap.messages}) == 36
