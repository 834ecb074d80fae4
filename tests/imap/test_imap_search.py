"""Search keys (RFC 9051 §6.4.4): every key's typed node, nesting, charsets."""

from datetime import date

import pytest

from congvu.imap import commands as c
from congvu.imap.parser import parse_command
from congvu.imap.search import (
    Compare,
    DateField,
    SearchAll,
    SearchAnd,
    SearchDate,
    SearchFlag,
    SearchHeader,
    SearchKey,
    SearchModSeq,
    SearchNot,
    SearchOr,
    SearchSequence,
    SearchSize,
    SearchText,
    uses_modseq,
)
from congvu.imap.sequence import SequenceSet


def key_of(criteria: bytes) -> SearchKey:
    cmd = parse_command(b"s SEARCH " + criteria)
    assert isinstance(cmd, c.Search)
    return cmd.key


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (b"ALL", SearchAll()),
        (b"ANSWERED", SearchFlag("\\Answered")),
        (b"DELETED", SearchFlag("\\Deleted")),
        (b"DRAFT", SearchFlag("\\Draft")),
        (b"FLAGGED", SearchFlag("\\Flagged")),
        (b"SEEN", SearchFlag("\\Seen")),
        (b"RECENT", SearchFlag("\\Recent")),
        (b"OLD", SearchFlag("\\Recent", False)),
        (b"NEW", SearchAnd((SearchFlag("\\Recent"), SearchFlag("\\Seen", False)))),
        (b"UNANSWERED", SearchFlag("\\Answered", False)),
        (b"UNDELETED", SearchFlag("\\Deleted", False)),
        (b"UNDRAFT", SearchFlag("\\Draft", False)),
        (b"UNFLAGGED", SearchFlag("\\Flagged", False)),
        (b"UNSEEN", SearchFlag("\\Seen", False)),
        (b"KEYWORD $Forwarded", SearchFlag("$Forwarded")),
        (b"UNKEYWORD $Junk", SearchFlag("$Junk", False)),
        (b"BCC x", SearchHeader("Bcc", "x")),
        (b"CC x", SearchHeader("Cc", "x")),
        (b'FROM "Nguyen Van A"', SearchHeader("From", "Nguyen Van A")),
        (b"TO y", SearchHeader("To", "y")),
        (b"SUBJECT z", SearchHeader("Subject", "z")),
        (b'HEADER Message-ID "<abc@d>"', SearchHeader("Message-ID", "<abc@d>")),
        (b'HEADER X-Priority ""', SearchHeader("X-Priority", "")),
        (b"BODY hello", SearchText("hello", headers=False)),
        (b"TEXT hello", SearchText("hello", headers=True)),
        (b"BEFORE 1-Feb-1994", SearchDate(DateField.INTERNAL, Compare.BEFORE, date(1994, 2, 1))),
        (b'ON "15-mar-2024"', SearchDate(DateField.INTERNAL, Compare.ON, date(2024, 3, 15))),
        (b"SINCE 01-Jan-2024", SearchDate(DateField.INTERNAL, Compare.SINCE, date(2024, 1, 1))),
        (b"SENTBEFORE 1-Feb-1994", SearchDate(DateField.SENT, Compare.BEFORE, date(1994, 2, 1))),
        (b"SENTON 1-Feb-1994", SearchDate(DateField.SENT, Compare.ON, date(1994, 2, 1))),
        (b"SENTSINCE 1-Feb-1994", SearchDate(DateField.SENT, Compare.SINCE, date(1994, 2, 1))),
        (b"LARGER 10240", SearchSize(10240, larger=True)),
        (b"SMALLER 99999999999", SearchSize(99999999999, larger=False)),
        (b"UID 1:100", SearchSequence(SequenceSet(((1, 100),)), uid=True)),
        (b"2:4", SearchSequence(SequenceSet(((2, 4),)))),
        (b"$", SearchSequence(SequenceSet(saved=True))),
        (b"NOT SEEN", SearchNot(SearchFlag("\\Seen"))),
        (b"OR SEEN FLAGGED", SearchOr(SearchFlag("\\Seen"), SearchFlag("\\Flagged"))),
        (b"MODSEQ 5", SearchModSeq(5)),
        (b"(SEEN)", SearchFlag("\\Seen")),
        (
            b"(SEEN FLAGGED) DRAFT",
            SearchAnd((SearchAnd((SearchFlag("\\Seen"), SearchFlag("\\Flagged"))), SearchFlag("\\Draft"))),
        ),
    ],
)
def test_each_key(criteria: bytes, expected: SearchKey) -> None:
    assert key_of(criteria) == expected


def test_keys_are_case_insensitive() -> None:
    assert key_of(b"or unseen from Ann") == SearchOr(SearchFlag("\\Seen", False), SearchHeader("From", "Ann"))


def test_nested_or_not() -> None:
    key = key_of(b"OR (FROM a SUBJECT b) NOT (OR TO c CC d)")
    assert key == SearchOr(
        SearchAnd((SearchHeader("From", "a"), SearchHeader("Subject", "b"))),
        SearchNot(SearchOr(SearchHeader("To", "c"), SearchHeader("Cc", "d"))),
    )


def test_strings_decode_as_utf8_nfc() -> None:
    decomposed = "ba\u0309n".encode()
    assert key_of(b"CHARSET UTF-8 SUBJECT {%d+}\r\n" % len(decomposed) + decomposed) == SearchHeader(
        "Subject", "bản"
    )
    # without CHARSET, UTF-8 is accepted (RFC 9051 §6.4.4 makes it the default for IMAP4rev2)
    assert key_of('SUBJECT "Công văn"'.encode()) == SearchHeader("Subject", "Công văn")


def test_charset_recorded() -> None:
    cmd = parse_command(b"s SEARCH CHARSET us-ascii ALL")
    assert isinstance(cmd, c.Search) and cmd.charset == "US-ASCII"


def test_uses_modseq() -> None:
    assert uses_modseq(key_of(b"OR SEEN NOT (DRAFT MODSEQ 12)"))
    assert not uses_modseq(key_of(b"OR SEEN NOT (DRAFT UID 12)"))
