"""IMAP value serialisers (RFC 9051 §4, §9)."""

from __future__ import annotations

import pytest

from congvu.mail.wire import (
    QUOTED_MAX_OCTETS,
    Adjoined,
    Spliced,
    astring,
    literal,
    nstring,
    number,
    quoted,
    render,
    string,
)


def test_quoted_escapes_backslash_and_double_quote() -> None:
    assert quoted(b'say "hi" \\ bye') == b'"say \\"hi\\" \\\\ bye"'
    assert quoted(b"") == b'""'
    with pytest.raises(ValueError):
        quoted(b"a\r\nb")
    with pytest.raises(ValueError):
        quoted("Việt".encode())


def test_literal_forms() -> None:
    assert literal(b"a\r\nb") == b"{4}\r\na\r\nb"
    assert literal(b"\x00\x01", binary=True) == b"~{2}\r\n\x00\x01"
    assert literal(b"x", non_sync=True) == b"{1+}\r\nx"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"plain", b'"plain"'),
        (b"two\r\nlines", b"{10}\r\ntwo\r\nlines"),
        ("Đồng Nai".encode(), b"{11}\r\n" + "Đồng Nai".encode()),
        (b"x" * (QUOTED_MAX_OCTETS + 1), b"{1001}\r\n" + b"x" * 1001),
    ],
)
def test_string_picks_quoted_or_literal(value: bytes, expected: bytes) -> None:
    assert string(value) == expected


def test_nstring_and_astring() -> None:
    assert nstring(None) == b"NIL"
    assert nstring(b"NIL") == b'"NIL"'
    assert astring(b"INBOX") == b"INBOX"
    assert astring(b"Sent]Items") == b"Sent]Items"
    assert astring("Hộp thư".encode()) == b"{10}\r\n" + "Hộp thư".encode()
    assert astring(b"has space") == b'"has space"'
    assert astring(b"") == b'""'
    assert astring(b"nil") == b'"nil"'
    assert astring(b"a{b") == b'"a{b"'


def test_number_range() -> None:
    assert number(0) == b"0"
    with pytest.raises(ValueError):
        number(-1)


def test_render_nested_values() -> None:
    value = (b"A", None, 12, (b"x", b"y"), Adjoined([(None, None, b"m", b"h"), (None, None, None, None)]))
    assert render(value) == b'("A" NIL 12 ("x" "y") ((NIL NIL "m" "h")(NIL NIL NIL NIL)))'
    multipart = (Spliced([(b"TEXT", b"PLAIN"), (b"IMAGE", b"PNG")]), b"MIXED")
    assert render(multipart) == b'(("TEXT" "PLAIN")("IMAGE" "PNG") "MIXED")'
    with pytest.raises(TypeError):
        render((True,))  # type: ignore[arg-type]
