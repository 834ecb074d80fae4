"""Command lines as real clients send them (Thunderbird, Outlook, iOS Mail, K-9, mutt, mbsync, offlineimap),
parsed into typed commands."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from congvu.imap import commands as c
from congvu.imap.errors import ParseError
from congvu.imap.fetch import FetchBinary, FetchBody, FetchSimple, Partial, Section, SectionText
from congvu.imap.parser import parse_command
from congvu.imap.search import (
    Compare,
    DateField,
    SearchAll,
    SearchAnd,
    SearchDate,
    SearchFlag,
    SearchHeader,
    SearchModSeq,
    SearchNot,
    SearchOr,
    SearchSequence,
    SearchText,
)
from congvu.imap.sequence import STAR, SequenceSet

THUNDERBIRD_HEADERS = (
    "From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
    "Content-Type Reply-To"
)


def test_thunderbird_header_fetch() -> None:
    line = f"a1 UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS ({THUNDERBIRD_HEADERS})])"
    cmd = parse_command(line.encode())
    assert isinstance(cmd, c.Fetch)
    assert cmd.uid and cmd.sequence == SequenceSet(((1, STAR),))
    assert cmd.attributes[:3] == (FetchSimple("UID"), FetchSimple("RFC822.SIZE"), FetchSimple("FLAGS"))
    body = cmd.attributes[3]
    assert isinstance(body, FetchBody) and body.peek and not body.sets_seen
    assert body.section.text is SectionText.HEADER_FIELDS
    assert body.section.fields == tuple(THUNDERBIRD_HEADERS.split())
    assert body.label == f"BODY[HEADER.FIELDS ({THUNDERBIRD_HEADERS})]"


def test_thunderbird_session_lines() -> None:
    assert parse_command(b"1 capability") == c.Capability("1")
    assert parse_command(b'3 ID ("name" "Thunderbird" "version" "115.3.1")') == c.Id(
        "3", parameters=(("name", "Thunderbird"), ("version", "115.3.1"))
    )
    assert parse_command(b'4 select "INBOX" (CONDSTORE)') == c.Select("4", mailbox="INBOX", condstore=True)
    assert parse_command(b'5 getquotaroot "INBOX"') == c.GetQuotaRoot("5", mailbox="INBOX")
    assert parse_command(b"6 UID fetch 1:* (FLAGS) (CHANGEDSINCE 1234)") == c.Fetch(
        "6",
        sequence=SequenceSet(((1, STAR),)),
        attributes=(FetchSimple("FLAGS"),),
        changed_since=1234,
        uid=True,
    )
    assert parse_command(b"7 UID fetch 3 (UID RFC822.SIZE BODY.PEEK[])") == c.Fetch(
        "7",
        sequence=SequenceSet(((3, 3),)),
        attributes=(FetchSimple("UID"), FetchSimple("RFC822.SIZE"), FetchBody(Section(), peek=True)),
        uid=True,
    )
    assert parse_command(b"8 IDLE") == c.Idle("8")
    assert parse_command(b"9 uid store 3 +FLAGS (\\Seen)") == c.Store(
        "9", sequence=SequenceSet(((3, 3),)), mode=c.StoreMode.ADD, flags=("\\Seen",), uid=True
    )
    assert parse_command(b'10 uid move 5 "Trash"') == c.Move(
        "10", sequence=SequenceSet(((5, 5),)), mailbox="Trash", uid=True
    )
    assert parse_command(b"11 enable QRESYNC CONDSTORE") == c.Enable(
        "11", capabilities=("QRESYNC", "CONDSTORE")
    )
    assert parse_command(b"12 namespace") == c.Namespace("12")
    assert parse_command(b"13 uid expunge 5,7:9") == c.Expunge("13", uids=SequenceSet(((5, 5), (7, 9))))


def test_thunderbird_list_and_status() -> None:
    cmd = parse_command(b'10 list (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)')
    assert cmd == c.List(
        "10",
        reference="",
        patterns=("*",),
        select_options=frozenset({"SUBSCRIBED"}),
        return_options=frozenset({"SPECIAL-USE"}),
        extended=True,
    )
    assert parse_command(b'11 lsub "" "*"') == c.Lsub("11", reference="", pattern="*")
    assert parse_command(b'19 STATUS "Drafts" (UIDNEXT MESSAGES UNSEEN RECENT)') == c.Status(
        "19", mailbox="Drafts", items=("UIDNEXT", "MESSAGES", "UNSEEN", "RECENT")
    )


def test_thunderbird_append_with_date() -> None:
    message = b"From: a@b\r\nSubject: x\r\n\r\nbody\r\n"
    raw = b'17 append "Sent" (\\Seen) "20-Nov-2023 10:12:00 +0700" {%d}\r\n' % len(message) + message
    cmd = parse_command(raw)
    assert isinstance(cmd, c.Append) and cmd.mailbox == "Sent"
    (msg,) = cmd.messages
    assert msg.data == message and msg.flags == ("\\Seen",)
    assert msg.internal_date == datetime(2023, 11, 20, 10, 12, tzinfo=timezone(timedelta(hours=7)))


def test_thunderbird_qresync_select() -> None:
    cmd = parse_command(b'a select "INBOX" (QRESYNC (1700000000 12345 1:100))')
    assert isinstance(cmd, c.Select) and not cmd.read_only
    assert cmd.qresync == c.QResync(1700000000, 12345, SequenceSet(((1, 100),)))


def test_outlook_quoted_header_names_and_login_mechanism() -> None:
    line = (
        b'9kn1 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS ("DATE" "FROM" '
        b'"SENDER" "SUBJECT" "TO" "CC" "MESSAGE-ID" "REFERENCES" "CONTENT-TYPE" "IN-REPLY-TO" "REPLY-TO" '
        b'"IMPORTANCE" "PRIORITY" "X-PRIORITY" "THREAD-TOPIC")])'
    )
    cmd = parse_command(line)
    assert isinstance(cmd, c.Fetch)
    body = cmd.attributes[-1]
    assert isinstance(body, FetchBody) and body.section.fields[0] == "DATE" and len(body.section.fields) == 15
    assert parse_command(b"9kn2 AUTHENTICATE LOGIN") == c.Authenticate("9kn2", mechanism="LOGIN")
    assert parse_command(b'9kn3 LOGIN "tvvinh@dongnai.gov.vn" "m\\"k\\\\1"') == c.Login(
        "9kn3", username="tvvinh@dongnai.gov.vn", password='m"k\\1'
    )
    assert parse_command(b"9kn4 UID STORE 7 +FLAGS.SILENT (\\Deleted)") == c.Store(
        "9kn4",
        sequence=SequenceSet(((7, 7),)),
        mode=c.StoreMode.ADD,
        flags=("\\Deleted",),
        silent=True,
        uid=True,
    )


def test_ios_mail_lines() -> None:
    cmd = parse_command(
        b'3 ID ("name" "iPhone Mail" "version" "20B101" "os" "iOS" "os-version" "16.1.1 (20B101)")'
    )
    assert isinstance(cmd, c.Id) and cmd.parameters is not None and dict(cmd.parameters)["os"] == "iOS"
    assert parse_command(b'4 LIST "" ""') == c.List("4", reference="", patterns=("",))
    assert parse_command(b"7 UID SEARCH 1:* NOT DELETED") == c.Search(
        "7",
        key=SearchAnd((SearchSequence(SequenceSet(((1, STAR),))), SearchNot(SearchFlag("\\Deleted")))),
        uid=True,
    )
    cmd = parse_command(b"9 UID FETCH 100 (BODY.PEEK[1]<0.10240> BODYSTRUCTURE)")
    assert isinstance(cmd, c.Fetch)
    assert cmd.attributes[0] == FetchBody(Section(part=(1,)), Partial(0, 10240), peek=True)
    assert cmd.attributes[0].label == "BODY[1]<0>"
    cmd = parse_command(b'10 STATUS "Drafts" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)')
    assert isinstance(cmd, c.Status) and cmd.items[-1] == "HIGHESTMODSEQ"


def test_k9_lines() -> None:
    cmd = parse_command(b"2 AUTHENTICATE PLAIN AHR2dmluaEBkb25nbmFpLmdvdi52bgBiw60gbeG6rXQ=")
    assert cmd == c.Authenticate(
        "2", mechanism="PLAIN", initial_response=b"\x00tvvinh@dongnai.gov.vn\x00" + "bí mật".encode()
    )
    cmd = parse_command(
        b"7 UID FETCH 1,2,3 (UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject from "
        b"content-type to cc reply-to message-id references in-reply-to X-K9mail-Identity Chat-Version)])"
    )
    assert isinstance(cmd, c.Fetch) and cmd.sequence == SequenceSet(((1, 1), (2, 2), (3, 3)))
    cmd = parse_command(b"8 UID FETCH 3 (UID BODY.PEEK[TEXT]<0.4096>)")
    assert isinstance(cmd, c.Fetch)
    assert cmd.attributes[1] == FetchBody(Section(text=SectionText.TEXT), Partial(0, 4096), peek=True)
    cmd = parse_command(b"9 UID SEARCH SINCE 01-Jan-2024 NOT DELETED")
    assert isinstance(cmd, c.Search)
    assert cmd.key == SearchAnd(
        (SearchDate(DateField.INTERNAL, Compare.SINCE, date(2024, 1, 1)), SearchNot(SearchFlag("\\Deleted")))
    )


MUTT_HEADERS = (
    b"DATE FROM SENDER SUBJECT TO CC MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO "
    b"REPLY-TO LINES LIST-POST LIST-SUBSCRIBE LIST-UNSUBSCRIBE X-LABEL X-ORIGINAL-TO"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"a0000 CAPABILITY", c.Capability("a0000")),
        (b"a0001 AUTHENTICATE PLAIN", c.Authenticate("a0001", mechanism="PLAIN")),
        (b"a0003 COMPRESS DEFLATE", c.Compress("a0003", mechanism="DEFLATE")),
        (b"a0010 CHECK", c.Check("a0010")),
        (b"a0011 EXPUNGE", c.Expunge("a0011")),
        (b"a0015 CLOSE", c.Close("a0015")),
        (b"a0016 UNSELECT", c.Unselect("a0016")),
        (b"a0017 LOGOUT", c.Logout("a0017")),
        (b'a0012 STATUS "Sent" (MESSAGES)', c.Status("a0012", mailbox="Sent", items=("MESSAGES",))),
        (
            b"a0009 UID STORE 1,3:5 -FLAGS.SILENT (\\Deleted)",
            c.Store(
                "a0009",
                sequence=SequenceSet(((1, 1), (3, 5))),
                mode=c.StoreMode.REMOVE,
                flags=("\\Deleted",),
                silent=True,
                uid=True,
            ),
        ),
        (
            b'a0014 UID SEARCH UNDELETED SUBJECT "hello"',
            c.Search(
                "a0014",
                key=SearchAnd((SearchFlag("\\Deleted", False), SearchHeader("Subject", "hello"))),
                uid=True,
            ),
        ),
    ],
)
def test_mutt_lines(line: bytes, expected: c.Command) -> None:
    assert parse_command(line) == expected


def test_mutt_header_fetch_and_vanished() -> None:
    cmd = parse_command(
        b"a0006 FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZ"
        b"E BODY.PEEK[HEADER.FIELDS (" + MUTT_HEADERS + b")])"
    )
    assert isinstance(cmd, c.Fetch) and not cmd.uid and len(cmd.attributes) == 5
    cmd = parse_command(b"a0020 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 123 VANISHED)")
    assert isinstance(cmd, c.Fetch) and cmd.vanished and cmd.changed_since == 123


def test_mbsync_lines() -> None:
    cmd = parse_command(b"8 UID FETCH 1:1000000000 (UID FLAGS)")
    assert isinstance(cmd, c.Fetch) and cmd.sequence == SequenceSet(((1, 1_000_000_000),))
    cmd = parse_command(
        b"9 UID FETCH 3 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (X-TUID)])"
    )
    assert isinstance(cmd, c.Fetch) and cmd.attributes[-1].label == "BODY[HEADER.FIELDS (X-TUID)]"
    # flags without parentheses are allowed by RFC 9051 §9 store-att-flags
    assert parse_command(b"10 UID STORE 12 +FLAGS.SILENT \\Seen \\Flagged") == c.Store(
        "10",
        sequence=SequenceSet(((12, 12),)),
        mode=c.StoreMode.ADD,
        flags=("\\Seen", "\\Flagged"),
        silent=True,
        uid=True,
    )
    assert parse_command(b"11 UID SEARCH HEADER X-TUID abcdef123456") == c.Search(
        "11", key=SearchHeader("X-TUID", "abcdef123456"), uid=True
    )
    message = b"X-TUID: abcdef123456\r\n\r\nhi\r\n"
    cmd = parse_command(
        b'12 APPEND "INBOX" (\\Seen) "07-Mar-2024 09:05:00 +0000" {%d+}\r\n' % len(message) + message
    )
    assert isinstance(cmd, c.Append)
    assert cmd.messages[0].internal_date == datetime(2024, 3, 7, 9, 5, tzinfo=UTC)
    assert parse_command(b'13 CREATE "Archive/2024"') == c.Create("13", mailbox="Archive/2024")


def test_offlineimap_lines() -> None:
    assert parse_command(b'MFOE2 LOGIN tvvinh "secret pass"') == c.Login(
        "MFOE2", username="tvvinh", password="secret pass"
    )
    assert parse_command(b"MFOE5 EXAMINE INBOX").read_only  # type: ignore[attr-defined]
    cmd = parse_command(b"MFOE6 FETCH 1:* (FLAGS UID INTERNALDATE)")
    assert isinstance(cmd, c.Fetch) and [a.label for a in cmd.attributes] == ["FLAGS", "UID", "INTERNALDATE"]
    assert parse_command(b"MFOE7 UID SEARCH HEADER X-OfflineIMAP 123-456") == c.Search(
        "MFOE7", key=SearchHeader("X-OfflineIMAP", "123-456"), uid=True
    )
    assert parse_command(b"MFOE8 UID SEARCH (SINCE 12-Jan-2024)") == c.Search(
        "MFOE8", key=SearchDate(DateField.INTERNAL, Compare.SINCE, date(2024, 1, 12)), uid=True
    )


def test_vietnamese_mailbox_names() -> None:
    assert parse_command(b'a CREATE "V&AQM-n b&HqM-n &AREevw-n"') == c.Create("a", mailbox="Văn bản đến")
    # after ENABLE UTF8=ACCEPT the name travels as UTF-8 and "&" is an ordinary character
    assert parse_command('a CREATE "Văn bản đến & đi"'.encode(), utf8=True) == c.Create(
        "a", mailbox="Văn bản đến & đi"
    )
    # raw UTF-8 from a client that did not enable it is still understood, and normalised to NFC
    decomposed = "Thư đã gửi".encode().replace("ư".encode(), "u\u031b".encode())
    assert parse_command(b'a SELECT "' + decomposed + b'"') == c.Select("a", mailbox="Thư đã gửi")
    assert parse_command(b'a RENAME "Th&AbA- nh&AOE-p" "Th&AbA- &AREA4w- g&Hu0-i"') == c.Rename(
        "a", mailbox="Thư nháp", new_name="Thư đã gửi"
    )


def test_inbox_is_case_insensitive() -> None:
    assert parse_command(b"a SELECT inbox") == c.Select("a", mailbox="INBOX")
    assert parse_command('a STATUS "Inbox/Lưu trữ" (MESSAGES)'.encode()) == c.Status(
        "a", mailbox="INBOX/Lưu trữ", items=("MESSAGES",)
    )
    assert parse_command(b"a SELECT Inboxes") == c.Select("a", mailbox="Inboxes")


def test_searchres_and_esearch() -> None:
    cmd = parse_command(b"a SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994")
    assert isinstance(cmd, c.Search) and cmd.return_options == frozenset({"SAVE"})
    cmd = parse_command(b"b UID FETCH $ (UID FLAGS)")
    assert isinstance(cmd, c.Fetch) and cmd.sequence.saved
    cmd = parse_command(b"c UID SEARCH RETURN () UNSEEN")
    assert isinstance(cmd, c.Search) and cmd.return_options == frozenset({"ALL"})
    cmd = parse_command(b"d SEARCH UID $ OR SMALLER 1000 LARGER 50000")
    assert isinstance(cmd, c.Search) and isinstance(cmd.key, SearchAnd)
    assert isinstance(cmd.key.keys[1], SearchOr)


def test_condstore_search_and_store() -> None:
    cmd = parse_command(b'a SEARCH MODSEQ "/flags/\\\\draft" all 620162338')
    assert isinstance(cmd, c.Search)
    assert cmd.key == SearchModSeq(620162338, "/flags/\\draft", "all")
    cmd = parse_command(b"b STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)")
    assert isinstance(cmd, c.Store) and cmd.unchanged_since == 320162338


def test_sort_and_thread() -> None:
    cmd = parse_command(b"a UID SORT (SUBJECT REVERSE DATE) UTF-8 SINCE 1-Feb-1994")
    assert cmd == c.Sort(
        "a",
        criteria=(c.SortCriterion("SUBJECT"), c.SortCriterion("DATE", reverse=True)),
        key=SearchDate(DateField.INTERNAL, Compare.SINCE, date(1994, 2, 1)),
        uid=True,
    )
    cmd = parse_command(b"b UID SORT RETURN (MIN MAX) (DATE) UTF-8 ALL")
    assert isinstance(cmd, c.Sort) and cmd.return_options == frozenset({"MIN", "MAX"})
    cmd = parse_command(b"c THREAD ORDEREDSUBJECT US-ASCII TEXT hi")
    assert isinstance(cmd, c.Thread) and cmd.charset == "US-ASCII"
    cmd = parse_command(b"d UID THREAD REFERENCES UTF-8 ALL")
    assert cmd == c.Thread("d", algorithm="REFERENCES", key=SearchAll(), uid=True)


def test_search_with_utf8_literal() -> None:
    text = "công văn".encode()
    cmd = parse_command(b"a SEARCH CHARSET UTF-8 TEXT {%d+}\r\n" % len(text) + text + b" BODY x")
    assert isinstance(cmd, c.Search)
    assert cmd.key == SearchAnd((SearchText("công văn", headers=True), SearchText("x", headers=False)))


def test_multiappend_binary_and_utf8() -> None:
    raw = b'a APPEND "Drafts" (\\Draft) {3+}\r\none ~{4+}\r\n\x00two (\\Seen) UTF8 (~{5+}\r\nthree)'
    cmd = parse_command(raw)
    assert isinstance(cmd, c.Append) and len(cmd.messages) == 3
    assert [m.data for m in cmd.messages] == [b"one", b"\x00two", b"three"]
    assert [(m.binary, m.utf8) for m in cmd.messages] == [(False, False), (True, False), (True, True)]
    assert cmd.messages[2].flags == ("\\Seen",)


def test_multiappend_as_imapclient_sends_it() -> None:
    # IMAPClient's multiappend puts a space after each literal and another before the next "{n}".
    raw = (b'a APPEND "Saved" {3+}\r\none  {3+}\r\ntwo (\\Flagged) "03-Mar-2025 08:00:00 +0000" {5+}\r\nthree')
    cmd = parse_command(raw)
    assert isinstance(cmd, c.Append)
    assert [m.data for m in cmd.messages] == [b"one", b"two", b"three"]
    assert cmd.messages[2].flags == ("\\Flagged",)
    assert cmd.messages[2].internal_date == datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    with pytest.raises(ParseError):  # the first message still follows exactly one SP
        parse_command(b'a APPEND "Saved"  {3+}\r\none')


def test_binary_fetch() -> None:
    cmd = parse_command(b"a FETCH 1 (BINARY[1.2]<0.100> BINARY.SIZE[1] BINARY.PEEK[])")
    assert isinstance(cmd, c.Fetch)
    first = cmd.attributes[0]
    assert isinstance(first, FetchBinary) and first.sets_seen and first.label == "BINARY[1.2]<0>"
    assert [a.label for a in cmd.attributes[1:]] == ["BINARY.SIZE[1]", "BINARY[]"]


def test_acl_quota_and_special_use() -> None:
    assert parse_command(b"a SETACL INBOX/Shared nguyenvana -wt") == c.SetAcl(
        "a", mailbox="INBOX/Shared", identifier="nguyenvana", rights="wt", change=c.RightsChange.REMOVE
    )
    assert parse_command(b"a DELETEACL INBOX anyone") == c.DeleteAcl(
        "a", mailbox="INBOX", identifier="anyone"
    )
    assert parse_command(b"a LISTRIGHTS INBOX fred") == c.ListRights("a", mailbox="INBOX", identifier="fred")
    assert parse_command(b"a MYRIGHTS INBOX") == c.MyRights("a", mailbox="INBOX")
    assert parse_command(b"a GETACL INBOX") == c.GetAcl("a", mailbox="INBOX")
    assert parse_command(b'a SETQUOTA "" (STORAGE 512000 MESSAGE 10000)') == c.SetQuota(
        "a", root="", limits=(("STORAGE", 512000), ("MESSAGE", 10000))
    )
    assert parse_command(b'a GETQUOTA ""') == c.GetQuota("a", root="")
    assert parse_command(b'a CREATE "Sent Items" (USE (\\sent))') == c.Create(
        "a", mailbox="Sent Items", special_use=("\\Sent",)
    )


def test_list_extended_with_status() -> None:
    cmd = parse_command(b'a LIST "" ("INBOX" "V&AQM-n b&HqM-n/%") RETURN (CHILDREN STATUS (MESSAGES SIZE))')
    assert isinstance(cmd, c.List)
    assert cmd.patterns == ("INBOX", "Văn bản/%") and cmd.status_items == ("MESSAGES", "SIZE")
    assert cmd.extended and cmd.return_options == frozenset({"CHILDREN", "STATUS"})


def test_fetch_macros() -> None:
    for macro, count in ((b"ALL", 4), (b"FAST", 3), (b"FULL", 5)):
        cmd = parse_command(b"a FETCH 1:3 " + macro)
        assert isinstance(cmd, c.Fetch) and len(cmd.attributes) == count
    cmd = parse_command(b"a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT ENVELOPE BODY MODSEQ)")
    assert isinstance(cmd, c.Fetch)
    assert [a.sets_seen for a in cmd.attributes] == [True, False, True, False, False, False]
    cmd = parse_command(b"a FETCH 1 (BODY[1.2.HEADER.FIELDS.NOT (Received)] BODY[2.MIME] BODY[HEADER])")
    assert isinstance(cmd, c.Fetch)
    assert [a.label for a in cmd.attributes] == [
        "BODY[1.2.HEADER.FIELDS.NOT (Received)]",
        "BODY[2.MIME]",
        "BODY[HEADER]",
    ]


def test_trailing_crlf_is_accepted() -> None:
    assert parse_command(b"a NOOP\r\n") == c.Noop("a")
