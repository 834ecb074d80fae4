"""Response serialisers: status lines with codes, data lines, string encoding, sequence-set compression."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from congvu.imap import response as r
from congvu.imap import wire
from congvu.imap.errors import ParseError
from congvu.imap.parser import parse_command
from congvu.imap.sequence import SequenceSet
from congvu.imap.threading import ThreadNode


def test_tagged_and_untagged() -> None:
    assert r.tagged("a1", "OK", "LOGIN completed") == b"a1 OK LOGIN completed\r\n"
    assert r.tagged("a2", "no", "Over quota", r.OVERQUOTA) == b"a2 NO [OVERQUOTA] Over quota\r\n"
    assert (
        r.untagged("OK", "Predicted next UID", r.uidnext(4392))
        == b"* OK [UIDNEXT 4392] Predicted next UID\r\n"
    )
    assert r.untagged("BYE", "Logging out") == b"* BYE Logging out\r\n"
    assert r.tagged("a3", "OK", "line1\r\nline2") == b"a3 OK line1  line2\r\n"
    with pytest.raises(ValueError):
        r.tagged("a", "MAYBE", "x")


def test_vietnamese_text_is_utf8() -> None:
    assert r.tagged("a", "NO", "Hộp thư đầy", r.OVERQUOTA) == "a NO [OVERQUOTA] Hộp thư đầy\r\n".encode()


def test_bad_from_parse_error() -> None:
    try:
        parse_command(b"t9 FROB")
    except ParseError as error:
        line = r.tagged(error.tag or "*", "BAD", error.response_text(utf8=False), r.CLIENTBUG)
    assert line == b"t9 BAD [CLIENTBUG] Unknown command: FROB\r\n"


@pytest.mark.parametrize(
    ("code", "wire_form"),
    [
        (r.ALERT, b"[ALERT]"),
        (r.badcharset(), b"[BADCHARSET (UTF-8 US-ASCII)]"),
        (r.capability_code(["IMAP4rev2", "IMAP4rev1", "IDLE"]), b"[CAPABILITY IMAP4rev2 IMAP4rev1 IDLE]"),
        (r.PARSE, b"[PARSE]"),
        (
            r.permanent_flags(["\\Answered", "\\Seen", "\\*"]),
            b"[PERMANENTFLAGS (\\Answered \\Seen \\*)]",
        ),
        (r.READ_ONLY, b"[READ-ONLY]"),
        (r.READ_WRITE, b"[READ-WRITE]"),
        (r.TRYCREATE, b"[TRYCREATE]"),
        (r.uidnext(5), b"[UIDNEXT 5]"),
        (r.uidvalidity(3857529045), b"[UIDVALIDITY 3857529045]"),
        (r.unseen(12), b"[UNSEEN 12]"),
        (r.appenduid(38505, [3955]), b"[APPENDUID 38505 3955]"),
        (r.appenduid(38505, [3955, 3956, 3957, 3960]), b"[APPENDUID 38505 3955:3957,3960]"),
        (r.copyuid(38505, [304, 319, 320], [3956, 3957, 3958]), b"[COPYUID 38505 304,319:320 3956:3958]"),
        (r.highestmodseq(715194045007), b"[HIGHESTMODSEQ 715194045007]"),
        (r.NOMODSEQ, b"[NOMODSEQ]"),
        (r.modified([7, 9, 8]), b"[MODIFIED 7:9]"),
        (r.CLOSED, b"[CLOSED]"),
        (r.ALREADYEXISTS, b"[ALREADYEXISTS]"),
        (r.NONEXISTENT, b"[NONEXISTENT]"),
        (r.AUTHENTICATIONFAILED, b"[AUTHENTICATIONFAILED]"),
        (r.LIMIT, b"[LIMIT]"),
        (r.OVERQUOTA, b"[OVERQUOTA]"),
        (r.CANNOT, b"[CANNOT]"),
        (r.SERVERBUG, b"[SERVERBUG]"),
        (r.UNAVAILABLE, b"[UNAVAILABLE]"),
        (r.INUSE, b"[INUSE]"),
        (r.NOPERM, b"[NOPERM]"),
        (r.TOOBIG, b"[TOOBIG]"),
    ],
)
def test_response_codes(code: r.ResponseCode, wire_form: bytes) -> None:
    assert code.encode() == wire_form


def test_copyuid_keeps_pairing_order() -> None:
    # source UIDs in ascending order map to destinations that need not be ascending
    assert r.copyuid(1, [1, 2, 3], [10, 12, 11]).encode() == b"[COPYUID 1 1:3 10,12,11]"
    with pytest.raises(ValueError):
        r.copyuid(1, [1, 2], [3])


def test_continuation() -> None:
    assert r.continuation() == b"+ Ready\r\n"
    assert r.continuation("idling") == b"+ idling\r\n"


def test_string_encodings() -> None:
    assert wire.quoted('say "hi" \\o/') == b'"say \\"hi\\" \\\\o/"'
    assert wire.string("plain") == b'"plain"'
    assert wire.string("line\r\nbreak") == b"{11}\r\nline\r\nbreak"
    assert wire.string("Công văn") == b"{10}\r\nC\xc3\xb4ng v\xc4\x83n"
    assert wire.string("Công văn", utf8=True) == '"Công văn"'.encode()
    assert wire.string(b"\xff\xfe", utf8=True) == b"{2}\r\n\xff\xfe"
    assert wire.string("x" * 2000).startswith(b"{2000}\r\n")
    assert wire.astring("INBOX") == b"INBOX"
    assert wire.astring("two words") == b'"two words"'
    assert wire.astring("NIL") == b'"NIL"'
    assert wire.astring("") == b'""'
    assert wire.nstring(None) == b"NIL"
    assert wire.nstring("") == b'""'
    assert wire.literal(b"\x00\x01", binary=True) == b"~{2}\r\n\x00\x01"
    with pytest.raises(ValueError):
        wire.quoted("a\nb")


def test_mailbox_names_on_the_wire() -> None:
    assert wire.mailbox("INBOX") == b"INBOX"
    assert wire.mailbox("Văn bản đến") == b'"V&AQM-n b&HqM-n &AREevw-n"'
    assert wire.mailbox("Văn bản đến", utf8=True) == '"Văn bản đến"'.encode()
    assert wire.mailbox("R&D") == b'"R&-D"'


def test_flag_list_and_date_time() -> None:
    assert wire.flag_list(["\\Seen", "$Forwarded"]) == b"(\\Seen $Forwarded)"
    assert wire.flag_list([]) == b"()"
    hanoi = timezone(timedelta(hours=7))
    assert wire.date_time(datetime(2024, 3, 5, 8, 9, 10, tzinfo=hanoi)) == b'" 5-Mar-2024 08:09:10 +0700"'
    assert wire.date_time(datetime(1996, 7, 17, 2, 44, 25, tzinfo=timezone(-timedelta(hours=7)))) == (
        b'"17-Jul-1996 02:44:25 -0700"'
    )
    assert wire.date_time(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)) == b'"31-Dec-2024 23:59:59 +0000"'
    with pytest.raises(ValueError):
        wire.date_time(datetime(2024, 1, 1))


def test_sequence_set_compression() -> None:
    assert wire.sequence_set([1, 2, 3, 5, 7, 8, 9]) == "1:3,5,7:9"
    assert wire.sequence_set([9, 8, 7, 1]) == "1,7:9"
    assert wire.sequence_set([9, 8, 7, 1], sort=False) == "9,8,7,1"
    assert wire.sequence_set([4, 5, 6, 1, 2], sort=False) == "4:6,1:2"
    assert wire.sequence_set([]) == ""


def test_data_lines() -> None:
    assert (
        r.capability(["IMAP4rev2", "IMAP4rev1", "AUTH=PLAIN"])
        == b"* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN\r\n"
    )
    assert r.enabled(["CONDSTORE", "QRESYNC"]) == b"* ENABLED CONDSTORE QRESYNC\r\n"
    assert r.enabled([]) == b"* ENABLED\r\n"
    assert r.flags(["\\Answered", "\\Seen"]) == b"* FLAGS (\\Answered \\Seen)\r\n"
    assert r.exists(172) == b"* 172 EXISTS\r\n"
    assert r.recent(1) == b"* 1 RECENT\r\n"
    assert r.expunge(44) == b"* 44 EXPUNGE\r\n"
    assert r.vanished([41, 43, 44, 45, 46]) == b"* VANISHED 41,43:46\r\n"
    assert (
        r.vanished(SequenceSet.parse("300:310,405"), earlier=True) == b"* VANISHED (EARLIER) 300:310,405\r\n"
    )


def test_list_lines() -> None:
    assert r.list_line(["\\HasNoChildren"], "/", "INBOX") == b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
    assert r.list_line(["\\Noselect"], None, "") == b'* LIST (\\Noselect) NIL ""\r\n'
    assert r.list_line(["\\Sent", "\\HasNoChildren"], "/", "Thư đã gửi") == (
        b'* LIST (\\Sent \\HasNoChildren) "/" "Th&AbA- &AREA4w- g&Hu0-i"\r\n'
    )
    assert r.list_line(["\\Subscribed"], "/", "Văn bản đến", utf8=True) == (
        '* LIST (\\Subscribed) "/" "Văn bản đến"\r\n'.encode()
    )
    assert r.list_line([], "/", "Foo", child_info=["SUBSCRIBED"]) == (
        b'* LIST () "/" "Foo" (CHILDINFO ("SUBSCRIBED"))\r\n'
    )
    assert r.list_line([], "/", "New", old_name="Old") == b'* LIST () "/" "New" (OLDNAME ("Old"))\r\n'
    assert r.list_line([], "/", "Sent", command="LSUB") == b'* LSUB () "/" "Sent"\r\n'


def test_status_search_sort_esearch() -> None:
    assert r.status("Văn bản đến", {"MESSAGES": 231, "UIDNEXT": 44292, "SIZE": 10485760}) == (
        b'* STATUS "V&AQM-n b&HqM-n &AREevw-n" (MESSAGES 231 UIDNEXT 44292 SIZE 10485760)\r\n'
    )
    assert r.search([2, 3, 6]) == b"* SEARCH 2 3 6\r\n"
    assert r.search([]) == b"* SEARCH\r\n"
    assert r.search([2, 5], modseq=917162500) == b"* SEARCH 2 5 (MODSEQ 917162500)\r\n"
    assert r.sort([5, 3, 4, 1, 2]) == b"* SORT 5 3 4 1 2\r\n"
    assert r.esearch("A282", minimum=2, count=3) == b'* ESEARCH (TAG "A282") MIN 2 COUNT 3\r\n'
    assert (
        r.esearch("A283", uid=True, all_numbers=[2, 10, 11, 12])
        == b'* ESEARCH (TAG "A283") UID ALL 2,10:12\r\n'
    )
    assert r.esearch("A284", all_numbers=[]) == b'* ESEARCH (TAG "A284")\r\n'
    assert r.esearch(None, maximum=9, modseq=5) == b"* ESEARCH MAX 9 MODSEQ 5\r\n"


def test_thread_line_matches_rfc_5256_example() -> None:
    # RFC 5256 §4: (2)(3 6 (4 23)(44 7 96))
    threads = (
        ThreadNode(2),
        ThreadNode(
            3,
            (
                ThreadNode(
                    6,
                    (
                        ThreadNode(4, (ThreadNode(23),)),
                        ThreadNode(44, (ThreadNode(7, (ThreadNode(96),)),)),
                    ),
                ),
            ),
        ),
    )
    assert r.thread(threads) == b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n"
    placeholder = ThreadNode(None, (ThreadNode(3), ThreadNode(5)))
    assert r.thread_text([placeholder]) == "((3)(5))"
    assert r.thread([]) == b"* THREAD\r\n"


def test_namespace_id_quota_acl() -> None:
    assert r.namespace([("", "/")], [("Người dùng khác/", "/")], None) == (
        b'* NAMESPACE (("" "/")) (("Ng&AbAe3Q-i d&APk-ng kh&AOE-c/" "/")) NIL\r\n'
    )
    assert r.namespace(None, None, None) == b"* NAMESPACE NIL NIL NIL\r\n"
    assert r.id_line({"name": "CôngVụ", "version": "0.1.0", "support-url": None}) == (
        '* ID ("name" "CôngVụ" "version" "0.1.0" "support-url" NIL)\r\n'.encode()
    )
    assert r.id_line(None) == b"* ID NIL\r\n"
    assert r.quota("", [("STORAGE", 10, 512)]) == b'* QUOTA "" (STORAGE 10 512)\r\n'
    assert r.quotaroot("INBOX", [""]) == b'* QUOTAROOT INBOX ""\r\n'
    assert r.acl("INBOX", [("Fred", "rwipslxetad"), ("anyone", "lr")]) == (
        b"* ACL INBOX Fred rwipslxetad anyone lr\r\n"
    )
    assert r.listrights("INBOX", "fred", "", ["l", "r", "s", "w", "i", "p", "k", "x", "t", "e", "a"]) == (
        b'* LISTRIGHTS INBOX fred "" l r s w i p k x t e a\r\n'
    )
    assert r.myrights("INBOX", "rwiptsldaex") == b"* MYRIGHTS INBOX rwiptsldaex\r\n"


def test_fetch_line() -> None:
    line = r.fetch(
        12,
        [
            ("UID", b"4827313"),
            ("FLAGS", wire.flag_list(["\\Seen"])),
            ("MODSEQ", b"(624140003)"),
            ("BODY[HEADER.FIELDS (Subject)]", wire.literal(b"Subject: x\r\n\r\n")),
        ],
    )
    assert line == (
        b"* 12 FETCH (UID 4827313 FLAGS (\\Seen) MODSEQ (624140003) "
        b"BODY[HEADER.FIELDS (Subject)] {14}\r\nSubject: x\r\n\r\n)\r\n"
    )
