"""build → parse gives the same object: text in NFC, attachments byte-exact, every part of the model."""

import dataclasses
import unicodedata
from datetime import date, datetime, timedelta, timezone

from edxml_samples import full_edoc, full_status

from congvu.edxml.model import (
    Attachment,
    Business,
    BusinessDocType,
    ReplacementInfo,
    StaffInfo,
)
from congvu.edxml.reader import parse_package
from congvu.edxml.writer import build_edoc, build_status


def test_full_document_round_trip():
    pkg = full_edoc()
    assert parse_package(build_edoc(pkg)) == pkg


def test_status_round_trip():
    pkg = full_status()
    assert parse_package(build_status(pkg)) == pkg


def test_second_pass_gives_identical_bytes():
    first = build_edoc(full_edoc())
    assert build_edoc(parse_package(first)) == first
    status = build_status(full_status())
    assert build_status(parse_package(status)) == status


def test_decomposed_input_comes_back_composed():
    pkg = full_edoc()
    nfd = unicodedata.normalize("NFD", "Về việc sử dụng thư điện tử công vụ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    built = dataclasses.replace(pkg, header=dataclasses.replace(pkg.header, subject=nfd))
    assert built.header.subject == unicodedata.normalize("NFC", nfd)
    back = parse_package(build_edoc(built))
    assert back.header.subject == "Về việc sử dụng thư điện tử công vụ"
    assert back == built


def test_eth_lookalike_becomes_dbar():
    pkg = full_edoc()
    built = dataclasses.replace(pkg, header=dataclasses.replace(pkg.header, subject="\u00d0ồng Nai"))
    assert parse_package(build_edoc(built)).header.subject == "Đồng Nai"


def test_attachments_byte_exact_whatever_the_format():
    payloads = {
        "bản scan.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 50,
        "ảnh.jpg": bytes(reversed(range(256))) * 30,
        "bảng.xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "ghi âm.mp3": b"ID3" + bytes(1000),
        "trống.txt": b"",
        "không đuôi": b"\x00\x01\x02",
    }
    attachments = tuple(Attachment.create(name, data) for name, data in payloads.items())
    pkg = dataclasses.replace(full_edoc(), attachments=attachments)
    back = parse_package(build_edoc(pkg))
    assert {a.name: a.data for a in back.attachments} == payloads
    assert back == pkg
    assert all(a.content_id.startswith("cid:") for a in back.attachments)


def test_timestamps_round_trip_in_vietnam_time():
    pkg = full_status()
    moment = datetime(2025, 3, 5, 3, 2, 11, 999, tzinfo=timezone(timedelta(hours=1)))
    back = parse_package(build_status(dataclasses.replace(pkg, timestamp=moment)))
    assert back.timestamp == moment.replace(microsecond=0)
    assert back.timestamp.utcoffset() == timedelta(hours=7)
    assert back.timestamp.hour == 9


def test_revoke_and_replace_round_trip():
    pkg = full_edoc()
    staff = (StaffInfo("Văn thư", "Trần Thị B"),)
    revoke = Business(
        BusinessDocType.REVOKE,
        "000.00.00.H53,2025/03/01,05/CT-UBND",
        "Thu hồi văn bản điện tử",
        staff_info=staff,
    )
    replace = Business(
        BusinessDocType.REPLACE,
        "000.00.00.H53,2025/03/01,05/CT-UBND",
        "Văn bản thay thế",
        staff_info=staff,
        replacements=(ReplacementInfo("000.00.00.H53,2025/03/01,05/CT-UBND", ("000.00.11.H53", "H53.15")),),
    )
    for business in (revoke, replace):
        built = dataclasses.replace(pkg, business=business)
        assert parse_package(build_edoc(built)) == built


def test_package_without_business_or_attachments():
    pkg = dataclasses.replace(full_edoc(), business=None, attachments=())
    back = parse_package(build_edoc(pkg))
    assert back == pkg
    assert back.business_doc_type is BusinessDocType.NEW


def test_empty_optional_parts_round_trip():
    pkg = full_edoc()
    header = dataclasses.replace(pkg.header, due_date=None, to_places=(), response_for=(), content="")
    built = dataclasses.replace(pkg, header=header)
    back = parse_package(build_edoc(built))
    assert back == built
    assert back.header.due_date is None
    assert back.header.promulgation_info.promulgation_date == date(2025, 3, 5)
