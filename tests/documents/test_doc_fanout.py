"""A document for many agencies of the installation: stored once, delivered in one go, every status 01 back."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from docmaterial import cong_van, make_authority, make_pdf

from congvu.documents.models import FileInput
from congvu.documents.service import documents_for
from congvu.documents.transport import OutgoingPackage, TransportError
from congvu.edxml.model import EdocPackage
from congvu.edxml.reader import parse_package
from congvu.installation import Installation

EXTRA = tuple(f"H19.{n}" for n in range(40, 70))


def more_departments(inst: Installation) -> tuple[str, ...]:
    for i, code in enumerate(EXTRA, start=1):
        inst.directory.agencies.add(code=code, name=f"Sở thử nghiệm số {i}", short_name=f"STN{i}",
                                    level="department", parent="H19")
    return ("H19.04", "H19.18", "H19.31", *EXTRA)


def blob_files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()}


def test_document_to_many_agencies_stores_its_pdf_and_package_once(province: Installation) -> None:
    recipients = more_departments(province)
    docs = documents_for(province)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    ca = make_authority()
    docs.trust.add(ca.pem, name="CA thử nghiệm")
    docs.profiles.set_signing_key("H19.01", ca.issue_pkcs12("Văn phòng UBND tỉnh Đồng Nai", "UBND tỉnh"), b"matkhau")
    pdf = make_pdf("Cong van toan tinh", pages=3)
    before = blob_files(province.settings.data.blobs)

    doc = docs.issue(cong_van(kinh_gui=recipients, main_file=FileInput("cv.pdf", pdf)))

    assert doc.signed and len(doc.recipients) == len(recipients) == 33
    assert all(r.sent_at is not None and r.status == "01" for r in doc.recipients)
    package = docs.outgoing.package(doc.document_id or "")
    parsed = parse_package(package)
    assert isinstance(parsed, EdocPackage)
    assert [o.organ_id for o in parsed.header.to] == list(recipients)  # one package, one To per recipient
    signed, = doc.files
    assert signed.sha256 != hashlib.sha256(pdf).hexdigest()
    for code in recipients:
        entry, = docs.incoming.list(code)
        assert entry.signature_summary == "trusted" and entry.status == "01"
        main, = docs.incoming.get(entry.id).files
        assert main.sha256 == signed.sha256
        assert docs.incoming.package(entry.id) == package
    # The draft's PDF, the signed PDF and the package: nothing per recipient, not even the status packages.
    new = blob_files(province.settings.data.blobs) - before
    assert new == {hashlib.sha256(pdf).hexdigest(), signed.sha256, hashlib.sha256(package).hexdigest()}
    history = docs.statuses.history(doc.document_id or "")
    assert sorted(e.agency for e in history if e.direction == "received" and e.status == "01") == sorted(recipients)


class Refusing:
    """A local transport that cannot deliver now."""

    name = "local"

    def __init__(self) -> None:
        self.groups: list[int] = []

    def deliver(self, package: OutgoingPackage) -> None:
        self.deliver_group((package,))

    def deliver_group(self, packages: tuple[OutgoingPackage, ...] | list[OutgoingPackage]) -> None:
        self.groups.append(len(packages))
        raise TransportError("Hệ thống đang bảo trì")


def test_a_group_that_fails_is_retried_together(province: Installation) -> None:
    recipients = more_departments(province)
    moment = [datetime(2026, 3, 2, 2, 0, tzinfo=UTC)]
    docs = documents_for(province, clock=lambda: moment[0])
    docs.profiles.set_place("H19.01", "Biên Hòa")
    real = docs.dispatcher.transports["local"]
    refusing = Refusing()
    docs.add_transport(refusing)
    doc = docs.issue(cong_van(kinh_gui=recipients))
    assert refusing.groups == [len(recipients)]  # one hand-over for the whole package
    assert all(r.sent_at is None for r in doc.recipients)
    assert docs.dispatcher.pending() == len(recipients)
    assert docs.dispatch().sent == 0  # not due yet
    docs.add_transport(real)
    moment[0] += timedelta(minutes=2)
    report = docs.dispatch()
    assert report.sent == len(recipients) and report.failed == 0
    assert all(r.status == "01" for r in docs.outgoing.get(doc.document_id or "").recipients)
    assert docs.dispatcher.pending() == 0
