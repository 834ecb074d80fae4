"""PAdES signatures: the agency signs at issue; the receiver checks integrity and trust against its list."""

from __future__ import annotations

import pytest
from docmaterial import cong_van, make_authority, make_pdf
from test_doc_arrival import foreign_package

from congvu.documents.service import DocumentService
from congvu.documents.signatures import (
    SigningKey,
    check_pdf,
    load_certificates,
    sign_pdf,
    summarise,
    verify_pdf_signatures,
)
from congvu.errors import ConfigError, InvalidInput


def test_sign_then_verify_trusted_untrusted_and_tampered() -> None:
    ca, other = make_authority(), make_authority("CA khác")
    key = SigningKey(ca.issue_pkcs12("Văn phòng UBND tỉnh Đồng Nai", "UBND tỉnh Đồng Nai"), b"matkhau")
    signed = sign_pdf(make_pdf(), key, reason="01/VPUBND-TTTH", location="Biên Hòa")
    check, = verify_pdf_signatures(signed, load_certificates([ca.pem]))
    assert check.ok and check.covers_whole_file and check.signer_name == "Văn phòng UBND tỉnh Đồng Nai"
    assert check.signing_time is not None
    untrusted, = verify_pdf_signatures(signed, load_certificates([other.pem]))
    assert untrusted.intact and not untrusted.trusted and summarise([untrusted]) == "untrusted"
    tampered = bytearray(signed)
    at = tampered.find(b"trang 1")
    tampered[at] = ord("T")
    broken, = verify_pdf_signatures(bytes(tampered), load_certificates([ca.pem]))
    assert not broken.intact and summarise([broken]) == "broken"
    twice = sign_pdf(signed, key, reason="lần hai", location="Biên Hòa")
    checks = verify_pdf_signatures(twice, load_certificates([ca.pem]))
    assert len(checks) == 2 and all(c.intact and c.trusted for c in checks)
    assert verify_pdf_signatures(make_pdf(), []) == ()
    with pytest.raises(ConfigError):
        SigningKey(key.pkcs12, b"sai mat khau").signer()


def test_check_pdf_refuses_what_is_not_a_pdf() -> None:
    assert check_pdf(make_pdf(pages=3), "a.pdf").pages == 3
    for data in (b"", b"GIF89a", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF", make_pdf()[:200]):
        with pytest.raises(InvalidInput):
            check_pdf(data, "a.pdf")


def test_issue_signs_and_receiver_records_who_signed(docs: DocumentService) -> None:
    ca = make_authority()
    docs.profiles.set_signing_key("H19.01", ca.issue_pkcs12("Văn phòng UBND tỉnh Đồng Nai", "UBND tỉnh Đồng Nai"),
                                  b"matkhau")
    docs.trust.add(ca.pem, name="CA thử nghiệm")
    doc = docs.issue(cong_van())
    assert doc.signed
    entry, = docs.incoming.list("H19.04")
    assert entry.signature_summary == "trusted"
    detail = docs.incoming.get(entry.id)
    signature, = detail.signatures
    assert signature.signer_name == "Văn phòng UBND tỉnh Đồng Nai" and signature.intact and signature.trusted
    assert signature.file == "6806-UBND-TTTH.pdf"
    status, = docs.outgoing.status(doc.document_id or "")
    assert not status.paper_required  # signed: the electronic document replaces paper


def test_untrusted_signature_is_flagged_and_tampered_one_refused(docs: DocumentService) -> None:
    stranger = make_authority("CA lạ")
    key = SigningKey(stranger.issue_pkcs12("Sở Nội vụ tỉnh Khánh Hòa", "UBND tỉnh Khánh Hòa"), b"matkhau")
    signed = sign_pdf(make_pdf("Khanh Hoa"), key, reason="15/SNV-VP", location="Nha Trang")
    arrival = docs.receive(foreign_package(files=(("cv.pdf", signed),)), transport="file")
    entry, = arrival.entries
    assert entry.signature_summary == "untrusted"
    assert any("không thuộc danh sách tin cậy" in w for w in entry.warnings)
    tampered = bytearray(signed)
    tampered[tampered.find(b"trang 1")] = ord("X")
    refused = docs.receive(foreign_package(files=(("cv.pdf", bytes(tampered)),), number="16"), transport="file")
    assert not refused.accepted
    item = docs.quarantine.get(refused.quarantine_id or 0)
    assert item.reason == "invalid" and "thay đổi sau khi ký" in item.message
