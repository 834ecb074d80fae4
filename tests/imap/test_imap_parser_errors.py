"""Bad input: every fault is a ParseError carrying the tag (tagged BAD), or no tag when the tag itself is bad;
unsupported charsets are a distinct error for NO [BADCHARSET]."""

import pytest

from congvu.errors import InvalidInput
from congvu.imap.errors import ParseError, UnsupportedCharset
from congvu.imap.parser import parse_command


@pytest.mark.parametrize(
    "line",
    [
        b"a1 FOO",  # unknown command
        b"a1 UID NOOP",  # not a UID command
        b"a1",  # no command
        b"a1 FETCH 1:3 (FLAGS UID",  # unbalanced parenthesis
        b"a1 FETCH 1:3 (FLAGS))",  # one too many
        b"a1 SEARCH (SEEN (UNSEEN)",  # unbalanced search list
        b"a1 LOGIN {5}\r\nabc",  # unterminated (truncated) literal
        b"a1 LOGIN user {x}\r\n",  # not a literal
        b'a1 LOGIN "unterminated',  # unterminated quoted string
        b'a1 LOGIN "bad\\escape" x',  # backslash before an ordinary character
        b"a1 LOGIN us\xc3\xa9r pass",  # 8-bit in an atom
        b"a1 SELECT INBOX extra",  # extra argument
        b"a1 SELECT",  # missing argument
        b"a1 FETCH 0:3 FLAGS",  # zero is not a message number
        b"a1 FETCH 1:4294967296 FLAGS",  # over 32 bits
        b"a1 FETCH 1::3 FLAGS",
        b"a1 FETCH 1,,3 FLAGS",
        b"a1 FETCH 1 (X-GM-MSGID)",  # unknown fetch item
        b"a1 FETCH 1 BODY.PEEK",  # PEEK needs a section
        b"a1 FETCH 1 BODY[MIME]",  # MIME needs a part
        b"a1 FETCH 1 BODY[1.]",
        b"a1 FETCH 1 BODY[HEADER.FIELDS ()]",
        b"a1 FETCH 1 BINARY[TEXT]",
        b"a1 FETCH 1 BODY[]<10>",
        b"a1 FETCH 1 (FLAGS) (VANISHED)",  # VANISHED without UID and CHANGEDSINCE
        b"a1 UID FETCH 1 (FLAGS) (VANISHED)",
        b"a1 STORE 1 FLAGS.LOUD (\\Seen)",
        b"a1 STORE 1 +FLAGS (\\*)",
        b"a1 SEARCH FOO",
        b"a1 SEARCH BEFORE 31-Feb-2024",
        b"a1 SEARCH SINCE 2024-01-01",
        b"a1 SEARCH RETURN (FOO) ALL",
        b"a1 SEARCH",
        b"a1 SEARCH CHARSET US-ASCII SUBJECT {4+}\r\nc\xc3\xb4",  # 8-bit under US-ASCII
        b"a1 SORT (DATE) ALL",  # SORT must name a charset
        b"a1 SORT (NAME) UTF-8 ALL",
        b"a1 THREAD FANCY UTF-8 ALL",
        b"a1 SELECT INBOX (FOO)",
        b'a1 LIST (RECURSIVEMATCH) "" *',  # RFC 5258 §3
        b'a1 LIST (BOGUS) "" *',
        b'a1 LIST "" * RETURN (BOGUS)',
        b"a1 STATUS INBOX (MESSAGES BOGUS)",
        b"a1 STATUS INBOX ()",
        b'a1 SELECT "R&D"',  # invalid modified UTF-7
        b'a1 SELECT "&AGE-"',  # ASCII hidden in base64
        b'a1 SELECT "&AOk-&AOk-"',  # adjacent runs
        b'a1 APPEND INBOX (\\Seen) "32-Jan-2024 10:00:00 +0000" {1+}\r\nx',
        b"a1 APPEND INBOX",
        b"a1 APPEND INBOX UTF8 ({1+}\r\nx)",  # UTF8 needs literal8
        b"a1 LOGIN ~{4+}\r\nuser pass",  # literal8 only for message data
        b"a1 AUTHENTICATE PLAIN not*base64",
        b"a1 SETACL INBOX fred LRS",
        b'a1 ID ("name")',
        b"a1 ENABLE",
        b"a1 CREATE x (NOTUSE (\\Sent))",
        b'a1 SELECT "\x01"',
    ],
)
def test_bad_input_raises_parse_error_with_tag(line: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(line)
    assert caught.value.tag == "a1"
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.message and caught.value.message_en
    assert caught.value.message_en.isascii()


@pytest.mark.parametrize("line", [b"* NOOP", b"+a NOOP", b"", b" NOOP", b"a\xc3\xa9 NOOP", b"(x) NOOP"])
def test_bad_tag_gives_untagged_error(line: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(line)
    assert caught.value.tag is None


def test_unknown_command_message_names_it() -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(b"x7 XYZZY 1 2 3")
    assert caught.value.message_en == "Unknown command: XYZZY"
    assert caught.value.message == "Lệnh không được hỗ trợ: XYZZY"
    assert caught.value.response_text(utf8=False) == "Unknown command: XYZZY"
    assert caught.value.response_text(utf8=True) == "Lệnh không được hỗ trợ: XYZZY / Unknown command: XYZZY"


def test_too_many_ranges() -> None:
    line = b"a1 UID FETCH " + b",".join(str(n).encode() for n in range(1, 120_000, 2)) + b" FLAGS"
    with pytest.raises(ParseError) as caught:
        parse_command(line)
    assert "ranges" in caught.value.message_en


def test_deep_search_nesting_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_command(b"a1 SEARCH " + b"NOT " * 200 + b"ALL")
    with pytest.raises(ParseError):
        parse_command(b"a1 SEARCH " + b"(" * 200 + b"ALL" + b")" * 200)


def test_too_many_id_pairs() -> None:
    pairs = b" ".join(b'"k%d" "v"' % i for i in range(31))
    with pytest.raises(ParseError):
        parse_command(b"a1 ID (" + pairs + b")")


@pytest.mark.parametrize(
    "line",
    [
        b"a1 SEARCH CHARSET ISO-8859-1 SUBJECT x",
        b'a1 SEARCH CHARSET "windows-1258" TEXT x',
        b"a1 SORT (DATE) KOI8-R ALL",
        b"a1 THREAD REFERENCES TCVN3 ALL",
    ],
)
def test_unsupported_charset(line: bytes) -> None:
    with pytest.raises(UnsupportedCharset) as caught:
        parse_command(line)
    assert caught.value.tag == "a1" and caught.value.supported == ("UTF-8", "US-ASCII")
