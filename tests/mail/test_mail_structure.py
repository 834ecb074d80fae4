"""ENVELOPE, BODY and BODYSTRUCTURE wire strings, worked out by hand from RFC 9051 §7.5.2."""

from __future__ import annotations

import re

import pytest
from imapclient.response_parser import parse_fetch_response
from mail_samples import (
    ALL,
    BARE_LF,
    BROKEN_BOUNDARY,
    FORWARD,
    NESTED,
    NO_CONTENT_TYPE,
    SIMPLE,
    VIETNAMESE,
    crlf,
)

from congvu.mail import index_message
from congvu.mail.wire import Adjoined, Spliced, render

GRAY = b'(("Terry Gray" NIL "gray" "cac.washington.edu"))'


def test_simple_envelope_is_the_rfc_example() -> None:
    # RFC 3501 §7.4.2 prints this very ENVELOPE for this message.
    expected = (
        b'("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" '
        + GRAY
        + b" "
        + GRAY
        + b" "
        + GRAY
        + b' ((NIL NIL "imap" "cac.washington.edu")) '
        b'((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL '
        b'"<B27397-0100000@cac.washington.edu>")'
    )
    assert index_message(SIMPLE).envelope_wire == expected


def test_simple_body_structure() -> None:
    index = index_message(SIMPLE)
    # "Hello Joe, do you think we can meet at 3:30 tomorrow?" is 53 octets, plus CRLF: 55 octets, 1 line.
    assert (
        index.bodystructure_wire
        == b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 55 1 NIL NIL NIL NIL)'
    )
    assert index.body_wire == b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 55 1)'
    assert index.size == len(SIMPLE)


def test_vietnamese_envelope_keeps_raw_values_and_sends_8bit_as_literal() -> None:
    sender = b'(("=?UTF-8?Q?Nguy=E1=BB=85n_V=C4=83n_An?=" NIL "an" "dongnai.gov.vn"))'
    expected = (
        b'("Tue, 05 Mar 2024 09:00:00 +0700" "=?UTF-8?B?Q8O0bmcgdsSDbiBz4buRIDEyMw==?=" '
        + sender
        + b" "
        + sender
        + b" "
        + sender
        # "Phòng Tổng hợp" is 19 octets of UTF-8: 8-bit values travel as literals.
        + b" (({19}\r\n"
        + "Phòng Tổng hợp".encode()
        + b' NIL "tonghop" "dongnai.gov.vn")) NIL NIL NIL '
        b'"<vn1@dongnai.gov.vn>")'
    )
    assert index_message(VIETNAMESE).envelope_wire == expected


def test_vietnamese_body_structure_counts_octets_not_characters() -> None:
    # "Kính gửi Ủy ban nhân dân tỉnh Đồng Nai." is 39 characters but 51 octets; with CRLF 53.
    assert index_message(VIETNAMESE).bodystructure_wire == (
        b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" 53 1 NIL NIL NIL NIL)'
    )


NESTED_ALTERNATIVE = (
    b'(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 13 0 NIL NIL NIL NIL)'
    b'("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 20 0 NIL NIL NIL NIL) '
    b'"ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)'
)


def test_nested_multipart_body_structure() -> None:
    # Parts end before the CRLF that precedes the next delimiter (RFC 2046 §5.1.1): "Xin ch=C3=A0o" is 13
    # octets with no line feed, so 0 lines.
    expected = (
        b"(" + NESTED_ALTERNATIVE + b'("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 12 NIL '
        b'("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)'
        b'("APPLICATION" "VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT" '
        b'NIL NIL NIL "BASE64" 8 '
        b'NIL ("ATTACHMENT" ("FILENAME*" "utf-8\'\'B%C3%A1o%20c%C3%A1o.docx")) NIL NIL)'
        b' "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)'
    )
    assert index_message(NESTED).bodystructure_wire == expected


def test_nested_multipart_body_has_no_extension_data() -> None:
    expected = (
        b'((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 13 0)'
        b'("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 20 0) "ALTERNATIVE")'
        b'("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 12)'
        b'("APPLICATION" "VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT" '
        b'NIL NIL NIL "BASE64" 8)'
        b' "MIXED")'
    )
    assert index_message(NESTED).body_wire == expected


def test_message_rfc822_part_carries_envelope_structure_and_lines() -> None:
    old = b'(("Old" NIL "old" "y.vn"))'
    inner_envelope = b'("Sun, 03 Mar 2024 07:00:00 +0700" "hello" ' + old + b" " + old + b" " + old
    inner_envelope += b" NIL NIL NIL NIL NIL)"
    # Encapsulated message: 22 + 16 + 39 + 2 + 12 + 6 = 97 octets, 5 line feeds; its body 18 octets, 1 line.
    expected = (
        b'(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 13 0 NIL NIL NIL NIL)'
        b'("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 97 '
        + inner_envelope
        + b' ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 18 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL)'
        b' "MIXED" ("BOUNDARY" "b4") NIL NIL NIL)'
    )
    assert index_message(FORWARD).bodystructure_wire == expected


def test_bare_lf_message_counts_stored_octets() -> None:
    index = index_message(BARE_LF)
    assert index.bodystructure_wire == (
        b'(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 11 1 NIL NIL NIL NIL)'
        b' "MIXED" ("BOUNDARY" "x") NIL NIL NIL)'
    )
    assert index.envelope_wire == (
        b'(NIL "lf" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)'
    )


def test_multipart_whose_boundary_never_appears_has_one_empty_part() -> None:
    index = index_message(BROKEN_BOUNDARY)
    assert index.bodystructure_wire == (
        b'(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)'
        b' "MIXED" ("BOUNDARY" "abc") NIL NIL NIL)'
    )
    assert "Nội dung vẫn tìm được" in index.body_text


def test_missing_content_type_defaults_to_us_ascii_text() -> None:
    assert index_message(NO_CONTENT_TYPE).bodystructure_wire == (
        b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 10 2 NIL NIL NIL NIL)'
    )


def test_multipart_without_boundary_reads_as_text() -> None:
    raw = b"Content-Type: multipart/mixed\r\n\r\nhello\r\n"
    assert index_message(raw).bodystructure_wire == (
        b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 7 1 NIL NIL NIL NIL)'
    )


def test_unclosed_multipart_runs_to_the_end() -> None:
    raw = b'Content-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\n\r\nabc\r\n'
    assert (
        index_message(raw).body_wire
        == b'(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 5 1) "MIXED")'
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("To: undisclosed-recipients:;", b'((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))'),
        (
            "To: Team: a@x.vn, B <b@x.vn>;, c@x.vn",
            b'((NIL NIL "Team" NIL)(NIL NIL "a" "x.vn")("B" NIL "b" "x.vn")(NIL NIL NIL NIL)'
            b'(NIL NIL "c" "x.vn"))',
        ),
        ('To: "Doe, John" <john@x.vn>', b'(("Doe, John" NIL "john" "x.vn"))'),
        ('To: "A \\"B\\" C" <q@x.vn>', b'(("A \\"B\\" C" NIL "q" "x.vn"))'),
        ("To: john@x.vn (John Doe)", b'(("John Doe" NIL "john" "x.vn"))'),
        ("To: <@r1.vn,@r2.vn:u@x.vn>", b'((NIL "@r1.vn,@r2.vn" "u" "x.vn"))'),
        ('To: "john doe"@x.vn', b'((NIL NIL "john doe" "x.vn"))'),
        ("To: postmaster", b'((NIL NIL "postmaster" "MISSING_DOMAIN"))'),
        ("To:", b"NIL"),
    ],
)
def test_address_structures(header: str, expected: bytes) -> None:
    raw = f"From: a@x.vn\r\n{header}\r\n\r\n".encode()
    envelope = index_message(raw).envelope
    assert render(envelope[5]) == expected


def test_sender_and_reply_to_default_to_from_but_are_kept_when_present() -> None:
    raw = b"From: a@x.vn\r\nSender: s@x.vn\r\nReply-To:\r\n\r\n"
    envelope = index_message(raw).envelope
    assert envelope[2] == Adjoined([(None, None, b"a", b"x.vn")])
    assert envelope[3] == Adjoined([(None, None, b"s", b"x.vn")])
    assert envelope[4] == envelope[2]


def test_folded_header_values_are_unfolded_in_the_envelope() -> None:
    raw = b"Subject: first\r\n  second\r\nIn-Reply-To:\r\n <a@b>\r\n\r\n"
    envelope = index_message(raw).envelope
    assert envelope[1] == b"first  second"
    assert envelope[8] == b"<a@b>"


def test_nested_values_mark_juxtaposed_runs() -> None:
    structure = index_message(NESTED).bodystructure
    assert isinstance(structure[0], Spliced)
    assert len(structure[0]) == 3
    assert structure[1] == b"MIXED"


@pytest.mark.parametrize("name", sorted(ALL))
def test_wire_forms_parse_with_a_real_imap_client(name: str) -> None:
    index = index_message(ALL[name])
    for item, wire in (
        (b"ENVELOPE", index.envelope_wire),
        (b"BODY", index.body_wire),
        (b"BODYSTRUCTURE", index.bodystructure_wire),
    ):
        parsed = parse_fetch_response(_imaplib_chunks(b"1 (" + item + b" " + wire + b")"))
        assert item in parsed[1]


def _imaplib_chunks(data: bytes) -> list[bytes | tuple[bytes, bytes]]:
    """Split a response as imaplib hands it to a parser: (text up to {n}, literal) pairs, then the rest."""
    chunks: list[bytes | tuple[bytes, bytes]] = []
    # Only "{n}" followed by CRLF opens a literal: a quoted string can hold "{" but never CRLF.
    while (marker := re.search(rb"\{(\d+)\}\r\n", data)) is not None:
        size = int(marker.group(1))
        chunks.append((data[: marker.end() - 2], data[marker.end() : marker.end() + size]))
        data = data[marker.end() + size :]
    chunks.append(data)
    return chunks


def test_digest_parts_default_to_message_rfc822() -> None:
    raw = crlf(
        'Content-Type: multipart/digest; boundary="d"', "", "--d", "", "Subject: one", "", "first", "--d--"
    )
    # RFC 2046 §5.1.5: a part without Content-Type in a digest is message/rfc822.
    assert index_message(raw).body_wire == (
        b'(("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 21 (NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL) '
        b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 5 0) 2) "DIGEST")'
    )


def test_extension_fields_disposition_language_location_md5() -> None:
    raw = crlf(
        "Content-Type: image/png; name=a.png",
        "Content-ID: <img1@x>",
        "Content-Description: =?utf-8?q?H=C3=ACnh?=",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: inline",
        "Content-Language: vi, en",
        "Content-Location: http://x.vn/a.png",
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
        "",
        "iVBORw0KGgo=",
    )
    assert index_message(raw).bodystructure_wire == (
        b'("IMAGE" "PNG" ("NAME" "a.png") "<img1@x>" "=?utf-8?q?H=C3=ACnh?=" "BASE64" 12 '
        b'"Q2hlY2sgSW50ZWdyaXR5IQ==" ("INLINE" NIL) ("vi" "en") "http://x.vn/a.png")'
    )


def test_rfc2231_continuations_are_joined_in_parameters() -> None:
    raw = crlf(
        'Content-Type: application/pdf; name*0="Bao cao "; name*1="thang 3.pdf"',
        "Content-Disposition: attachment; filename*0*=utf-8''B%C3%A1o; filename*1=\" c.pdf\"",
        "",
        "x",
    )
    index = index_message(raw)
    assert index.bodystructure_wire == (
        b'("APPLICATION" "PDF" ("NAME" "Bao cao thang 3.pdf") NIL NIL "7BIT" 1 NIL '
        b'("ATTACHMENT" ("FILENAME*" "utf-8\'\'B%C3%A1o%20c.pdf")) NIL NIL)'
    )
    assert index.attachments[0].filename == "Báo c.pdf"


def test_every_extension_field_and_a_nested_alternative_as_common_servers_give_them() -> None:
    # The shape (folded quoted boundary, escaped quote in a parameter, prologues and epilogues, an invalid
    # transfer encoding read as 7bit) follows Dovecot's structure tests; Dovecot keeps the case of tokens as
    # written where we upper-case them, otherwise its strings and ours agree.
    raw = crlf(
        "From: vanthu@dongnai.gov.vn",
        "Date: Fri, 01 Mar 2024 08:30:00 +0700",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="ranh',
        ' gioi"',
        "",
        "Phan mo dau",
        "--ranh gioi",
        'Content-Type: text/x-ghichu; charset=us-ascii; nhan="co \\"ngoac\\" kep"',
        "Content-ID: <ghichu@dongnai.gov.vn>",
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
        "Content-Disposition: inline; kieu=mot",
        "Content-Description: ghi chu",
        "Content-Language: vi, en",
        "Content-Location: https://dongnai.gov.vn/ghichu.txt",
        "",
        "noi dung",
        "--ranh gioi",
        "Content-Type: message/rfc822",
        "",
        "From: so@dongnai.gov.vn",
        "To: a@dongnai.gov.vn, b@dongnai.gov.vn",
        "Date: Thu, 29 Feb 2024 16:00:00 +0700",
        "Subject: thu con",
        'Content-Type: multipart/alternative; boundary="con"',
        "",
        "Phan mo dau con",
        "--con",
        "Content-Type: text/html",
        "Content-Transfer-Encoding: 8bit",
        "",
        "<p>Xin chao</p>",
        "",
        "--con",
        "Content-Type: text/plain",
        "Content-Transfer-Encoding: ?sai",
        "",
        "Xin chao lan nua",
        "",
        "--con--",
        "Phan ket con",
        "",
        "--ranh gioi--",
        "Phan ket",
    )
    so = b'((NIL NIL "so" "dongnai.gov.vn"))'
    # The encapsulated message runs from "From: so@" to "Phan ket con" CRLF: 391 octets in 21 lines.
    expected = (
        b'(("TEXT" "X-GHICHU" ("CHARSET" "us-ascii" "NHAN" "co \\"ngoac\\" kep") "<ghichu@dongnai.gov.vn>" '
        b'"ghi chu" "7BIT" 8 0 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("INLINE" ("KIEU" "mot")) ("vi" "en") '
        b'"https://dongnai.gov.vn/ghichu.txt")'
        b'("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 391 ("Thu, 29 Feb 2024 16:00:00 +0700" "thu con" '
        + so
        + b" "
        + so
        + b" "
        + so
        + b' ((NIL NIL "a" "dongnai.gov.vn")(NIL NIL "b" "dongnai.gov.vn")) NIL NIL NIL NIL) '
        b'(("TEXT" "HTML" ("CHARSET" "US-ASCII") NIL NIL "8BIT" 17 1 NIL NIL NIL NIL)'
        b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 18 1 NIL NIL NIL NIL) '
        b'"ALTERNATIVE" ("BOUNDARY" "con") NIL NIL NIL) 21 NIL NIL NIL NIL)'
        b' "MIXED" ("BOUNDARY" "ranh gioi") NIL NIL NIL)'
    )
    assert index_message(raw).bodystructure_wire == expected
