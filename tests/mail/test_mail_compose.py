"""Building outgoing messages and completing submitted ones (RFC 5322, RFC 2045–2047, RFC 2231, RFC 6409)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from congvu.errors import InvalidInput
from congvu.mail import (
    Attachment,
    build_message,
    ensure_standard_headers,
    fetch_binary,
    index_message,
    prepend_header,
)
from congvu.mail.compose import make_message_id

ICT = timezone(timedelta(hours=7))
WHEN = datetime(2024, 3, 5, 9, 0, tzinfo=ICT)
LONG_SUBJECT = (
    "Về việc triển khai công văn số 123/UBND-TTTH ngày 05 tháng 3 năm 2024 của Ủy ban nhân dân tỉnh"
)


def _lines_ok(raw: bytes) -> None:
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.isascii()
    header = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in header.split(b"\r\n"))


def test_plain_message_round_trips_through_the_index() -> None:
    raw = build_message(
        from_addr=("Nguyễn Văn An", "an@dongnai.gov.vn"),
        to=["Trần Thị Bình <binh@dongnai.gov.vn>", "c@x.vn"],
        cc=[("Phòng Tổng hợp", "tonghop@dongnai.gov.vn")],
        subject=LONG_SUBJECT,
        text="Kính gửi các đơn vị,\nĐề nghị triển khai.\n",
        message_id="<x1@dongnai.gov.vn>",
        date=WHEN,
    )
    _lines_ok(raw)
    assert raw.startswith(b"Date: Tue, 05 Mar 2024 09:00:00 +0700\r\n")
    index = index_message(raw)
    assert index.subject == LONG_SUBJECT
    assert index.from_ == "Nguyễn Văn An <an@dongnai.gov.vn>"
    assert index.to == "Trần Thị Bình <binh@dongnai.gov.vn>, c@x.vn"
    assert index.cc == "Phòng Tổng hợp <tonghop@dongnai.gov.vn>"
    assert index.message_id == "<x1@dongnai.gov.vn>"
    assert index.date == WHEN
    assert index.body_text == "Kính gửi các đơn vị,\nĐề nghị triển khai."
    assert fetch_binary(raw, index, (1,)) == "Kính gửi các đơn vị,\r\nĐề nghị triển khai.\r\n".encode()


def test_python_email_reads_what_we_build() -> None:
    raw = build_message(
        from_addr="an@dongnai.gov.vn",
        to=["b@x.vn"],
        subject="Giấy mời họp",
        text="Mời dự họp.",
        html="<p>Mời dự họp.</p>",
        attachments=[Attachment("Báo cáo tháng 3.pdf", "application/pdf", b"%PDF-1.4 data")],
        date=WHEN,
    )
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Giấy mời họp"
    assert parsed.get_content_type() == "multipart/mixed"
    attachment = next(iter(parsed.iter_attachments()))
    assert attachment.get_filename() == "Báo cáo tháng 3.pdf"
    assert attachment.get_content() == b"%PDF-1.4 data"
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "Mời dự họp."


def test_long_vietnamese_filename_uses_rfc2231_continuations() -> None:
    name = "Báo cáo tổng hợp tình hình thực hiện nhiệm vụ năm 2024 của Sở Thông tin và Truyền thông.pdf"
    raw = build_message(
        from_addr="a@x.vn",
        to=["b@x.vn"],
        subject="s",
        text="t",
        attachments=[Attachment(name, "application/pdf", b"1234")],
        date=WHEN,
    )
    _lines_ok(raw)
    assert b"filename*0*=utf-8''" in raw and b"filename*1*=" in raw
    index = index_message(raw)
    assert [(a.filename, a.size) for a in index.attachments] == [(name, 4)]


def test_inline_picture_goes_into_multipart_related() -> None:
    raw = build_message(
        from_addr="a@x.vn",
        to=["b@x.vn"],
        subject="logo",
        text="t",
        html='<img src="cid:logo@x.vn">',
        attachments=[Attachment("logo.png", "image/png", b"\x89PNG", inline=True, content_id="logo@x.vn")],
        date=WHEN,
    )
    index = index_message(raw)
    assert [span.content_type for span in index.parts] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    assert index.attachments == ()
    assert fetch_binary(raw, index, (2, 2)) == b"\x89PNG"


def test_bcc_only_on_request_and_threading_headers() -> None:
    common = {
        "from_addr": "a@x.vn",
        "to": ["b@x.vn"],
        "bcc": ["secret@x.vn"],
        "subject": "Re: x",
        "text": "ok",
        "in_reply_to": "p2@x.vn",
        "references": ["<p1@x.vn>", "<p2@x.vn>"],
        "date": WHEN,
    }
    assert b"secret@x.vn" not in build_message(**common)  # type: ignore[arg-type]
    kept = index_message(build_message(**common, keep_bcc=True))  # type: ignore[arg-type]
    assert kept.bcc == "secret@x.vn"
    assert kept.in_reply_to == "<p2@x.vn>"
    assert kept.references == ("<p1@x.vn>", "<p2@x.vn>")


def test_generated_message_id_uses_the_sender_domain() -> None:
    raw = build_message(from_addr="a@Sở.vn", to=["b@x.vn"], subject="s", text="t", date=WHEN)
    message_id = index_message(raw).message_id
    assert message_id is not None and re.fullmatch(r"<[0-9a-f]{32}@xn--s-lym\.vn>", message_id)
    assert make_message_id("x.vn") != make_message_id("x.vn")


def test_same_input_gives_the_same_message() -> None:
    def build() -> bytes:
        return build_message(
            from_addr="a@x.vn",
            to=["b@x.vn"],
            subject="s",
            text="t",
            html="<p>t</p>",
            message_id="<m@x.vn>",
            date=WHEN,
        )

    assert build() == build()


def test_extra_headers_and_naive_dates() -> None:
    raw = build_message(
        from_addr="a@x.vn",
        to=["b@x.vn"],
        subject="s",
        text="t",
        date=datetime(2024, 1, 2, 3, 4, 5),
        extra_headers=[("X-Priority", "1"), ("X-Chu-De", "Khẩn")],
    )
    assert b"\r\nX-Priority: 1\r\nX-Chu-De: =?utf-8?b?S2jhuqlu?=\r\n" in raw
    assert index_message(raw).date == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "a\r\nBcc: x@y.vn"},
        {"to": ["b@x.vn\r\nX: y"]},
        {"to": ["not an address"]},
        {"from_addr": ("Name", "a@x.vn>")},
        {"extra_headers": [("Bad Name", "v")]},
        {"extra_headers": [("X-Độ-Khẩn", "v")]},
        {"extra_headers": [("X-Ok", "v\nX-Evil: 1")]},
        {"message_id": "<a b@x.vn>"},
        {"attachments": [Attachment("a", "not a type", b"")]},
    ],
)
def test_injection_and_bad_values_are_refused(changes: dict[str, object]) -> None:
    arguments: dict[str, object] = {"from_addr": "a@x.vn", "to": ["b@x.vn"], "subject": "s", "text": "t"}
    arguments.update(changes)
    with pytest.raises(InvalidInput):
        build_message(**arguments)  # type: ignore[arg-type]


def test_ensure_standard_headers_only_prepends() -> None:
    submitted = b"From: a@x.vn\r\nTo: b@x.vn\r\nSubject: s\r\n\r\nbody\r\n"
    completed = ensure_standard_headers(submitted, domain="dongnai.gov.vn", now=WHEN)
    assert completed.endswith(submitted)
    added = completed[: -len(submitted)]
    assert re.fullmatch(
        rb"Message-ID: <[0-9a-f]{32}@dongnai\.gov\.vn>\r\nDate: Tue, 05 Mar 2024 09:00:00 \+0700\r\n", added
    )
    complete = b"Date: x\r\nmessage-id: <q@x>\r\n\r\nbody"
    assert ensure_standard_headers(complete, domain="x.vn", now=WHEN) == complete


def test_prepend_header_follows_the_message_line_ends() -> None:
    assert (
        prepend_header(b"A: b\r\n\r\nx", "Received", "from x by y")
        == b"Received: from x by y\r\nA: b\r\n\r\nx"
    )
    assert prepend_header(b"A: b\n\nx", "X-Spam", "no") == b"X-Spam: no\nA: b\n\nx"
    folded = prepend_header(b"A: b\r\n\r\n", "Received", "word " * 30)
    assert all(len(line) <= 78 for line in folded.split(b"\r\n"))
    with pytest.raises(InvalidInput):
        prepend_header(b"", "Received", "a\r\nb")
