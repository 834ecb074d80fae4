"""The statements the IMAP server runs on every command, built once and (on SQLite) run through the driver, read
what SQLAlchemy's own execution reads: folder rows with the viewer's rights, summaries, one-key text searches."""

from __future__ import annotations

from mailstore_samples import People, message

from congvu.mailstore.access import _OPEN, FolderAccess, open_folder
from congvu.mailstore.api import FLAGGED, SEEN, FlagMode
from congvu.mailstore.criteria import AllOf, Criterion, TextContains, TextField
from congvu.mailstore.sorting import _matching
from congvu.mailstore.textsearch import SearchCompiler, text_scan
from congvu.store.schema import messages


def test_open_folder_reads_what_sqlalchemy_reads(people: People) -> None:
    store = people.store
    store.deliver(message("Công văn"), [people.agency])
    for viewer, owner in ((people.an, people.an), (people.binh, people.agency)):
        inbox = store.find_folder(viewer, "INBOX" if viewer == owner else f"Shared/{people.agency_address}/INBOX")
        with store.ctx.db.read() as conn:
            row = conn.execute(_OPEN, {"viewer_id": viewer, "folder_id": inbox.id}).first()
            assert row is not None
            assert open_folder(conn, viewer, inbox.id) == FolderAccess.from_row(viewer, row)
        with store.ctx.db.begin() as conn:
            assert open_folder(conn, viewer, inbox.id, lock=True) == FolderAccess.from_row(viewer, row)


def test_summaries_are_plain_message_summaries(people: People) -> None:
    store = people.store
    uids = [store.deliver(message(f"Thư {n}"), [people.an]).deliveries[0].uid for n in range(3)]
    inbox = store.find_folder(people.an, "INBOX")
    store.store_flags(people.an, inbox.id, uids[:1], FlagMode.ADD, [SEEN, FLAGGED, "$CongVan"])
    listed = store.snapshot(people.an, inbox.id).messages
    assert [m.uid for m in listed] == uids
    assert listed[0].flags == frozenset({SEEN, FLAGGED, "$CongVan"}) and listed[1].flags == frozenset()
    first = listed[0]
    again = type(first)(first.uid, first.modseq, first.flags, first.internal_date, first.size, first.content_id)
    assert first == again and hash(first) == hash(again) and repr(first) == repr(again)
    assert first.internal_date.utcoffset() is not None
    assert store.fetch_summaries(people.an, inbox.id, uids) == tuple(listed)
    assert store.changes_since(people.an, inbox.id, 0).changed == tuple(listed)
    assert [m.summary for m in store.fetch(people.an, inbox.id, uids)] == list(listed)


def test_one_key_text_searches_match_the_general_compiler(people: People) -> None:
    store = people.store
    store.deliver(message("Giấy mời họp giao ban", "Triển khai chuyển đổi số trong tháng."), [people.an])
    store.deliver(message("Công văn số 15/STTTT", "Báo cáo tổng hợp 100% ý_kiến."), [people.an])
    store.deliver(message("Thông báo", "Nội dung khác.", sender="Trần Văn Vinh <tvvinh@dongnai.gov.vn>"),
                  [people.an])
    inbox = store.find_folder(people.an, "INBOX")
    criteria: list[Criterion] = [
        TextContains(TextField.TEXT, "chuyen doi so"), TextContains(TextField.SUBJECT, "Giấy mời"),
        TextContains(TextField.BODY, "100%"), TextContains(TextField.BODY, "ý_kiến"),
        TextContains(TextField.FROM, "vinh"), TextContains(TextField.HEADERS, "stttt"),
        AllOf((TextContains(TextField.TEXT, "THÔNG BÁO"),)), TextContains(TextField.TO, "không có"),
        TextContains(TextField.TEXT, "ab"),
    ]
    with store.ctx.snapshot_read() as conn:
        access = open_folder(conn, people.an, inbox.id, "r")
        for criterion in criteria:
            assert text_scan(store.ctx, access, criterion) is not None
            general = conn.execute(_matching(SearchCompiler(store.ctx, conn, access), criterion, (messages.c.uid,)))
            assert store.search(people.an, inbox.id, criterion) == tuple(general.scalars().all()), criterion
        assert text_scan(store.ctx, access, TextContains(TextField.TEXT, "")) is None
