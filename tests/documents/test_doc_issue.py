"""Issuing a document inside one installation: number, package, delivery, status 01 back."""

from __future__ import annotations

import pytest
from docmaterial import cong_van

from congvu.documents.models import OutgoingState
from congvu.documents.service import DocumentService
from congvu.errors import InvalidInput, NotFound, PermissionDenied


def test_issue_numbers_and_delivers(docs: DocumentService) -> None:
    doc = docs.issue(cong_van())
    assert doc.number == "01/VPUBND-TTTH"
    assert doc.state is OutgoingState.ISSUED
    assert doc.document_id is not None and doc.document_id.startswith("H19.01,")
    assert doc.document_id.endswith(",01/VPUBND-TTTH")
    [recipient] = doc.recipients
    assert recipient.agency == "H19.04"
    assert recipient.transport == "local"
    assert recipient.sent_at is not None
    assert recipient.status == "01"
    [entry] = docs.incoming.list("H19.04")
    assert entry.document_id == doc.document_id
    assert entry.from_agency == "H19.01"
    assert entry.number == "01/VPUBND-TTTH"
    assert entry.status == "01"
    assert entry.arrival_number is None
    second = docs.issue(cong_van(subject="V/v thứ hai"))
    assert second.number == "02/VPUBND-TTTH"


def test_secret_document_is_refused(docs: DocumentService) -> None:
    with pytest.raises(PermissionDenied) as caught:
        docs.issue(cong_van(secrecy="Mật"))
    assert "bí mật nhà nước" in caught.value.message
    assert docs.outgoing.list("H19.01") == []


def test_unknown_recipient_and_not_a_pdf(docs: DocumentService) -> None:
    with pytest.raises(NotFound):
        docs.issue(cong_van(kinh_gui=("H19.99",)))
    from congvu.documents.models import FileInput

    with pytest.raises(InvalidInput) as caught:
        docs.issue(cong_van(main_file=FileInput("x.pdf", b"%PDF-1.4 but nothing else")))
    assert "không đọc được" in caught.value.message
    with pytest.raises(InvalidInput):
        docs.issue(cong_van(main_file=FileInput("x.pdf", b"PK\x03\x04 a zip")))
    assert docs.outgoing.list("H19.01") == []
