"""What FETCH, STATUS and the command loop keep between commands, and that answers do not change because of it:
header sections already cut, responses of summary items written from a template, commands already parsed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from imap_harness import ImapServer, tagged
from imap_samples import simple

from congvu.imap.commands import Fetch, Login, Noop, Select
from congvu.imap.fetch import FetchSimple
from congvu.imap.parser import parse_command
from congvu.imapserver.fetching import SectionCache, plan_fetch, render_line, summary_template, summary_values
from congvu.imapserver.parsecache import ParseCache
from congvu.mailstore.api import MessageSummary

SUMMARY = MessageSummary(uid=17, modseq=99, flags=frozenset({"\\Seen", "$Quan_trong"}),
                         internal_date=datetime(2025, 3, 1, 2, 3, 4, tzinfo=UTC), size=1234, content_id=1)


def test_section_cache_holds_sections_and_missing_ones_within_its_budget() -> None:
    cache = SectionCache(max_bytes=64 * 100)
    key = ("HEADER.FIELDS", frozenset({"from", "subject"}))
    other = ("HEADER", frozenset())
    assert cache.find("a" * 64, (key,)) is None
    cache.put("a" * 64, key, b"Subject: x\r\n\r\n")
    cache.put("a" * 64, other, None)  # a section that does not exist is answered NIL every time
    assert cache.find("a" * 64, (key, other)) == {key: b"Subject: x\r\n\r\n", other: None}
    assert cache.find("b" * 64, (key,)) is None
    cache.put("c" * 64, key, b"x" * 200)  # larger than a 64th of the budget: not kept
    assert cache.find("c" * 64, (key,)) is None
    for n in range(80):
        cache.put(f"{n:064x}", key, b"y" * 99)
    assert cache.find("a" * 64, (key,)) is None  # the oldest went first
    assert cache.find(f"{79:064x}", (key,)) == {key: b"y" * 99}


@pytest.mark.parametrize("names", [("FLAGS",), ("UID", "FLAGS"), ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ")])
@pytest.mark.parametrize("uid", [False, True])
def test_summary_template_writes_what_the_renderer_writes(names: tuple[str, ...], uid: bool) -> None:
    plan = plan_fetch(tuple(FetchSimple(n) for n in names), uid=uid, modseq=uid)
    template = summary_template(plan)
    assert template is not None
    flags = b"(\\Seen $Quan_trong)"
    line = template[0] % (5, *summary_values(template[1], SUMMARY, flags))
    assert line == render_line(5, plan, SUMMARY, None, None, flags=flags, add_flags=False)
    assert line.startswith(b"* 5 FETCH (") and line.endswith(b")\r\n")


def test_plans_that_need_the_message_have_no_template() -> None:
    command = parse_command(b"a UID FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)] ENVELOPE)")
    assert isinstance(command, Fetch)
    plan = plan_fetch(command.attributes, uid=True, modseq=False)
    assert summary_template(plan) is None
    assert plan.header_keys == (("HEADER.FIELDS", frozenset({"subject"})),)
    whole = parse_command(b"a FETCH 1 (BODY.PEEK[HEADER] BODY[TEXT])")
    assert isinstance(whole, Fetch)
    assert plan_fetch(whole.attributes, uid=False, modseq=False).header_keys is None  # TEXT needs the message


def test_parse_cache_answers_with_the_new_tag_and_keeps_no_passwords() -> None:
    cache = ParseCache(max_commands=2)
    first = cache.parse(b"a1 SELECT INBOX", utf8=False)
    again = cache.parse(b"b22 SELECT INBOX", utf8=False)
    assert isinstance(again, Select) and again.tag == "b22" and again == parse_command(b"b22 SELECT INBOX")
    assert first.tag == "a1"
    login = cache.parse(b'c1 LOGIN nvan@dongnai.gov.vn "Matkhau@2026"', utf8=False)
    assert isinstance(login, Login)
    assert not any(b"LOGIN" in text for text, _ in cache._parsed)
    assert isinstance(cache.parse(b"d1 NOOP", utf8=False), Noop)
    assert len(cache._parsed) <= 2
    # Mailbox names are modified UTF-7 unless UTF-8 is on (RFC 6855 §3): one entry per mode.
    utf7 = cache.parse(b"e1 SELECT &AQM-ng", utf8=False)
    utf8 = cache.parse(b"e2 SELECT &AQM-ng", utf8=True)
    assert isinstance(utf7, Select) and isinstance(utf8, Select)
    assert (utf7.mailbox, utf8.mailbox) == ("ăng", "&AQM-ng")


async def test_header_fields_are_the_same_bytes_from_the_cache(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Giấy mời họp giao ban"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    asks = ["BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "BODY.PEEK[HEADER.FIELDS (from Subject)]",
            "BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT FROM)]", "BODY.PEEK[HEADER]<0.20>", "BODY.PEEK[HEADER]"]
    first = [await wire.command(f"UID FETCH 1 (UID {ask})") for ask in asks]
    second = [await wire.command(f"UID FETCH 1 (UID {ask})") for ask in asks]
    assert [lines[:-1] for lines in first] == [lines[:-1] for lines in second]
    subject_from = first[0][0]
    assert b"Subject: " in subject_from and b"From: " in subject_from and b"Date:" not in subject_from
    assert first[1][0] == subject_from.replace(b"BODY[HEADER.FIELDS (SUBJECT FROM)]",
                                               b"BODY[HEADER.FIELDS (from Subject)]")
    assert b"Date: " in first[2][0] and b"Subject:" not in first[2][0]
    assert b"BODY[HEADER]<0> {20}\r\n" in first[3][0]
    # The cache also answers a message whose header it has not cut yet, and BODY[] is untouched by it.
    province.deliver("nvan", simple("Thư thứ hai"), folder)
    await wire.command("NOOP")
    both = await wire.command("UID FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert "Giấy mời".encode() in both[0] and "Thư thứ hai".encode() in both[1]
    whole = await wire.command("UID FETCH 2 (BODY.PEEK[])")
    assert b"BODY[] {" in whole[0] and "Thư thứ hai".encode() in whole[0] and "Mã: ".encode() in whole[0]
    await wire.close()


async def test_fetch_flags_of_many_messages_agrees_with_fetch_one_by_one(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    for n in range(30):
        province.deliver("nvan", simple(f"Thư {n}"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command("ENABLE CONDSTORE")
    await wire.command(f"SELECT {folder}")
    await wire.command("UID STORE 3:5 +FLAGS.SILENT (\\Deleted)")
    await wire.command("UID EXPUNGE 3:5")
    await wire.command("UID STORE 7,9 +FLAGS.SILENT (\\Seen $Quan_trong)")
    # More than a few messages are answered from their summaries with one template; one message at a time
    # goes the general way. Both must write the same bytes.
    for uid, attributes, numbers in [(False, "(FLAGS)", "1:*"), (True, "(FLAGS)", "1:*"),
                                     (False, "(UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE)", "2:25")]:
        prefix = "UID FETCH" if uid else "FETCH"
        many = await wire.command(f"{prefix} {numbers} {attributes}")
        assert b" OK " in tagged(many)
        lines = many[:-1]
        assert len(lines) == (27 if numbers == "1:*" else 24)
        one_by_one = []
        for line in lines:
            number = re.search(rb"UID (\d+)", line) if uid else re.match(rb"\* (\d+) ", line)
            assert number is not None
            one_by_one += (await wire.command(f"{prefix} {number.group(1).decode()} {attributes}"))[:-1]
        assert lines == one_by_one
    assert b"$Quan_trong" in (await wire.command("FETCH 6 (FLAGS)"))[0]
    await wire.close()


async def test_status_names_the_folder_or_says_it_does_not_exist(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Thư chưa đọc"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    status = await wire.command(f"STATUS {folder} (MESSAGES UNSEEN UIDNEXT)")
    assert status[0].startswith(b"* STATUS ") and folder.encode() in status[0]
    assert status[0].endswith(b" (MESSAGES 1 UNSEEN 1 UIDNEXT 2)\r\n")
    missing = await wire.command("STATUS khong-co (MESSAGES)")
    assert b"NO [NONEXISTENT]" in tagged(missing)
    await wire.close()
