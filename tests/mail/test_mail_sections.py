"""BODY[section] and BINARY[section] contents (RFC 9051 §6.4.5, RFC 3516)."""

from __future__ import annotations

import pytest
from mail_samples import FORWARD, NESTED, SIMPLE, crlf

from congvu.errors import InvalidInput, NotFound
from congvu.mail import (
    SectionSpec,
    UnknownTransferEncoding,
    binary_size,
    fetch_binary,
    fetch_section,
    index_message,
    parts_from_json,
    parts_to_json,
)

SIMPLE_BODY = b"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"


def fetch(
    raw: bytes, part: tuple[int, ...] = (), text: str | None = None, fields: tuple[str, ...] = ()
) -> bytes:
    return fetch_section(raw, index_message(raw), SectionSpec(part, text, fields))


def test_whole_message_header_and_text() -> None:
    assert fetch(SIMPLE) == SIMPLE
    header = fetch(SIMPLE, text="HEADER")
    assert header.endswith(b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n")
    assert header + fetch(SIMPLE, text="TEXT") == SIMPLE
    assert fetch(SIMPLE, text="TEXT") == SIMPLE_BODY


def test_part_one_of_a_non_multipart_message_is_its_body() -> None:
    assert fetch(SIMPLE, (1,)) == SIMPLE_BODY
    assert fetch(SIMPLE, (1,), "MIME") == fetch(SIMPLE, text="HEADER")
    with pytest.raises(NotFound):
        fetch(SIMPLE, (2,))


def test_header_fields_are_case_insensitive_and_keep_message_order() -> None:
    assert fetch(NESTED, text="HEADER.FIELDS", fields=("subject", "FROM")) == (
        b"From: a@b.vn\r\nSubject: Bao cao\r\n\r\n"
    )
    assert fetch(SIMPLE, text="HEADER.FIELDS", fields=("CC",)) == (
        b"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\r\n"
    )
    # No match still gives the empty line that ends every header fetch.
    assert fetch(SIMPLE, text="HEADER.FIELDS", fields=("X-None",)) == b"\r\n"


def test_header_fields_not() -> None:
    assert fetch(
        NESTED, text="HEADER.FIELDS.NOT", fields=("from", "to", "date", "message-id", "mime-version")
    ) == (b'Subject: Bao cao\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n')


def test_header_fields_keep_folded_lines_as_stored() -> None:
    raw = b"Subject: one\r\n two\r\nFrom: a@b\r\n\r\nbody"
    assert fetch(raw, text="HEADER.FIELDS", fields=("Subject",)) == b"Subject: one\r\n two\r\n\r\n"


def test_part_of_a_nested_multipart() -> None:
    assert fetch(NESTED, (1, 2)) == b"<p>Xin ch=C3=A0o</p>"
    assert fetch(NESTED, (1, 1)) == b"Xin ch=C3=A0o"
    assert fetch(NESTED, (3,)) == b"UEsDBA=="


def test_mime_header_of_a_part() -> None:
    assert fetch(NESTED, (1, 2), "MIME") == (
        b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    assert fetch(NESTED, (1,), "MIME") == b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'


def test_multipart_part_body_includes_its_delimiters() -> None:
    body = fetch(NESTED, (1,))
    assert body.startswith(b"--inner\r\nContent-Type: text/plain")
    assert body.endswith(b"--inner--\r\n")


def test_sections_of_a_message_rfc822_part() -> None:
    inner_header = b"From: Old <old@y.vn>\r\nSubject: hello\r\nDate: Sun, 03 Mar 2024 07:00:00 +0700\r\n\r\n"
    assert fetch(FORWARD, (2,)) == inner_header + b"Inner body\r\nline 2"
    assert fetch(FORWARD, (2,), "HEADER") == inner_header
    assert fetch(FORWARD, (2,), "TEXT") == b"Inner body\r\nline 2"
    assert fetch(FORWARD, (2, 1)) == b"Inner body\r\nline 2"
    assert fetch(FORWARD, (2,), "MIME") == b"Content-Type: message/rfc822\r\n\r\n"
    assert fetch(FORWARD, (2,), "HEADER.FIELDS", ("SUBJECT",)) == b"Subject: hello\r\n\r\n"
    assert fetch(FORWARD, (2, 1), "MIME") == inner_header


def test_nested_message_with_multipart_body_numbers_its_parts_under_the_part() -> None:
    inner = crlf(
        "Subject: inner",
        'Content-Type: multipart/alternative; boundary="in"',
        "",
        "--in",
        "Content-Type: text/plain",
        "",
        "plain",
        "--in",
        "Content-Type: text/html",
        "",
        "<b>html</b>",
        "--in--",
    )
    raw = crlf("Subject: outer", "Content-Type: message/rfc822", "") + b"\r\n" + inner
    index = index_message(raw)
    assert [p.part for p in index.parts] == ["", "1", "1.1", "1.2"]
    assert fetch(raw, (1, 2)) == b"<b>html</b>"
    assert fetch(raw, (1,), "HEADER.FIELDS", ("subject",)) == b"Subject: inner\r\n\r\n"
    assert fetch(raw, (1,), "TEXT").startswith(b"--in\r\n")


def test_header_and_text_need_a_message_part() -> None:
    with pytest.raises(InvalidInput):
        fetch(NESTED, (2,), "TEXT")
    with pytest.raises(InvalidInput):
        SectionSpec((), "MIME")
    with pytest.raises(InvalidInput):
        SectionSpec((1,), "BOGUS")


def test_binary_decodes_base64_and_quoted_printable() -> None:
    index = index_message(NESTED)
    assert fetch_binary(NESTED, index, (1, 1)) == "Xin chào".encode()
    assert fetch_binary(NESTED, index, (1, 2)) == "<p>Xin chào</p>".encode()
    assert fetch_binary(NESTED, index, (2,)) == b"%PDF-1.4\n"
    assert fetch_binary(NESTED, index, (3,)) == b"PK\x03\x04"
    assert binary_size(NESTED, index, (2,)) == 9
    assert fetch_binary(NESTED, index, ()) == NESTED


def test_quoted_printable_soft_and_hard_breaks() -> None:
    raw = crlf(
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "C=C3=B4ng v=C4=83n s=E1=BB=91 =",
        "12   ",
        "d=C3=B2ng 2",
    )
    index = index_message(raw)
    assert fetch_binary(raw, index, (1,)) == "Công văn số 12\r\ndòng 2".encode()


def test_lenient_base64() -> None:
    raw = b"Content-Transfer-Encoding: base64\r\nContent-Type: application/octet-stream\r\n\r\n"
    raw += b"SGVs\r\nbG8 *\r\n"
    assert fetch_binary(raw, index_message(raw), (1,)) == b"Hello"


def test_unknown_transfer_encoding_is_reported() -> None:
    raw = b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
    raw += b"begin 644 a\r\n"
    with pytest.raises(UnknownTransferEncoding):
        fetch_binary(raw, index_message(raw), (1,))
    assert isinstance(UnknownTransferEncoding("x"), InvalidInput)


def test_sections_served_from_a_stored_part_table() -> None:
    index = index_message(FORWARD)
    stored = parts_from_json(parts_to_json(index.parts))
    assert stored == index.parts
    assert fetch_section(FORWARD, stored, SectionSpec((2,), "TEXT")) == b"Inner body\r\nline 2"


def test_every_part_size_in_bodystructure_matches_the_fetched_section() -> None:
    for raw in (NESTED, FORWARD, SIMPLE):
        index = index_message(raw)
        for span in index.parts:
            if span.part and not span.is_multipart:
                part = tuple(int(n) for n in span.part.split("."))
                assert len(fetch_section(raw, index, SectionSpec(part))) == span.size
