"""Header decoding (RFC 2047, RFC 6532), addresses (RFC 5322 §3.4) and dates (RFC 5322 §3.3)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from congvu.mail import decode_header_value, parse_addresses, parse_date
from congvu.mail.charsets import decode_text

ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?UTF-8?B?Q8O0bmcgdsSDbiBz4buRIDEyMw==?=", "Công văn số 123"),
        ("=?utf-8?q?C=C3=B4ng_v=C4=83n?=", "Công văn"),
        # RFC 2047 §6.2: white space between adjacent encoded-words is not displayed.
        ("=?utf-8?q?C=C3=B4ng?= =?utf-8?q?_v=C4=83n?=", "Công văn"),
        ("Re: =?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di?= h\u1ecdp", "Re: Giấy mời họp"),
        # A character split across two words (bad encoders do this) is joined before decoding.
        ("=?UTF-8?B?4bs=?= =?UTF-8?B?kQ==?=", "ố"),
        # RFC 2231 §5 language suffix.
        ("=?utf-8*vi?q?Vi=E1=BB=87t?=", "Việt"),
        ("=?windows-1258?q?Vi=EA=F2t?=", "Việt"),
        ("=?VISCII?q?Vi=AEt?=", "Việt"),
        ("=?x-unknown?q?caf=C3=A9?=", "café"),
        ("=?utf-8?b?!!!?=", "=?utf-8?b?!!!?="),
        ("plain\r\n folded", "plain folded"),
    ],
)
def test_decode_header_value(raw: str, expected: str) -> None:
    assert decode_header_value(raw) == expected


def test_raw_utf8_header_octets_are_accepted_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa Bình").encode()
    assert decode_header_value(decomposed) == "Hòa Bình"
    assert decode_header_value("Hòa Bình".encode()) == "Hòa Bình"


def test_invalid_utf8_header_octets_fall_back_to_windows_1252() -> None:
    assert decode_header_value(b"caf\xe9 \xff") == "café ÿ"


def test_decode_text_charsets_python_lacks() -> None:
    viscii = bytes([0x56, 0x69, 0xAE, 0x74, 0x20, 0x4E, 0x61, 0x6D])
    assert decode_text(viscii, "viscii") == "Việt Nam"
    tcvn3 = bytes([0x56, 0x69, 0xD6, 0x74])
    assert decode_text(tcvn3, "x-viet-tcvn5712") == "Việt"
    assert decode_text("Việt".encode(), "iso-8859-1") == "Việt"
    assert decode_text(b"caf\xe9", "utf-8") == "café"
    assert decode_text("Việt ".encode() + b"caf\xe9", "utf-8") == "Việt café"
    assert decode_text(b"abc", "base64") == "abc"


def test_parse_addresses() -> None:
    value = (
        '=?UTF-8?Q?Nguy=E1=BB=85n_V=C4=83n_An?= <an@DongNai.gov.vn>, "Trần, Thị B" <b@x.vn>, '
        "Nhóm: c@x.vn, d@x.vn;, e@x.vn (Ông E)"
    )
    assert parse_addresses(value) == [
        ("Nguyễn Văn An", "an@dongnai.gov.vn"),
        ("Trần, Thị B", "b@x.vn"),
        ("", "c@x.vn"),
        ("", "d@x.vn"),
        ("Ông E", "e@x.vn"),
    ]


def test_parse_addresses_tolerates_junk() -> None:
    assert parse_addresses('"unclosed <a@b.vn') == [("", "unclosed <a@b.vn")]
    assert parse_addresses("<a@b.vn") == [("", "a@b.vn")]
    assert parse_addresses(",,;:") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 05 Mar 2024 09:00:00 +0700", datetime(2024, 3, 5, 9, 0, tzinfo=ICT)),
        ("5 Mar 2024 09:00 +0700", datetime(2024, 3, 5, 9, 0, tzinfo=ICT)),
        ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", datetime(1996, 7, 17, 9, 23, 25, tzinfo=UTC)),
        ("Tue, 05 Mar 24 09:00:00 GMT", datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 09:00:00 -0000", datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),
        ("2024-03-05T09:00:00+07:00", datetime(2024, 3, 5, 9, 0, tzinfo=ICT)),
        ("05/03/2024 09:00:00 +0700", datetime(2024, 3, 5, 9, 0, tzinfo=ICT)),
    ],
)
def test_parse_date(value: str, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize("value", ["", "not a date", "32 Foo 2024 99:99", "Mon, 31 Feb 2024 10:00:00 +0700"])
def test_parse_date_rejects_what_names_no_moment(value: str) -> None:
    assert parse_date(value) is None
