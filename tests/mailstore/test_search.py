"""SEARCH and SORT in the database: Vietnamese diacritic-insensitive text through the index, flags, dates,
sizes, boolean combinations, HEADER exactness, and the translation of IMAP search programs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from mailstore_samples import People, message
from sqlalchemy import text

from congvu.imap import commands as c
from congvu.imap.parser import parse_command
from congvu.installation import Installation
from congvu.mailstore import sorting, textsearch
from congvu.mailstore.api import DELETED, FLAGGED, SEEN, FlagMode
from congvu.mailstore.criteria import (
    AllOf,
    AnyOf,
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
from congvu.mailstore.imapsearch import SessionView, flag_mode, from_imap, sort_order
from congvu.mailstore.textsearch import SCAN_LIMIT, SearchCompiler, trigram_query

ICT = timezone(timedelta(hours=7))


@pytest.fixture
def inbox(people: People) -> int:
    store = people.store
    samples = [
        message("Công văn số 125/UBND-VP về việc họp giao ban", "Kính gửi các đơn vị, đề nghị đi họp đúng giờ."),
        message("Re: Báo cáo tình hình", "Số liệu quý I của Sở Tài chính.",
                sender="Trần Văn Vinh <tvvinh@dongnai.gov.vn>", extra="X-Priority: 1\r\n",
                date="Sun, 02 Mar 2025 23:30:00 +0700"),
        message("Thông báo nghỉ lễ", "ĐỒNG NAI: nghỉ lễ từ ngày 30/4.",
                sender="Đặng Thị Hoa <dthoa@dongnai.gov.vn>", extra="X-Note: priority 1 kept\r\n"),
        message("Giấy mời", "Mời dự hội nghị " + "chuyển đổi số " * 200,
                sender="Ánh <anh@dongnai.gov.vn>"),
    ]
    # Internal dates: 06:00 ICT on 3 March is still 2 March in UTC; day comparisons follow ICT.
    dates = [datetime(2025, 3, 3, 6, 0, tzinfo=ICT), datetime(2025, 3, 4, 12, 0, tzinfo=ICT),
             datetime(2025, 3, 5, 0, 30, tzinfo=ICT), datetime(2025, 3, 6, 23, 59, tzinfo=ICT)]
    for raw, when in zip(samples, dates, strict=True):
        store.deliver(raw, [people.an], internal_date=when)
    folder = store.find_folder(people.an, "INBOX").id
    store.store_flags(people.an, folder, [1], FlagMode.ADD, [SEEN])
    store.store_flags(people.an, folder, [3], FlagMode.ADD, [FLAGGED, "$Important"])
    return folder


def search(people: People, folder: int, criterion) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return people.store.search(people.an, folder, criterion)


@pytest.mark.parametrize(("field", "needle", "expected"), [
    (TextField.SUBJECT, "cong van", (1,)),
    (TextField.SUBJECT, "CÔNG VĂN", (1,)),
    (TextField.TEXT, "cong van", (1,)),
    (TextField.BODY, "don vi", (1,)),  # "đơn vị": đ folds to d
    (TextField.BODY, "đồng nai", (3,)),
    (TextField.BODY, "dong nai", (3,)),
    (TextField.BODY, "di", (1,)),  # shorter than a trigram: still found, by scanning
    (TextField.BODY, "tai chinh", (2,)),
    (TextField.BODY, "chuyen doi so", (4,)),
    (TextField.FROM, "vinh", (2,)),  # substring of the address tvvinh@…
    (TextField.FROM, "dang thi", (3,)),
    (TextField.TO, "nvan@", (1, 2, 3, 4)),
    (TextField.HEADERS, "x-priority", (2,)),
    (TextField.TEXT, "không có đâu", ()),
    (TextField.TEXT, "", (1, 2, 3, 4)),
])
@pytest.mark.parametrize("through_index", [False, True])
def test_text_is_diacritic_insensitive(people: People, inbox: int, field: TextField, needle: str,
                                       expected: tuple[int, ...], through_index: bool,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if through_index:
        # As in a folder that has held many messages: SQLite answers from the text index, not by scanning.
        monkeypatch.setattr(textsearch, "SCAN_LIMIT", 0)
    assert search(people, inbox, TextContains(field, needle)) == expected


def test_text_search_goes_through_the_index(installation: Installation, people: People, inbox: int) -> None:
    store = people.store
    with installation.db.read() as conn:
        access_row = conn.execute(text("SELECT 1")).scalar()
        assert access_row == 1
        from congvu.mailstore.access import open_folder

        access = open_folder(conn, people.an, inbox, "r")
        # A folder that has held more than SCAN_LIMIT messages: its text is found through the index.
        compiler = SearchCompiler(store.ctx, conn, replace(access, uidnext=SCAN_LIMIT + 2))
        condition = compiler.where(TextContains(TextField.BODY, "dong nai"))
        sql = str(condition.compile(installation.db.engine))
        if installation.db.is_sqlite:
            assert "MATCH" in sql and "message_text" in sql
            # A small folder reads its own few texts instead of the whole installation's index.
            small = SearchCompiler(store.ctx, conn, access).where(TextContains(TextField.BODY, "dong nai"))
            small_sql = str(small.compile(installation.db.engine))
            assert "LIKE" in small_sql and "MATCH" not in small_sql
            # The index proposes the messages holding every trigram of the needle, from the index alone.
            assert trigram_query("dong nai") == '"don" AND "ong" AND "ng " AND "g n" AND " na" AND "nai"'
            hits = conn.execute(text("SELECT rowid FROM message_text WHERE message_text MATCH :q"),
                                {"q": trigram_query("dong nai")}).scalars().all()
            assert len(hits) == 1
            # Positions are not kept (detail=none): a fifth of the size of detail=full.
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'message_text'")).scalar()
            assert "detail=none" in str(ddl)
        else:
            assert "LIKE" in sql
            names = set(conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'message_contents'")).scalars())
            assert {"ix_message_contents_search_body_trgm", "ix_message_contents_search_headers_trgm"} <= names
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(conn.execute(text(
                "EXPLAIN SELECT id FROM message_contents WHERE search_body LIKE '%dong nai%'")).scalars())
            assert "ix_message_contents_search_body_trgm" in plan


@pytest.mark.parametrize("through_index", [False, True])
def test_text_search_is_an_exact_substring_test(people: People, through_index: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The index only proposes candidates: a message holding every trigram of the needle, but not the needle
    itself, is not found; GLOB and LIKE characters in the needle are plain characters."""
    if through_index:
        monkeypatch.setattr(textsearch, "SCAN_LIMIT", 0)
    store = people.store
    for subject, body in [("Trigram", "abcd xx bcde xx cdef"), ("Ký tự", "giảm 50% chi phí, mã a*b?c[d] và x_y"),
                          ("Liền", "chuỗi abcdef liền")]:
        store.deliver(message(subject, body), [people.an])
    folder = store.find_folder(people.an, "INBOX").id
    assert search(people, folder, TextContains(TextField.BODY, "abcdef")) == (3,)
    assert search(people, folder, TextContains(TextField.BODY, "bcde")) == (1, 3)
    assert search(people, folder, TextContains(TextField.TEXT, "a*b?c[d]")) == (2,)
    assert search(people, folder, TextContains(TextField.BODY, "a*b?c[e]")) == ()
    assert search(people, folder, TextContains(TextField.BODY, "50% chi")) == (2,)
    assert search(people, folder, TextContains(TextField.BODY, "50%chi")) == ()
    assert search(people, folder, TextContains(TextField.BODY, "x_y")) == (2,)
    assert search(people, folder, TextContains(TextField.BODY, "xay")) == ()
    assert search(people, folder, TextContains(TextField.HEADERS, "ky tu")) == (2,)
    assert search(people, folder, TextContains(TextField.BODY, "ky tu")) == ()


def test_header_search_is_exact_to_the_field(people: People, inbox: int) -> None:
    assert search(people, inbox, HeaderContains("X-Priority", "1")) == (2,)
    assert search(people, inbox, HeaderContains("x-note", "")) == (3,)
    assert search(people, inbox, Not(HeaderContains("X-Priority", "1"))) == (1, 3, 4)
    assert search(people, inbox, HeaderContains("Subject", "bao cao")) == (2,)


def test_flags_keywords_sizes_and_modseq(people: People, inbox: int) -> None:
    assert search(people, inbox, HasFlag(SEEN)) == (1,)
    assert search(people, inbox, HasFlag(SEEN, present=False)) == (2, 3, 4)
    assert search(people, inbox, HasFlag("$important")) == (3,)
    assert search(people, inbox, HasFlag(DELETED)) == ()
    assert search(people, inbox, HasFlag("\\Recent")) == ()
    assert search(people, inbox, SizeMatch(2000, larger=True)) == (4,)
    assert search(people, inbox, SizeMatch(2000, larger=False)) == (1, 2, 3)
    flagged_at = people.store.snapshot(people.an, inbox).messages[2].modseq
    assert search(people, inbox, ModSeqAtLeast(flagged_at)) == (3,)


def test_dates_follow_the_local_day(people: People, inbox: int) -> None:
    on_3 = DateMatch(DateField.INTERNAL, DateCompare.ON, date(2025, 3, 3))
    assert search(people, inbox, on_3) == (1,)
    assert search(people, inbox, DateMatch(DateField.INTERNAL, DateCompare.BEFORE, date(2025, 3, 5))) == (1, 2)
    assert search(people, inbox, DateMatch(DateField.INTERNAL, DateCompare.SINCE, date(2025, 3, 5))) == (3, 4)
    # SENTON: the day written in the Date header, in its own zone.
    assert search(people, inbox, DateMatch(DateField.SENT, DateCompare.ON, date(2025, 3, 2))) == (2,)
    assert search(people, inbox, DateMatch(DateField.SENT, DateCompare.SINCE, date(2025, 3, 3))) == (1, 3, 4)


def test_missing_date_header_is_handled_under_not(people: People, inbox: int) -> None:
    raw = b"From: a@b.vn\r\nSubject: no date\r\n\r\nx\r\n"
    people.store.deliver(raw, [people.an])
    before = DateMatch(DateField.SENT, DateCompare.BEFORE, date(2030, 1, 1))
    assert search(people, inbox, before) == (1, 2, 3, 4)
    assert search(people, inbox, Not(before)) == (5,)


def test_boolean_combinations_and_uid_sets(people: People, inbox: int) -> None:
    either = AnyOf((TextContains(TextField.SUBJECT, "giay moi"), HasFlag(SEEN)))
    assert search(people, inbox, either) == (1, 4)
    assert search(people, inbox, AllOf((either, Not(UidIn(((1, 1),)))))) == (4,)
    assert search(people, inbox, AllOf(())) == (1, 2, 3, 4)
    assert search(people, inbox, AnyOf(())) == ()
    assert search(people, inbox, MatchAll()) == (1, 2, 3, 4)
    scattered = UidIn(tuple((uid, uid) for uid in range(1, 400, 2)))  # more ranges than are written inline
    assert search(people, inbox, scattered) == (1, 3)


def test_imap_program_translation(people: People, inbox: int) -> None:
    def run(program: bytes, *, saved: tuple[int, ...] = (), recent: tuple[int, ...] = ()) -> tuple[int, ...]:
        command = parse_command(b"a UID SEARCH " + program)
        assert isinstance(command, c.Search)
        view = SessionView([1, 2, 3, 4], saved=saved, recent=recent)
        return search(people, inbox, from_imap(command.key, view))

    assert run(b'CHARSET UTF-8 SUBJECT "c\xc3\xb4ng v\xc4\x83n"') == (1,)
    assert run(b"OR FROM vinh FLAGGED") == (2, 3)
    assert run(b"NOT SEEN 2:*") == (2, 3, 4)
    assert run(b"UID 3:*") == (3, 4)
    assert run(b"$", saved=(2, 4)) == (2, 4)
    assert run(b"RECENT", recent=(4,)) == (4,)
    assert run(b'HEADER X-Priority "1"') == (2,)
    assert run(b"ON 3-Mar-2025") == (1,)
    assert run(b"LARGER 2000") == (4,)
    store_command = parse_command(b"a UID STORE 1 -FLAGS.SILENT (\\Seen)")
    assert isinstance(store_command, c.Store)
    people.store.store_flags(people.an, inbox, [1], flag_mode(store_command.mode), store_command.flags)
    assert run(b"SEEN") == ()


def test_sort(people: People, inbox: int) -> None:
    store = people.store
    by_subject = store.sort(people.an, inbox, [SortOrder(SortKey.SUBJECT)])
    # Base subjects (RFC 5256 §2.1, "Re:" removed) in Vietnamese order: Báo, Công, Giấy, Thông.
    assert by_subject == (2, 1, 4, 3)
    # Messages 1, 3 and 4 share a Date: ties stay in UID order even under REVERSE (RFC 5256 §3).
    assert store.sort(people.an, inbox, [SortOrder(SortKey.DATE, reverse=True)]) == (1, 3, 4, 2)
    assert store.sort(people.an, inbox, [SortOrder(SortKey.ARRIVAL)]) == (1, 2, 3, 4)
    # DISPLAYFROM in Vietnamese order: Ánh < Đặng < Lê < Trần ("Đ" after "D", never last).
    assert store.sort(people.an, inbox, [SortOrder(SortKey.DISPLAYFROM)]) == (4, 3, 1, 2)
    assert store.sort(people.an, inbox, [SortOrder(SortKey.FROM)]) == (4, 3, 1, 2)  # anh, dthoa, lvcuong, tvvinh
    assert store.sort(people.an, inbox, [SortOrder(SortKey.SIZE, reverse=True)], HasFlag(SEEN, False))[0] == 4
    command = parse_command(b"a SORT (REVERSE ARRIVAL) UTF-8 ALL")
    assert isinstance(command, c.Sort)
    assert store.sort(people.an, inbox, sort_order(command.criteria)) == (4, 3, 2, 1)
    fields = store.sort_fields(people.an, inbox, [2])
    assert fields[0].uid == 2 and fields[0].from_ == "tvvinh"


def test_text_index_migration_keeps_messages_searchable(installation: Installation, people: People,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages delivered under the earlier text index (positions kept) are found after migration 0008 rebuilds
    it without positions, and the way back works too."""
    from alembic import command

    from congvu.store import migrate

    monkeypatch.setattr(textsearch, "SCAN_LIMIT", 0)
    cfg = migrate.alembic_config(installation.db)
    with installation.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_acl")
    store = people.store
    store.deliver(message("Trước khi đổi chỉ mục", "Biên bản nghiệm thu công trình."), [people.an])
    folder = store.find_folder(people.an, "INBOX").id
    with monkeypatch.context() as before_0009:  # the text backlog (0009) is not there yet
        before_0009.setattr(sorting, "pending_in_folder", lambda conn, folder_id: [])
        assert search(people, folder, TextContains(TextField.BODY, "nghiem thu")) == (1,)
    migrate.upgrade(installation.db)
    assert migrate.is_current(installation.db)
    store.deliver(message("Sau khi đổi chỉ mục", "Biên bản nghiệm thu lần hai."), [people.an])
    assert search(people, folder, TextContains(TextField.BODY, "nghiem thu")) == (1, 2)
    assert search(people, folder, TextContains(TextField.BODY, "lan hai")) == (2,)
    if installation.db.is_sqlite:
        with installation.db.read() as conn:
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'message_text'")).scalar()
        assert "detail=none" in str(ddl)
