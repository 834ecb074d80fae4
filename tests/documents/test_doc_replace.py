"""Replacement (QCVN 102 ``BussinessDocType`` 3) and update (2): the receiver links the documents and acts on them;
the issuer replaces one of its documents with ``replaces``."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from docmaterial import cong_van, make_pdf

from congvu.documents.search import overdue
from congvu.documents.service import DocumentService
from congvu.edxml.model import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    EdocPackage,
    Organization,
    Receiver,
)
from congvu.edxml.reader import parse_package
from congvu.edxml.writer import build_edoc
from congvu.errors import Conflict, InvalidInput, NotFound


def test_replacement_supersedes_the_earlier_entry_and_registers_the_new_one(docs: DocumentService) -> None:
    first = docs.issue(cong_van(due_date=docs.ctx.today() + timedelta(days=3)))
    old, = docs.incoming.list("H19.04")
    docs.register(old.id)
    second = docs.issue(cong_van(subject="V/v tăng cường sử dụng thư điện tử công vụ (thay thế)",
                                 replaces=first.document_id))
    assert second.replaces == first.document_id
    pkg = parse_package(docs.outgoing.package(second.document_id or ""))
    assert isinstance(pkg, EdocPackage) and pkg.business is not None
    assert pkg.business.doc_type is BusinessDocType.REPLACE and pkg.business.document_id == first.document_id
    assert [(r.document_id, r.organ_ids) for r in pkg.business.replacements] == [(first.document_id, ("H19.04",))]

    entries = {e.document_id: e for e in docs.incoming.list("H19.04")}
    assert set(entries) == {first.document_id, second.document_id}
    kept = docs.incoming.get(old.id)
    new = entries[second.document_id or ""]
    assert kept.cancelled and kept.replaced_by == second.document_id and kept.files, "kept with its files"
    assert kept.arrival_number == 1 and kept.status == "03"
    assert any("thay thế bởi văn bản số 02/VPUBND-TTTH" in w for w in kept.warnings)
    assert [(link.kind, link.entry_id) for link in kept.links] == [("replaced_by", new.id)]
    assert [(link.kind, link.document_id, link.entry_id) for link in new.links] == [
        ("replaces", first.document_id, old.id)]
    assert not new.cancelled and new.status == "01"
    with pytest.raises(Conflict, match="thay thế"):
        docs.assign(old.id, to_unit="Phòng CNTT")
    assert docs.register(new.id).arrival_number == 2
    # the replaced entry left the open and overdue lists
    assert [e.id for e in overdue(docs, "H19.04", docs.ctx.today() + timedelta(days=30))] == []


def test_replacement_of_a_document_never_received_is_kept_and_flagged(docs: DocumentService) -> None:
    first = docs.issue(cong_van())
    second = docs.issue(cong_van(kinh_gui=("H19.04", "H19.18"), replaces=first.document_id))
    at_18, = docs.incoming.list("H19.18")
    assert at_18.document_id == second.document_id
    assert [(link.kind, link.entry_id) for link in at_18.links] == [("replaces", None)]
    assert any("chưa nhận" in w for w in at_18.warnings)
    with pytest.raises(NotFound):
        docs.issue(cong_van(replaces="H19.04,2026/01/01,01/STTTT-VP"))  # never issued here
    docs.profiles.set_place("H19.18", "Biên Hòa")
    with pytest.raises(InvalidInput, match="chính cơ quan"):
        docs.issue(cong_van(agency="H19.18", drafting_unit="VP", replaces=first.document_id))


def _update_of(docs: DocumentService, document_id: str, *, new_number: str | None = None,
               add: str | None = None) -> bytes:
    """An update package of the sender's document, as another system would send it."""
    pkg = parse_package(docs.outgoing.package(document_id))
    assert isinstance(pkg, EdocPackage)
    header = pkg.header
    if new_number is not None:
        header = replace(header, code=Code(new_number, header.code.code_notation), document_id="")
    if add is not None:
        header = replace(header, to=(*header.to, Organization(add, "", "Sở Nội vụ")))
    return build_edoc(replace(
        pkg, header=header,
        business=Business(BusinessDocType.UPDATE, document_id, "Cập nhật phụ lục", False, (), True,
                          add is not None, (Receiver(add, 1),) if add else ()),
        attachments=(Attachment.create("phu-luc-cap-nhat.pdf", make_pdf("Phu luc cap nhat")),)))


def test_update_attaches_to_the_earlier_entry_once(docs: DocumentService) -> None:
    sent = docs.issue(cong_van())
    entry, = docs.incoming.list("H19.04")
    docs.register(entry.id)
    data = _update_of(docs, sent.document_id or "")
    arrival = docs.receive(data, transport="file")
    assert arrival.problem is None and [e.id for e in arrival.entries] == [entry.id]
    after = docs.incoming.get(entry.id)
    assert [f.role for f in after.files] == ["main", "stamped", "update"]  # stamped: the ĐẾN stamp at registration
    assert after.files[2].name == "phu-luc-cap-nhat.pdf"
    assert [(link.kind, link.document_id, link.reason) for link in after.links] == [
        ("updated_by", sent.document_id, "Cập nhật phụ lục")]
    assert after.arrival_number == 1 and after.status == "03" and not after.cancelled
    assert any("Cập nhật phụ lục" in w for w in after.warnings)
    assert len(docs.incoming.list("H19.04")) == 1, "an update takes no new số đến"
    again = docs.receive(data, transport="file")
    assert again.duplicates == ("H19.04",) and again.quarantine_id is not None
    assert len(docs.incoming.get(entry.id).files) == 3


def test_update_under_a_new_number_reaches_an_added_recipient_as_a_new_entry(docs: DocumentService) -> None:
    sent = docs.issue(cong_van())
    entry, = docs.incoming.list("H19.04")
    arrival = docs.receive(_update_of(docs, sent.document_id or "", new_number="77", add="H19.18"),
                           transport="file")
    by_agency = {e.agency: e for e in arrival.entries}
    assert set(by_agency) == {"H19.04", "H19.18"}
    assert by_agency["H19.04"].id == entry.id
    assert [link.kind for link in by_agency["H19.04"].links] == ["updated_by"]
    fresh = by_agency["H19.18"]
    assert fresh.number == "77/VPUBND-TTTH" and fresh.status == "01"
    assert [(link.kind, link.document_id) for link in fresh.links] == [("updates", sent.document_id)]
