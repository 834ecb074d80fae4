"""CommandReader: commands cut from a byte stream fed in arbitrary chunks, literals of every kind, limits."""

import pytest

from congvu.imap.reader import (
    CommandRead,
    CommandReader,
    ContinuationLine,
    NeedContinuation,
    ReadError,
    ReadErrorKind,
)


def feed_bytewise(reader: CommandReader, data: bytes) -> list[object]:
    events: list[object] = []
    for i in range(len(data)):
        events += reader.feed(data[i : i + 1])
    return events


def test_simple_commands_in_one_chunk() -> None:
    events = CommandReader().feed(b"a1 CAPABILITY\r\na2 NOOP\r\n")
    assert events == [
        CommandRead("a1", "CAPABILITY", b"a1 CAPABILITY"),
        CommandRead("a2", "NOOP", b"a2 NOOP"),
    ]


def test_crlf_split_across_chunks() -> None:
    reader = CommandReader()
    assert reader.feed(b"a1 NOOP\r") == []
    assert reader.feed(b"\na2 LOG") == [CommandRead("a1", "NOOP", b"a1 NOOP")]
    assert reader.feed(b"OUT\r\n") == [CommandRead("a2", "LOGOUT", b"a2 LOGOUT")]


def test_bare_lf_is_accepted() -> None:
    assert CommandReader().feed(b"x NOOP\n") == [CommandRead("x", "NOOP", b"x NOOP")]


def test_empty_lines_between_commands_are_ignored() -> None:
    assert CommandReader().feed(b"\r\n\r\nx NOOP\r\n") == [CommandRead("x", "NOOP", b"x NOOP")]


def test_synchronising_literal_asks_for_continuation_then_completes() -> None:
    password = "bí mật".encode()
    reader = CommandReader()
    assert reader.feed(b"a1 LOGIN {21}\r\n") == [NeedContinuation("a1", 21)]
    assert reader.feed(b"tvvinh@dongnai.gov.vn {%d}\r\n" % len(password)) == [
        NeedContinuation("a1", len(password))
    ]
    assert reader.feed(password[:3]) == []  # split inside a UTF-8 character
    events = reader.feed(password[3:] + b"\r\n")
    assert events == [
        CommandRead("a1", "LOGIN", b"a1 LOGIN {21}\r\ntvvinh@dongnai.gov.vn {9}\r\n" + password)
    ]


def test_literal_followed_by_more_line() -> None:
    data = b'a2 APPEND "Sent" (\\Seen) {11}\r\nHello World (\\Draft) {2+}\r\nhi\r\n'
    events = CommandReader().feed(data)
    assert events == [
        NeedContinuation("a2", 11),
        CommandRead("a2", "APPEND", data[:-2]),
    ]


def test_literal_containing_crlf_and_braces_is_opaque() -> None:
    body = b"Subject: x {5}\r\n\r\nline\r\n"
    data = b"a APPEND INBOX {%d+}\r\n" % len(body) + body + b"\r\n"
    assert CommandReader().feed(data) == [CommandRead("a", "APPEND", data[:-2])]


def test_literal_plus_needs_no_continuation() -> None:
    events = CommandReader().feed(b"a LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n")
    assert events == [CommandRead("a", "LOGIN", b"a LOGIN {5+}\r\nalice {6+}\r\nsecret")]


def test_binary_literal8_with_nul() -> None:
    data = b"a APPEND INBOX ~{4+}\r\n\x00\x01\r\n\r\n"
    assert CommandReader().feed(data) == [CommandRead("a", "APPEND", data[:-2])]


def test_every_chunk_size_gives_the_same_commands() -> None:
    data = (
        b"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n"
        b"a2 APPEND INBOX ~{3}\r\n\x00\r\n\r\n"
        b"a3 UID FETCH 1:* (FLAGS)\r\n"
    )
    whole = CommandReader().feed(data)
    assert feed_bytewise(CommandReader(), data) == whole
    assert [e.raw for e in whole if isinstance(e, CommandRead)] == [
        b"a1 LOGIN {5}\r\nalice {6+}\r\nsecret",
        b"a2 APPEND INBOX ~{3}\r\n\x00\r\n",
        b"a3 UID FETCH 1:* (FLAGS)",
    ]


def test_zero_length_literal() -> None:
    events = CommandReader().feed(b"a LOGIN {0}\r\n {0+}\r\n\r\n")
    assert events == [NeedContinuation("a", 0), CommandRead("a", "LOGIN", b"a LOGIN {0}\r\n {0+}\r\n")]


def test_line_too_long_reports_tag_and_recovers() -> None:
    reader = CommandReader(max_line_bytes=64)
    events = reader.feed(b"a1 SEARCH " + b"1," * 100)
    assert len(events) == 1 and isinstance(events[0], ReadError)
    assert events[0].kind is ReadErrorKind.LINE_TOO_LONG and events[0].tag == "a1"
    assert reader.feed(b"1,2\r\na2 NOOP\r\n") == [CommandRead("a2", "NOOP", b"a2 NOOP")]


def test_line_too_long_followed_by_non_synchronising_literal_skips_the_literal() -> None:
    reader = CommandReader(max_line_bytes=32)
    events = reader.feed(b"a1 APPEND " + b"x" * 40 + b" {5+}\r\nSMTP!\r\na2 NOOP\r\n")
    assert [type(e) for e in events] == [ReadError, CommandRead]
    assert events[1] == CommandRead("a2", "NOOP", b"a2 NOOP")


def test_synchronising_literal_too_big_is_refused_without_continuation() -> None:
    reader = CommandReader(max_literal_bytes=100)
    events = reader.feed(b"a1 APPEND INBOX {5000}\r\n")
    assert len(events) == 1
    error = events[0]
    assert isinstance(error, ReadError)
    assert error.kind is ReadErrorKind.LITERAL_TOO_LARGE and error.tag == "a1"
    assert "5000" in error.message_en and "5000" in error.message
    # the client got a tagged NO/BAD instead of "+", so it sends the next command
    assert reader.feed(b"a2 NOOP\r\n") == [CommandRead("a2", "NOOP", b"a2 NOOP")]


def test_non_synchronising_literal_too_big_is_discarded() -> None:
    reader = CommandReader(max_literal_bytes=10)
    events = reader.feed(b"a1 APPEND INBOX {20+}\r\n" + b"y" * 20 + b" more {3+}\r\nabc\r\na2 NOOP\r\n")
    assert [type(e) for e in events] == [ReadError, CommandRead]
    assert events[1] == CommandRead("a2", "NOOP", b"a2 NOOP")


def test_literal_minus_limits_non_synchronising_literals_only() -> None:
    reader = CommandReader(max_nonsync_literal_bytes=4096)
    events = reader.feed(b"a1 APPEND INBOX {4097+}\r\n" + b"z" * 4097 + b"\r\n")
    assert isinstance(events[0], ReadError) and events[0].tag == "a1" and len(events) == 1
    assert reader.feed(b"a2 APPEND INBOX {4097}\r\n") == [NeedContinuation("a2", 4097)]


def test_reject_literal_forgets_the_command() -> None:
    reader = CommandReader()
    assert reader.feed(b"a1 APPEND INBOX {999999}\r\n") == [NeedContinuation("a1", 999999)]
    reader.reject_literal()
    assert reader.feed(b"a2 NOOP\r\n") == [CommandRead("a2", "NOOP", b"a2 NOOP")]


def test_idle_pauses_until_the_server_asks_for_done() -> None:
    reader = CommandReader()
    events = reader.feed(b"a1 IDLE\r\nDONE\r\na2 NOOP\r\n")
    assert events == [CommandRead("a1", "IDLE", b"a1 IDLE")]
    assert reader.paused
    assert reader.read_line() == [ContinuationLine(b"DONE")]
    assert reader.paused
    assert reader.resume() == [CommandRead("a2", "NOOP", b"a2 NOOP")]


def test_idle_done_arriving_later() -> None:
    reader = CommandReader()
    assert reader.feed(b"a1 idle\r\n") == [CommandRead("a1", "IDLE", b"a1 idle")]
    assert reader.read_line() == []
    assert reader.feed(b"DO") == []
    assert reader.feed(b"NE\r\n") == [ContinuationLine(b"DONE")]
    assert reader.resume() == []


def test_authenticate_continuation_lines() -> None:
    reader = CommandReader()
    assert reader.feed(b"a1 AUTHENTICATE LOGIN\r\n") == [
        CommandRead("a1", "AUTHENTICATE", b"a1 AUTHENTICATE LOGIN")
    ]
    assert reader.feed(b"dHZ2aW5o\r\ncGFzcw==\r\n") == []
    assert reader.read_line() == [ContinuationLine(b"dHZ2aW5o")]
    assert reader.read_line() == [ContinuationLine(b"cGFzcw==")]
    assert reader.resume() == []


def test_rejected_authenticate_leaves_pipelined_command_intact() -> None:
    reader = CommandReader()
    events = reader.feed(b"a1 AUTHENTICATE FOO\r\na2 CAPABILITY\r\n")
    assert events == [CommandRead("a1", "AUTHENTICATE", b"a1 AUTHENTICATE FOO")]
    # the server answers BAD (unknown mechanism) and reads commands again
    assert reader.resume() == [CommandRead("a2", "CAPABILITY", b"a2 CAPABILITY")]


def test_starttls_keeps_pipelined_plaintext_for_the_server_to_drop() -> None:
    reader = CommandReader()
    events = reader.feed(b"a1 STARTTLS\r\na2 LOGIN evil pass\r\n")
    assert events == [CommandRead("a1", "STARTTLS", b"a1 STARTTLS")]
    assert reader.take_pending() == b"a2 LOGIN evil pass\r\n"
    assert reader.resume() == []


def test_compress_hands_over_the_following_bytes() -> None:
    reader = CommandReader()
    events = reader.feed(b"c COMPRESS DEFLATE\r\n\x78\x9c")
    assert events == [CommandRead("c", "COMPRESS", b"c COMPRESS DEFLATE")]
    assert reader.take_pending() == b"\x78\x9c"


def test_continuation_line_too_long() -> None:
    reader = CommandReader(max_line_bytes=16)
    reader.feed(b"a AUTHENTICATE PLAIN\r\n")
    events = reader.read_line()
    assert events == []
    events = reader.feed(b"A" * 40)
    assert len(events) == 1 and isinstance(events[0], ReadError)
    assert reader.paused


@pytest.mark.parametrize("tagline", [b"* NOOP", b"+x NOOP", b"(a) NOOP"])
def test_invalid_tag_is_reported_as_none(tagline: bytes) -> None:
    reader = CommandReader(max_line_bytes=8)
    events = reader.feed(tagline + b" " + b"x" * 20 + b"\r\n")
    assert isinstance(events[0], ReadError) and events[0].tag is None


def test_reader_output_parses() -> None:
    from congvu.imap import commands as c
    from congvu.imap.parser import parse_command

    message = "Subject: Công văn số 12\r\n\r\nKính gửi các đơn vị.\r\n".encode()
    stream = (
        b"a1 LOGIN {21}\r\ntvvinh@dongnai.gov.vn {5+}\r\nb\xc3\xad m\r\n"
        + b'a2 APPEND "V&AQM-n b&HqM-n &AREevw-n" (\\Seen) {%d}\r\n' % len(message)
        + message
        + b"\r\n"
    )
    reader = CommandReader()
    commands = [parse_command(e.raw) for e in feed_bytewise(reader, stream) if isinstance(e, CommandRead)]
    assert commands[0] == c.Login("a1", username="tvvinh@dongnai.gov.vn", password="bí m")
    assert isinstance(commands[1], c.Append)
    assert commands[1].mailbox == "Văn bản đến" and commands[1].messages[0].data == message
