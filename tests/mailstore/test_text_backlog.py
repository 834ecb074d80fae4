"""Long bodies are folded and indexed after delivery: the message is complete at once, a search never misses it,
the background indexer catches up once deliveries pause, and the text index stays consistent."""

from __future__ import annotations

import time

import pytest
from mailstore_samples import People, message
from sqlalchemy import func, select, text

from congvu.installation import Installation
from congvu.mailstore import textbacklog, textsearch
from congvu.mailstore.criteria import AllOf, AnyOf, HasFlag, Not, SortKey, SortOrder, TextContains, TextField
from congvu.mailstore.service import MailStore
from congvu.store.schema import message_contents, message_text_backlog
from congvu.vntext.fold import fold

LONG_BODY = ("Biên bản nghiệm thu công trình đường Đồng Khởi, Sở Giao thông vận tải tỉnh Đồng Nai.\r\n" * 120
             + "Mã hồ sơ: QĐ-2026-0917 (bản gốc lưu tại văn thư).")


def backlog_ids(installation: Installation) -> list[int]:
    with installation.db.read() as conn:
        return [int(i) for i in conn.execute(select(message_text_backlog.c.content_id)).scalars()]


def search_body(installation: Installation, content_id: int) -> str:
    with installation.db.read() as conn:
        return str(conn.execute(select(message_contents.c.search_body)
                                .where(message_contents.c.id == content_id)).scalar_one())


def check_fts(installation: Installation) -> None:
    """SQLite: the FTS5 index agrees with the rows it indexes (an external-content table can drift silently)."""
    if installation.db.is_sqlite:
        with installation.db.engine.begin() as conn:
            conn.execute(text("INSERT INTO message_text(message_text, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture
def paused(monkeypatch: pytest.MonkeyPatch, people: People) -> MailStore:
    """The background indexer never starts on its own during the test."""
    monkeypatch.setattr(people.store.text_index, "queue", lambda content_ids: None)
    return people.store


def test_a_long_body_is_searchable_at_once_and_indexed_on_demand(installation: Installation, people: People,
                                                               paused: MailStore,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    raw = message("Nghiệm thu công trình", LONG_BODY)
    result = paused.deliver(raw, [people.an])
    assert backlog_ids(installation) == [result.content_id]
    assert search_body(installation, result.content_id) == ""
    inbox = paused.find_folder(people.an, "INBOX").id
    # The message is complete for everything but the body's search fold: it is listed and read at once.
    assert paused.fetch(people.an, inbox, [1])[0].content.subject == "Nghiệm thu công trình"
    assert paused.read_raw(people.an, inbox, 1) == raw
    # Subject and header searches need no catch-up.
    assert paused.search(people.an, inbox, TextContains(TextField.SUBJECT, "nghiem thu")) == (1,)
    assert backlog_ids(installation) == [result.content_id]
    # A body search first indexes the folder's backlog, through the index as in a large folder.
    monkeypatch.setattr(textsearch, "SCAN_LIMIT", 0)
    assert paused.search(people.an, inbox, TextContains(TextField.BODY, "qđ-2026-0917")) == (1,)
    assert backlog_ids(installation) == []
    assert search_body(installation, result.content_id) == fold(LONG_BODY.replace("\r\n", "\n").strip())
    assert paused.search(people.an, inbox, TextContains(TextField.TEXT, "dong khoi")) == (1,)
    assert paused.search(people.an, inbox, TextContains(TextField.BODY, "khong co dau")) == ()
    check_fts(installation)


def test_short_bodies_are_folded_at_delivery(installation: Installation, people: People, paused: MailStore) -> None:
    result = paused.deliver(message("Giấy mời", "Mời dự hội nghị chuyển đổi số."), [people.an])
    assert backlog_ids(installation) == []
    assert search_body(installation, result.content_id) == "moi du hoi nghi chuyen doi so."


def test_a_sort_and_a_nested_body_criterion_catch_up_too(installation: Installation, people: People,
                                                         paused: MailStore) -> None:
    paused.deliver(message("Một", LONG_BODY), [people.an])
    paused.deliver(message("Hai", "Không liên quan."), [people.an])
    inbox = paused.find_folder(people.an, "INBOX").id
    criterion = AllOf((Not(HasFlag("\\Seen", True)), AnyOf((TextContains(TextField.BODY, "dong khoi"),))))
    assert paused.sort(people.an, inbox, [SortOrder(SortKey.SUBJECT)], criterion) == (1,)
    assert backlog_ids(installation) == []


def test_the_same_long_message_twice_is_listed_and_indexed_once(installation: Installation, people: People,
                                                               paused: MailStore) -> None:
    raw = message("Công văn", LONG_BODY)
    first = paused.deliver(raw, [people.an])
    second = paused.deliver(raw, [people.binh])
    assert first.content_id == second.content_id
    assert backlog_ids(installation) == [first.content_id]
    assert textbacklog.index_contents(paused.ctx, [first.content_id]) == 1
    assert textbacklog.index_contents(paused.ctx, [first.content_id]) == 0  # already done: nothing written twice
    check_fts(installation)


def test_append_of_a_long_message_is_deferred_too(installation: Installation, people: People,
                                                  paused: MailStore) -> None:
    drafts = paused.create_folder(people.an, "Bản nháp").id
    paused.append(people.an, drafts, message("Dự thảo", LONG_BODY))
    assert len(backlog_ids(installation)) == 1
    assert paused.search(people.an, drafts, TextContains(TextField.BODY, "giao thong van tai")) == (1,)
    assert backlog_ids(installation) == []


def test_the_background_indexer_catches_up_once_deliveries_pause(installation: Installation, people: People,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textbacklog, "QUIET_S", 0.05)
    store = people.store
    ids = {store.deliver(message(f"Thư {n}", LONG_BODY + f" số {n}"), [people.an]).content_id for n in range(20)}
    deadline = time.monotonic() + 20
    while backlog_ids(installation) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backlog_ids(installation) == []
    assert store.text_index.indexed == len(ids)
    for content_id in ids:
        assert "ma ho so: qd-2026-0917" in search_body(installation, content_id)
    if installation.db.is_sqlite:
        with installation.db.read() as conn:
            hits = conn.execute(text("SELECT rowid FROM message_text WHERE message_text MATCH :q"),
                                {"q": textsearch.trigram_query("qd-2026-0917")}).scalars().all()
        assert set(hits) == ids
    check_fts(installation)


def test_the_indexer_waits_for_deliveries_to_pause(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    store = people.store
    indexer = store.text_index
    monkeypatch.setattr(textbacklog, "QUIET_S", 30.0)
    store.deliveries.last_delivery = now = time.monotonic()
    indexer._queue.extend([(1, now), (2, now)])
    assert indexer._delay() > 29  # deliveries are still arriving: wait
    monkeypatch.setattr(textbacklog, "MAX_QUEUED", 2)
    assert indexer._delay() == 0  # but not once the backlog is long
    monkeypatch.setattr(textbacklog, "MAX_QUEUED", 100)
    indexer._queue.appendleft((3, now - textbacklog.MAX_WAIT_S))
    assert indexer._delay() == 0  # nor while the oldest has waited long enough (under load that lasts)
    indexer._queue.popleft()
    assert indexer._delay() > 29  # the others have not
    indexer._queue.clear()


def test_what_a_stopped_process_left_is_indexed_at_the_next_start(installation: Installation, people: People,
                                                                  paused: MailStore) -> None:
    result = paused.deliver(message("Còn chờ", LONG_BODY), [people.an])
    paused.close()
    later = MailStore(installation.db, installation.blobs)
    try:
        assert later.text_index.resume() == 1
        deadline = time.monotonic() + 20
        while backlog_ids(installation) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert backlog_ids(installation) == []
        assert "dong khoi" in search_body(installation, result.content_id)
    finally:
        later.close()


def test_a_content_row_removed_takes_its_backlog_row_with_it(installation: Installation, people: People,
                                                             paused: MailStore) -> None:
    result = paused.deliver(message("Sẽ xoá", LONG_BODY), [people.an])
    with installation.db.begin() as conn:
        conn.execute(text("DELETE FROM messages WHERE content_id = :id"), {"id": result.content_id})
        conn.execute(message_contents.delete().where(message_contents.c.id == result.content_id))
    assert backlog_ids(installation) == []
    assert textbacklog.index_contents(paused.ctx, [result.content_id]) == 0
    check_fts(installation)


def test_downgrade_refuses_while_bodies_wait(installation: Installation, people: People, paused: MailStore) -> None:
    from alembic import command

    from congvu.store import migrate

    paused.deliver(message("Chờ lập chỉ mục", LONG_BODY), [people.an])
    cfg = migrate.alembic_config(installation.db)
    with pytest.raises(RuntimeError, match="chưa được lập chỉ mục"), installation.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008_text_detail")
    textbacklog.catch_up(paused.ctx, paused.find_folder(people.an, "INBOX").id)
    with installation.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008_text_detail")
    with installation.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(message_contents)).scalar_one() == 1
    migrate.upgrade(installation.db)
    assert migrate.is_current(installation.db)


def test_a_missing_blob_does_not_break_the_folders_searches(installation: Installation, people: People,
                                                            paused: MailStore) -> None:
    lost = paused.deliver(message("Mất dữ liệu", LONG_BODY), [people.an])
    paused.deliver(message("Còn nguyên", LONG_BODY + " Bản sao thứ hai."), [people.an])
    installation.blobs.path_for(lost.sha256).unlink()
    inbox = paused.find_folder(people.an, "INBOX").id
    assert paused.search(people.an, inbox, TextContains(TextField.BODY, "ban sao thu hai")) == (2,)
    assert backlog_ids(installation) == []
    assert search_body(installation, lost.content_id) == ""
    check_fts(installation)


def test_the_sweep_takes_only_what_waited_long_and_is_not_queued_here(installation: Installation, people: People,
                                                                      paused: MailStore) -> None:
    from datetime import timedelta

    from congvu.mailstore.context import utcnow

    old = paused.deliver(message("Bị bỏ lại", LONG_BODY), [people.an]).content_id
    recent = paused.deliver(message("Vừa đến", LONG_BODY + " mới"), [people.an]).content_id
    with installation.db.begin() as conn:  # as if queued by a process that stopped five minutes ago
        conn.execute(message_text_backlog.update().where(message_text_backlog.c.content_id == old)
                     .values(queued_at=utcnow() - timedelta(minutes=5)))
    assert textbacklog.all_pending(paused.ctx, older_than_s=textbacklog.STALE_S) == [old]
    assert sorted(textbacklog.all_pending(paused.ctx)) == sorted([old, recent])
    later = MailStore(installation.db, installation.blobs)
    try:
        later.text_index._closed = True  # queue nothing: only what it would take is checked
        later.text_index._queue.append((old, time.monotonic()))
        assert later.text_index.resume(older_than_s=textbacklog.STALE_S) == 0  # already queued here
        later.text_index._queue.clear()
        assert later.text_index.resume(older_than_s=textbacklog.STALE_S) == 1
    finally:
        later.close()


def test_a_viewer_without_rights_indexes_nothing(installation: Installation, people: People,
                                                 paused: MailStore) -> None:
    from congvu.errors import CongVuError

    paused.deliver(message("Riêng tư", LONG_BODY), [people.an])
    inbox = paused.find_folder(people.an, "INBOX").id
    with pytest.raises(CongVuError):
        paused.search(people.binh, inbox, TextContains(TextField.BODY, "dong khoi"))
    assert len(backlog_ids(installation)) == 1
