"""Scenarios with IMAPClient: Vietnamese folder names, SORT and THREAD, ESEARCH and SEARCHRES, CONDSTORE and
QRESYNC, MULTIAPPEND, IDLE, and updates between sessions with correct EXPUNGE and VANISHED numbering."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from imap_harness import ImapServer
from imap_samples import simple, token


async def test_vietnamese_folder_names_and_special_use(server: ImapServer) -> None:
    mark = token()
    name = f"Văn bản đến {mark}"

    def scenario() -> None:
        client = server.imapclient("nvan")
        client.create_folder(name)
        client.create_folder(f"{name}/Năm 2025")
        folders = {f[2]: f[0] for f in client.list_folders(pattern=f"Văn bản đến {mark}*")}
        assert set(folders) == {name, f"{name}/Năm 2025"}
        client.select_folder(f"{name}/Năm 2025")
        client.append(f"{name}/Năm 2025", simple("Tờ trình"))
        assert client.folder_status(f"{name}/Năm 2025", ["MESSAGES"])[b"MESSAGES"] == 1
        client.rename_folder(name, f"Văn bản đi {mark}")
        assert [f[2] for f in client.list_folders(pattern=f"*{mark}*")] == [
            f"Văn bản đi {mark}", f"Văn bản đi {mark}/Năm 2025"]
        typ, _ = client._imap._simple_command("CREATE", f'"Luu {mark}" (USE (\\Archive))')  # RFC 6154 §3
        assert typ == "OK"
        specials = client.list_folders(pattern=f"Luu {mark}")
        assert specials and b"\\Archive" in specials[0][0]
        client.logout()

    await asyncio.to_thread(scenario)


async def test_sort_and_thread(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    root = token()
    province.deliver("nvan", simple("Họp giao ban", sender="Bình <ttbinh@dongnai.gov.vn>", tag=root,
                                    date="Mon, 03 Mar 2025 08:00:00 +0700"), folder)
    province.deliver("nvan", simple("Báo cáo tháng", sender="An <nvan@dongnai.gov.vn>",
                                    date="Sun, 02 Mar 2025 08:00:00 +0700"), folder)
    province.deliver("nvan", simple("Re: Họp giao ban", sender="Cường <lvcuong@dongnai.gov.vn>",
                                    references=f"<{root}@dongnai.gov.vn>",
                                    date="Tue, 04 Mar 2025 08:00:00 +0700"), folder)

    def scenario() -> None:
        client = server.imapclient("nvan")
        client.select_folder(folder)
        assert client.sort(["DATE"]) == [2, 1, 3]
        assert client.sort(["REVERSE", "DATE"]) == [3, 1, 2]
        assert client.sort(["SUBJECT", "DATE"]) == [2, 1, 3]
        assert client.sort(["FROM"], ["NOT", "FROM", "nvan"]) == [3, 1]
        assert client.thread("REFERENCES") == ((2,), (1, 3))
        assert client.thread("ORDEREDSUBJECT") == ((2,), (1, 3))
        client.logout()

    await asyncio.to_thread(scenario)


async def test_esearch_and_searchres(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    for n in range(6):
        server.province.deliver("nvan", simple(f"Công văn {n}" if n % 2 else f"Giấy mời {n}"), folder)

    def scenario() -> None:
        client = server.imapclient("nvan")
        client.select_folder(folder)
        imap = client._imap
        typ, data = imap._simple_command("UID", "SEARCH", "RETURN", "(MIN MAX COUNT ALL SAVE)", "SUBJECT",
                                         '"cong van"')
        assert typ == "OK"
        typ, esearch = imap._untagged_response(typ, data, "ESEARCH")
        assert esearch[0].endswith(b"UID MIN 2 MAX 6 ALL 2,4,6 COUNT 3")
        typ, data = imap._simple_command("UID", "FETCH", "$", "(FLAGS)")
        assert typ == "OK" and len(imap.untagged_responses.pop("FETCH")) == 3
        typ, data = imap._simple_command("SEARCH", "RETURN", "()", "NOT", "$")
        typ, esearch = imap._untagged_response(typ, data, "ESEARCH")
        assert esearch[0].endswith(b"ALL 1,3,5")
        client.logout()

    await asyncio.to_thread(scenario)


async def test_condstore_and_qresync(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    for n in range(4):
        server.province.deliver("nvan", simple(f"Đồng bộ {n}"), folder)

    def scenario() -> None:
        client = server.imapclient("nvan")
        assert client.enable("QRESYNC") == [b"QRESYNC"]
        state = client.select_folder(folder)
        validity, modseq = state[b"UIDVALIDITY"], state[b"HIGHESTMODSEQ"]
        client.add_flags([2], ["\\Flagged"])
        response = client.fetch([1, 2, 3, 4], ["FLAGS"], modifiers=[f"CHANGEDSINCE {modseq}"])
        assert list(response) == [2] and b"MODSEQ" in response[2]
        changed_at = response[2][b"MODSEQ"][0]
        other = server.imapclient("nvan")
        other.select_folder(folder)
        other.add_flags([4], ["\\Deleted"])
        other.expunge()
        other.logout()
        client.noop()
        assert client._imap.untagged_responses.pop("VANISHED") == [b"4"]  # QRESYNC is on: no EXPUNGE
        client.unselect_folder()
        typ, data = client._imap._simple_command(
            "SELECT", folder, f"(QRESYNC ({validity} {modseq} 1:4))")
        assert typ == "OK"
        client._imap.state = "SELECTED"  # the raw SELECT bypassed imaplib's own bookkeeping
        vanished = client._imap.untagged_responses.pop("VANISHED")
        assert vanished == [b"(EARLIER) 4"]
        fetches = client._imap.untagged_responses.pop("FETCH")
        assert any(b"UID 2" in f and f"MODSEQ ({changed_at})".encode() in f for f in fetches)
        # A conditional STORE against a stale MODSEQ is refused for that message (RFC 7162 §3.1.3).
        typ, data = client._imap._simple_command("STORE", "1:2", f"(UNCHANGEDSINCE {modseq})", "+FLAGS",
                                                 "(\\Answered)")
        assert typ == "OK" and b"[MODIFIED 2]" in data[0]
        client.logout()

    await asyncio.to_thread(scenario)


async def test_multiappend_and_utf8_search_literal(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    first, second = simple("Quyết định bổ nhiệm"), simple("Thông báo tuyển dụng")
    wire = await server.wire()
    await wire.login("nvan")
    await wire.send(f"m1 APPEND {folder} (\\Seen) {{{len(first)}+}}\r\n".encode() + first
                    + f" {{{len(second)}+}}\r\n".encode() + second + b"\r\n")
    appended = (await wire.until_tagged("m1"))[-1]
    assert appended.startswith(b"m1 OK [APPENDUID ") and b" 1:2] " in appended
    await wire.close()

    def scenario() -> None:
        client = server.imapclient("nvan")
        client.select_folder(folder)
        assert client.search(["SUBJECT", "Quyết định"], charset="UTF-8") == [1]
        assert client.search(["SUBJECT", "quyet dinh"]) == [1]
        assert client.search(["TEXT", "THÔNG BÁO"], charset="UTF-8") == [2]
        client.logout()

    await asyncio.to_thread(scenario)


async def test_imapclient_multiappend(server: ImapServer) -> None:
    # IMAPClient sends two spaces between consecutive literals; the messages must land byte-exact, in order.
    folder = server.province.fresh_folder("nvan")
    bodies = [simple("Công văn thứ nhất"), simple("Công văn thứ hai"), simple("Giấy mời họp")]
    when = datetime(2025, 3, 3, 8, 30, tzinfo=UTC)

    def scenario() -> None:
        client = server.imapclient("nvan")
        typ, data = client.multiappend(folder, [bodies[0], bodies[1], {"msg": bodies[2], "flags": ["\\Flagged"],
                                                                   "date": when}])
        assert typ == "OK" and data[0].startswith(b"[APPENDUID ") and b" 1:3] " in data[0]
        client.select_folder(folder)
        fetched = client.fetch([1, 2, 3], ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])
        assert [fetched[uid][b"BODY[]"] for uid in sorted(fetched)] == bodies
        assert b"\\Flagged" in fetched[3][b"FLAGS"]
        assert fetched[3][b"INTERNALDATE"].astimezone(UTC) == when
        client.logout()

    await asyncio.to_thread(scenario)


async def test_updates_between_sessions_keep_numbering(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    for n in range(5):
        province.deliver("nvan", simple(f"Số thứ tự {n}"), folder)

    def scenario() -> None:
        watcher = server.imapclient("nvan")
        watcher.use_uid = False  # this test is about message numbers
        watcher.select_folder(folder)
        actor = server.imapclient("nvan")
        actor.select_folder(folder)
        actor.add_flags([2, 4], ["\\Deleted"])
        actor.expunge()
        actor.move([1], "INBOX")
        actor.logout()
        responses = watcher.noop()[1]
        expunges = [r[0] for r in responses if r[1] == b"EXPUNGE"]
        assert expunges == [4, 2, 1]  # UIDs 4, 2, then 1: each number valid when it is said
        assert watcher.search(["ALL"]) == [1, 2]
        assert watcher.fetch([1, 2], ["UID"]) == {1: {b"UID": 3, b"SEQ": 1}, 2: {b"UID": 5, b"SEQ": 2}}
        watcher.logout()

    await asyncio.to_thread(scenario)


async def test_idle_wakes_on_delivery(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    loop = asyncio.get_running_loop()

    def scenario() -> None:
        client = server.imapclient("nvan")
        client.select_folder(folder)
        client.idle()
        asyncio.run_coroutine_threadsafe(asyncio.to_thread(province.deliver, "nvan", simple("Thư đến"), folder),
                                         loop).result(10)
        responses = client.idle_check(timeout=5)
        client.idle_done()
        assert (1, b"EXISTS") in responses
        client.logout()

    await asyncio.to_thread(scenario)
