"""Scenarios with Python's imaplib (an IMAP4rev1 client): APPEND/FETCH round trips byte for byte, the FETCH
grammar, STORE, COPY, MOVE, EXPUNGE, SEARCH and mailbox commands."""

from __future__ import annotations

import asyncio
import imaplib
import re
from datetime import datetime, timedelta, timezone

from imap_harness import ImapServer
from imap_samples import nested_multipart, simple, token


def _literal(data: list) -> bytes:  # type: ignore[type-arg]
    """The first literal in an imaplib FETCH answer."""
    for item in data:
        if isinstance(item, tuple):
            return bytes(item[1])
    raise AssertionError(f"no literal in {data!r}")


def _heads(data: list) -> bytes:  # type: ignore[type-arg]
    """An imaplib FETCH answer without its literals' contents."""
    return b"".join(item[0] if isinstance(item, tuple) else item for item in data if item is not None)


async def test_append_then_fetch_round_trips_byte_exact(server: ImapServer) -> None:
    mark = token()
    messages = [
        simple("Công văn số 12/UBND-VP về việc họp giao ban tháng 3", "Kính gửi: Các sở, ban, ngành.\r\n"
               "Đề nghị các đơn vị báo cáo đúng hạn. Trân trọng./.", tag=mark),
        nested_multipart(mark),
        ("Subject: 8-bit body only\r\nFrom: a@dongnai.gov.vn\r\n\r\n"
         "Thân thư 8 bit không khai báo MIME: đ Đ ư ơ ă â ê ô\r\n").encode(),
    ]
    folder = server.province.fresh_folder("nvan")
    when = datetime(2025, 3, 3, 9, 15, 7, tzinfo=timezone(timedelta(hours=7)))

    def scenario() -> None:
        client = server.imaplib("nvan")
        for raw in messages:
            status, data = client.append(folder, "(\\Seen $Important)", imaplib.Time2Internaldate(when), raw)
            assert status == "OK" and b"[APPENDUID " in data[0]
        client.select(folder)
        for number, raw in enumerate(messages, 1):
            status, data = client.fetch(str(number), "(BODY.PEEK[] RFC822.SIZE INTERNALDATE FLAGS)")
            assert status == "OK"
            assert _literal(data) == raw
            head = _heads(data)
            assert f"RFC822.SIZE {len(raw)}".encode() in head
            assert b'INTERNALDATE " 3-Mar-2025 09:15:07 +0700"' in head
            assert b"\\Seen" in head and b"$Important" in head
        client.logout()

    await asyncio.to_thread(scenario)


async def test_fetch_sections_of_a_nested_multipart(server: ImapServer) -> None:
    mark = token()
    raw = nested_multipart(mark)
    folder = server.province.fresh_folder("nvan")
    server.province.deliver("nvan", raw, folder)

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(folder, readonly=True)

        def section(spec: str) -> bytes:
            status, data = client.fetch("1", f"(BODY.PEEK[{spec}])")
            assert status == "OK", data
            return _literal(data)

        assert f"Kính gửi các đơn vị, đề nghị triển khai. Mã {mark}".encode() == section("1.1")
        assert section("1.2").startswith(b"<p>K=C3=ADnh")
        assert section("2").startswith(b"JVBERi0xLjQK")  # base64 of "%PDF-1.4\n"
        assert section("3.HEADER").startswith(b"From: =?UTF-8?Q?Tr=E1=BA=A7n_V=C4=83n_Vinh?=")
        assert section("3.1") == "Báo cáo tình hình thực hiện.".encode()
        assert section("3.2.MIME").startswith(b"Content-Type: text/csv")
        assert section("HEADER.FIELDS (SUBJECT MESSAGE-ID)").startswith(b"Subject: =?UTF-8?B?")
        assert section("TEXT").startswith("Phần mở đầu".encode())
        status, data = client.fetch("1", "(BODY.PEEK[1.1]<4.10>)")
        assert data[0][0].endswith(b"BODY[1.1]<4> {10}") and data[0][1] == raw.split(b"Content-Transfer-Encoding: 8bit"
                                                                                      b"\r\n\r\n")[1][4:14]
        status, data = client.fetch("1", "(BODYSTRUCTURE ENVELOPE)")
        text = data[0] if isinstance(data[0], bytes) else b"".join(
            part if isinstance(part, bytes) else b"".join(part) for part in data)
        assert b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT"' in text
        assert b'"MESSAGE" "RFC822"' in text and b'"APPLICATION" "PDF"' in text
        status, data = client.fetch("1", "(BODY[9] BODY.PEEK[1.9])")  # parts that do not exist
        assert status == "OK" and b"BODY[9] NIL" in data[0]
        status, data = client.fetch("1", "(FLAGS)")
        assert b"\\Seen" not in data[0]  # EXAMINE: BODY[] does not set \Seen
        client.logout()

    await asyncio.to_thread(scenario)


async def test_body_fetch_sets_seen_but_peek_does_not(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    for n in range(2):
        server.province.deliver("nvan", simple(f"Thư {n}"), folder)

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(folder)
        _, data = client.fetch("1", "(BODY.PEEK[TEXT])")
        assert b"FLAGS" not in data[0][0]
        _, data = client.fetch("1:2", "(RFC822.TEXT)")
        heads = [item[0] if isinstance(item, tuple) else item for item in data]
        assert any(b"FLAGS (\\Seen \\Recent)" in h for h in heads)
        _status, data = client.fetch("1:2", "(FLAGS)")
        assert all(b"\\Seen" in line for line in data)
        client.logout()

    await asyncio.to_thread(scenario)


async def test_store_in_every_form(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    for n in range(3):
        server.province.deliver("nvan", simple(f"Cờ {n}"), folder)

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(folder)
        status, data = client.store("1:2", "+FLAGS", "(\\Flagged $Label1)")
        assert status == "OK" and len(data) == 2 and b"\\Flagged $Label1" in data[0]
        status, data = client.store("2", "-FLAGS", "($Label1)")
        assert data[0].startswith(b"2 (UID ") and b"$Label1" not in data[0]
        status, data = client.store("3", "FLAGS", "(\\Answered \\Draft)")
        assert b"FLAGS (\\Answered \\Draft \\Recent)" in data[0]
        status, data = client.store("1:3", "+FLAGS.SILENT", "(\\Seen)")
        assert status == "OK" and data == [None]
        status, data = client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        assert status == "OK" and len(data) == 3
        status, data = client.fetch("1:3", "(FLAGS)")
        assert [re.search(rb"FLAGS \(([^)]*)\)", line).group(1) for line in data] == [
            b"\\Flagged $Label1 \\Recent", b"\\Flagged \\Recent", b"\\Answered \\Draft \\Recent"]
        status, data = client.response("FLAGS")
        assert b"$Label1" in data[-1]  # the new keyword was announced with a FLAGS response
        client.logout()

    await asyncio.to_thread(scenario)


async def test_copy_move_expunge_with_uidplus(server: ImapServer) -> None:
    province = server.province
    source = province.fresh_folder("nvan")
    target = province.fresh_folder("nvan")
    for n in range(5):
        province.deliver("nvan", simple(f"Chuyển {n}"), source)

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(source)
        status, data = client.copy("1:2", target)
        assert status == "OK" and re.match(rb"\[COPYUID \d+ 1:2 1:2\]", data[0])
        status, data = client.uid("MOVE", "3", target)
        assert status == "OK"
        assert client.response("EXPUNGE")[1] == [b"3"]
        status, data = client.copy("1", f"missing-{token()}")
        assert status == "NO" and b"[TRYCREATE]" in data[0]
        client.store("1", "+FLAGS", "(\\Deleted)")
        client.store("3", "+FLAGS", "(\\Deleted)")
        status, data = client.uid("EXPUNGE", "1")  # UID EXPUNGE: only UID 1 goes
        assert status == "OK" and client.response("EXPUNGE")[1] == [b"1"]
        status, data = client.expunge()
        assert status == "OK" and data == [b"2"]  # UID 4, number 3 before UID 1 went
        status, data = client.uid("SEARCH", "ALL")
        assert data == [b"2 5"]
        status, data = client.status(target, "(MESSAGES UIDNEXT)")
        assert b"MESSAGES 3 UIDNEXT 4" in data[0]
        try:
            client.copy("7", target)
            raise AssertionError("COPY of a message number past the end was accepted")
        except imaplib.IMAP4.error as error:
            assert "BAD" in str(error)  # message 7 does not exist (RFC 9051 §9)
        client.logout()

    await asyncio.to_thread(scenario)


async def test_search_keys_and_diacritic_insensitive_text(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Công văn số 5 về chuyển đổi số", "Đề nghị đôn đốc thực hiện."), folder)
    province.deliver("nvan", simple("Giấy mời họp", "Kính mời dự họp.", sender="Sở Nội vụ <snv@dongnai.gov.vn>",
                                    date="Tue, 04 Mar 2025 09:00:00 +0700"), folder)
    province.deliver("nvan", simple("Thông báo", "Lịch nghỉ lễ." + " dài" * 300), folder)

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(folder)

        def search(*criteria: str) -> list[int]:
            status, data = client.search("UTF-8", *criteria)
            assert status == "OK", data
            return [int(n) for n in data[0].split()]

        assert search("TEXT", '"cong van"') == [1]
        assert search("BODY", '"don doc"') == [1]
        assert search("SUBJECT", '"giay moi"') == [2]
        assert search("FROM", '"noi vu"') == [2]
        assert search("HEADER", "Message-ID", '"dongnai.gov.vn"') == [1, 2, 3]
        assert search("SENTON", "4-Mar-2025") == [2]
        assert search("SENTBEFORE", "4-Mar-2025") == [1, 3]
        assert search("LARGER", "1000") == [3]
        assert search("OR", "SUBJECT", "thong", "SUBJECT", "moi") == [2, 3]
        assert search("NOT", "SUBJECT", "thong", "2:*") == [2]
        client.store("2", "+FLAGS", "(\\Flagged)")
        assert search("FLAGGED") == [2]
        assert search("UNFLAGGED", "UNSEEN") == [1, 3]
        assert search("UID", "2:3", "NEW") == [2, 3]
        _status, data = client.uid("SEARCH", "CHARSET", "UTF-8", "TEXT", '"chuyen doi so"')
        assert data == [b"1"]
        client.logout()

    await asyncio.to_thread(scenario)


async def test_mailbox_commands(server: ImapServer) -> None:
    mark = token()

    def scenario() -> None:
        client = server.imaplib("nvan")
        status, data = client.list('""', "%")
        names = [line.rsplit(b' "/" ', 1)[1] for line in data]
        assert b"INBOX" in names and b'"Sent"' in names
        assert any(b"\\Sent" in line for line in data) and any(b"\\Trash" in line for line in data)
        status, data = client.create(f"p-{mark}/con")
        assert status == "OK"
        status, data = client.list('""', f"p-{mark}*")
        assert data == [f'(\\HasChildren) "/" "p-{mark}"'.encode(),
                        f'(\\HasNoChildren) "/" "p-{mark}/con"'.encode()]
        assert client.create(f"p-{mark}")[0] == "NO"
        status, data = client.rename(f"p-{mark}", f"q-{mark}")
        assert status == "OK"
        status, data = client.list(f"q-{mark}/", "%")
        assert data == [f'(\\HasNoChildren) "/" "q-{mark}/con"'.encode()]
        assert client.unsubscribe(f"q-{mark}/con")[0] == "OK"
        status, data = client.lsub('""', f"q-{mark}*")
        assert data == [f'() "/" "q-{mark}"'.encode()]
        status, data = client.delete(f"q-{mark}")
        assert status == "NO" and b"[HASCHILDREN]" in data[0]
        assert client.delete(f"q-{mark}/con")[0] == "OK"
        assert client.delete(f"q-{mark}")[0] == "OK"
        assert client.delete("INBOX")[0] == "NO"
        status, data = client.list('""', '""')
        assert data == [b'(\\Noselect) "/" ""']
        status, data = client.status("INBOX", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE)")
        assert status == "OK" and re.match(rb"INBOX \(MESSAGES \d+ RECENT \d+ UIDNEXT \d+ UIDVALIDITY \d+ "
                                           rb"UNSEEN \d+ DELETED \d+ SIZE \d+\)", data[0])
        status, data = client.getquotaroot("INBOX")
        assert data[0] == [b'INBOX ""'] and data[1][0].startswith(b'"" (STORAGE ')
        status, data = client.myrights("INBOX")
        assert data == [b"INBOX lrswipkxtea"]
        client.logout()

    await asyncio.to_thread(scenario)


async def test_search_finds_long_bodies_not_yet_indexed(server: ImapServer) -> None:
    """A long body is folded for search after delivery; a SEARCH of body text (run off the session's thread,
    since it writes) indexes the folder's waiting bodies first, so it never misses one."""
    province = server.province
    store = province.inst.mailstore
    folder = province.fresh_folder("nvan")
    waiting = store.text_index.queue
    store.text_index.queue = lambda content_ids: None  # type: ignore[method-assign]  # as in a burst of mail
    try:
        body = "Báo cáo kết quả chuyển đổi số của Sở Thông tin và Truyền thông.\r\n" * 200 + "Mã số: BC-2026-44."
        province.deliver("nvan", simple("Báo cáo dài", body), folder)
        province.deliver("nvan", simple("Thư ngắn", "Không liên quan."), folder)
    finally:
        store.text_index.queue = waiting  # type: ignore[method-assign]

    def scenario() -> None:
        client = server.imaplib("nvan")
        client.select(folder)
        status, data = client.search("UTF-8", "BODY", '"bc-2026-44"')
        assert status == "OK" and data[0].split() == [b"1"]
        status, data = client.search("UTF-8", "OR", "TEXT", '"chuyen doi so"', "SUBJECT", '"ngan"')
        assert status == "OK" and data[0].split() == [b"1", b"2"]
        client.logout()

    await asyncio.to_thread(scenario)
