"""Search and display fields of the message index: decoded headers, body text, attachments, part table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mail_samples import FORWARD, NESTED, SIMPLE, VIETNAMESE, crlf

from congvu.mail import AttachmentInfo, index_message


def test_vietnamese_search_fields() -> None:
    index = index_message(VIETNAMESE)
    assert index.subject == "Công văn số 123"
    assert index.from_ == "Nguyễn Văn An <an@dongnai.gov.vn>"
    assert index.to == "Phòng Tổng hợp <tonghop@dongnai.gov.vn>"
    assert index.cc == "" and index.bcc == ""
    assert index.date == datetime(2024, 3, 5, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    assert index.message_id == "<vn1@dongnai.gov.vn>"
    assert index.body_text == "Kính gửi Ủy ban nhân dân tỉnh Đồng Nai."
    assert "Subject: Công văn số 123" in index.header_text
    assert "From: Nguyễn Văn An <an@dongnai.gov.vn>" in index.header_text
    assert not index.has_attachments


def test_threading_fields() -> None:
    raw = crlf(
        "Message-ID: <c@x.vn>",
        "In-Reply-To: <b@x.vn> (comment)",
        "References: <a@x.vn>",
        "\t<b@x.vn>",
        "",
        "",
    )
    index = index_message(raw)
    assert index.message_id == "<c@x.vn>"
    assert index.in_reply_to == "<b@x.vn>"
    assert index.references == ("<a@x.vn>", "<b@x.vn>")
    assert index_message(b"\r\n").message_id is None


def test_alternative_is_indexed_once_and_attachments_are_listed() -> None:
    index = index_message(NESTED)
    assert index.body_text == "Xin chào"
    assert index.attachments == (
        AttachmentInfo("2", "report.pdf", "application/pdf", 9),
        AttachmentInfo(
            "3", "Báo cáo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 4
        ),
    )
    assert index.has_attachments


def test_html_only_body_text_has_tags_stripped() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>K&iacute;nh g&#7917;i:&nbsp;<b>S&#7903; N&#7897;i v&#7909;</b></p>"
        "<script>alert('x')</script><div>Tr&acirc;n tr&#7885;ng.</div></body></html>"
    )
    raw = crlf("Content-Type: text/html; charset=utf-8", "", html)
    assert index_message(raw).body_text == "Kính gửi: Sở Nội vụ\n\nTrân trọng."


def test_html_charset_from_meta_when_the_header_has_none() -> None:
    body = '<meta charset="windows-1258"><p>Vi\xeat</p>'.encode("latin-1").replace(b"\xea", b"\xea\xf2")
    raw = b"Content-Type: text/html\r\n\r\n" + body
    assert index_message(raw).body_text == "Việt"


def test_body_text_in_legacy_and_wrong_charsets() -> None:
    viscii = crlf("Content-Type: text/plain; charset=VISCII", "") + bytes([0x56, 0x69, 0xAE, 0x74])
    assert index_message(viscii).body_text == "Việt"
    mislabelled = crlf("Content-Type: text/plain; charset=iso-8859-1", "") + "Đồng Nai".encode()
    assert index_message(mislabelled).body_text == "Đồng Nai"
    unknown = crlf("Content-Type: text/plain; charset=x-nonsense", "") + "Đồng Nai".encode()
    assert index_message(unknown).body_text == "Đồng Nai"
    decomposed = crlf("Content-Type: text/plain; charset=utf-8", "") + "Hòa".encode().replace(
        "ò".encode(), "o\u0300".encode()
    )
    assert index_message(decomposed).body_text == "Hòa"


def test_base64_vietnamese_text_part() -> None:
    raw = crlf(
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        "VGjDtG5nIGLDoW8gduG7gSB2aeG7h2Mgbmdo4buJIGzhu4U=",
    )
    assert index_message(raw).body_text == "Thông báo về việc nghỉ lễ"


def test_forwarded_message_is_one_attachment_and_its_text_is_searchable() -> None:
    index = index_message(FORWARD)
    assert index.attachments == (AttachmentInfo("2", "hello.eml", "message/rfc822", 97),)
    assert index.body_text == "See attached.\n\nInner body\nline 2"


def test_inline_pictures_of_related_html_are_not_attachments() -> None:
    raw = crlf(
        'Content-Type: multipart/related; boundary="r"',
        "",
        "--r",
        "Content-Type: text/html; charset=utf-8",
        "",
        '<img src="cid:logo@x" alt="Logo"> Chào',
        "--r",
        "Content-Type: image/png; name=logo.png",
        "Content-ID: <logo@x>",
        "Content-Disposition: inline; filename=logo.png",
        "Content-Transfer-Encoding: base64",
        "",
        "iVBORw0KGgo=",
        "--r--",
    )
    index = index_message(raw)
    assert index.attachments == ()
    assert index.body_text == "Logo Chào"


def test_text_attachment_is_listed_not_indexed_as_body() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="m"',
        "",
        "--m",
        "Content-Type: text/plain",
        "",
        "body",
        "--m",
        "Content-Type: text/plain; name*=utf-8''ghi%20ch%C3%BA.txt",
        "Content-Disposition: attachment",
        "",
        "notes",
        "--m--",
    )
    index = index_message(raw)
    assert index.body_text == "body"
    assert index.attachments == (AttachmentInfo("2", "ghi chú.txt", "text/plain", 5),)


def test_attachment_names_lose_paths_and_controls() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="m"',
        "",
        "--m",
        'Content-Disposition: attachment; filename="C:\\\\Users\\\\a\\\\evil\x01.exe"',
        "",
        "x",
        "--m--",
    )
    assert index_message(raw).attachments[0].filename == "evil.exe"


def test_part_table() -> None:
    index = index_message(NESTED)
    assert [span.part for span in index.parts] == ["", "1", "1.1", "1.2", "2", "3"]
    first = index.find_part("1.1")
    assert first is not None
    assert first.content_type == "text/plain"
    assert first.charset == "utf-8"
    assert first.encoding == "quoted-printable"
    assert NESTED[first.body_start : first.body_end] == b"Xin ch=C3=A0o"
    assert NESTED[first.header_start : first.header_end].startswith(b"Content-Type: text/plain")
    third = index.find_part("3")
    assert third is not None and third.filename == "Báo cáo.docx" and third.disposition == "attachment"
    top = index.find_part("")
    assert top is not None and top.is_multipart and (top.header_start, top.body_end) == (0, len(NESTED))
    assert index.find_part("4") is None


def test_single_part_message_has_part_one_sharing_the_message_ranges() -> None:
    index = index_message(SIMPLE)
    top, one = index.parts
    assert (top.part, one.part) == ("", "1")
    assert (top.header_start, top.body_start, top.body_end) == (
        one.header_start,
        one.body_start,
        one.body_end,
    )


def test_empty_plain_alternative_falls_back_to_html() -> None:
    raw = crlf(
        'Content-Type: multipart/alternative; boundary="a"',
        "",
        "--a",
        "Content-Type: text/plain",
        "",
        "  ",
        "--a",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>Thông báo</p>",
        "--a--",
    )
    assert index_message(raw).body_text == "Thông báo"


def test_us_ascii_label_on_8bit_text_and_legacy_eth() -> None:
    raw = crlf("Content-Type: text/plain; charset=us-ascii", "", "") + "Đồng Nai ".encode() + b"caf\xe9"
    assert index_message(raw).body_text == "Đồng Nai café"
    converted = crlf(
        "Subject: \u00d0\u1ed3ng Nai", "Content-Type: text/plain; charset=utf-8", "", "\u00d0\u00e0 N\u1eb5ng"
    )
    index = index_message(converted)
    assert (index.subject, index.body_text) == ("Đồng Nai", "Đà Nẵng")
