"""Structural validation before sending (QCVN 102:2016; NĐ 30/2020 Phụ lục VI lengths; research R3–R11)."""

import dataclasses
from datetime import date

import pytest
from edxml_samples import full_edoc, full_status

from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    Organization,
    ResponseFor,
)
from congvu.edxml.reader import parse_package
from congvu.edxml.validate import ensure_valid, validate_package


def _paths(pkg) -> list[str]:
    return [p.path for p in validate_package(pkg)]


def _header(**changes):
    pkg = full_edoc()
    return dataclasses.replace(pkg, header=dataclasses.replace(pkg.header, **changes))


def test_samples_and_full_packages_are_valid(edoc_bytes, status_bytes):
    assert validate_package(parse_package(edoc_bytes)) == []
    assert validate_package(parse_package(status_bytes)) == []
    assert validate_package(full_edoc()) == []
    assert validate_package(full_status()) == []
    ensure_valid(full_edoc())


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"subject": "x" * 501}, "MessageHeader/Subject"),
        ({"subject": ""}, "MessageHeader/Subject"),
        ({"to": ()}, "MessageHeader/To"),
        ({"steering_type": 7}, "MessageHeader/SteeringType"),
        ({"due_date": date(2025, 3, 1)}, "MessageHeader/DueDate"),
        ({"document_id": "000.00.00.H53,2025/03/06,07/CT-UBND"}, "MessageHeader/DocumentId"),
    ],
)
def test_header_faults(changes, path):
    assert path in _paths(_header(**changes))


def test_subject_of_exactly_500_is_fine():
    assert _paths(_header(subject="x" * 500)) == []


def test_agency_codes_are_checked():
    bad_sender = Organization("h53", organ_name="Sở")
    assert "MessageHeader/From/OrganId" in _paths(_header(sender=bad_sender, document_id="x"))
    bad_to = (Organization("000.00.00.Z11"),)
    assert "MessageHeader/To[1]/OrganId" in _paths(_header(to=bad_to))
    twice = (Organization("000.00.11.H53"), Organization("000.00.11.H53"))
    assert "MessageHeader/To[2]" in _paths(_header(to=twice))


def test_organ_name_length():
    long_name = (Organization("000.00.11.H53", organ_name="S" * 201),)
    assert "MessageHeader/To[1]/OrganName" in _paths(_header(to=long_name))


@pytest.mark.parametrize(
    ("code", "path"),
    [
        (Code("7", "CT-UBND"), "MessageHeader/Code/CodeNumber"),
        (Code("007", "CT-UBND"), "MessageHeader/Code/CodeNumber"),
        (Code("123456789012", "CT-UBND"), "MessageHeader/Code/CodeNumber"),
        (Code("07", "CT/UBND"), "MessageHeader/Code/CodeNotation"),
        (Code("07", "CT UBND"), "MessageHeader/Code/CodeNotation"),
        (Code("07", "A" * 31), "MessageHeader/Code/CodeNotation"),
    ],
)
def test_number_and_notation(code, path):
    assert path in _paths(_header(code=code, document_id=""))


def test_signer_and_type_lengths():
    pkg = full_edoc()
    signer = dataclasses.replace(pkg.header.signer_info, full_name="N" * 51, position="P" * 101)
    kind = dataclasses.replace(pkg.header.document_type, type_name="")
    paths = _paths(_header(signer_info=signer, document_type=kind))
    assert {"MessageHeader/SignerInfo/FullName", "MessageHeader/SignerInfo/Position"} <= set(paths)
    assert "MessageHeader/DocumentType/TypeName" in paths


def test_priority_accepts_legacy_four_not_five():
    other = dataclasses.replace(full_edoc().header.other_info, priority=4)
    assert _paths(_header(other_info=other)) == []
    other = dataclasses.replace(other, priority=5, page_amount=1000)
    assert {"MessageHeader/OtherInfo/Priority", "MessageHeader/OtherInfo/PageAmount"} <= set(
        _paths(_header(other_info=other))
    )


def test_response_for_document_id_shape():
    bad = (ResponseFor("G22", "x", None, "not-a-key"),)
    assert "MessageHeader/ResponseFor[1]/DocumentId" in _paths(_header(response_for=bad))


def test_sender_trace_is_required():
    assert "TraceHeaderList/TraceHeader" in _paths(dataclasses.replace(full_edoc(), traces=()))


def test_business_requirements():
    pkg = full_edoc()
    revoke = Business(BusinessDocType.REVOKE, "", "Thu hồi")
    assert "Bussiness/DocumentId" in _paths(dataclasses.replace(pkg, business=revoke))
    replace = Business(BusinessDocType.REPLACE, "000.00.00.H53,2025/03/01,05/CT-UBND", "Thay thế")
    assert "Bussiness/ReplacementInfoList" in _paths(dataclasses.replace(pkg, business=replace))
    new = Business(BusinessDocType.NEW, "", "Văn bản điện tử mới")
    assert _paths(dataclasses.replace(pkg, business=new)) == []


def test_attachment_content_ids_must_be_unique():
    pkg = full_edoc()
    one = Attachment("cid:abc", "a.pdf", b"1")
    two = Attachment("abc", "b.pdf", b"2")
    assert "AttachmentEncoded/Attachment[2]/ContentId" in _paths(
        dataclasses.replace(pkg, attachments=(one, two))
    )


def test_status_faults():
    pkg = full_status()
    assert "MessageHeader/StatusCode" in _paths(dataclasses.replace(pkg, status_code="14"))
    assert "MessageHeader/Description" in _paths(dataclasses.replace(pkg, description="d" * 501))
    other_organ = dataclasses.replace(pkg.response_for, organ_id="000.00.00.H54")
    assert "MessageHeader/ResponseFor/OrganId" in _paths(dataclasses.replace(pkg, response_for=other_organ))
    other_code = dataclasses.replace(pkg.response_for, code="08/CT-UBND")
    assert "MessageHeader/ResponseFor/Code" in _paths(dataclasses.replace(pkg, response_for=other_code))


def test_ensure_valid_lists_every_problem():
    bad = _header(subject="", steering_type=9)
    with pytest.raises(EdxmlError) as caught:
        ensure_valid(bad)
    assert caught.value.element == "MessageHeader/Subject"
    assert "MessageHeader/SteeringType" in caught.value.message
    assert "bắt buộc" in caught.value.message
    assert "required" in caught.value.message_en
