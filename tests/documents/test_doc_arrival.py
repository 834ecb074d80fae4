"""Arrival through any transport: Nơi nhận resolved through the directory, bad packages kept in quarantine,
duplicates flagged, packages carried by mail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from docmaterial import cong_van, make_pdf

from congvu.documents.mail_bridge import MailTransport, accept_mail, compose_package_mail, recognise_incoming_mail
from congvu.documents.service import DocumentService, documents_for
from congvu.documents.transport import OutgoingPackage, PackageKind
from congvu.edxml.model import (
    Attachment,
    Code,
    EdocPackage,
    MessageHeader,
    Organization,
    PromulgationInfo,
    TraceHeader,
)
from congvu.edxml.reader import parse_package
from congvu.edxml.writer import build_edoc
from congvu.installation import Installation

KHANH_HOA = Organization("H47.05", "UBND tỉnh Khánh Hòa", "Sở Nội vụ tỉnh Khánh Hòa")


def foreign_package(*, to: tuple[str, ...] = ("H19.04",), files: tuple[tuple[str, bytes], ...] | None = None,
                    number: str = "15") -> bytes:
    chosen = files if files is not None else (("cv.pdf", make_pdf("Khanh Hoa")),)
    header = MessageHeader(
        sender=KHANH_HOA, to=tuple(Organization(c, "", f"Cơ quan {c}") for c in to),
        code=Code(number, "SNV-VP"), promulgation_info=PromulgationInfo("Nha Trang", date(2026, 3, 5)),
        subject="V/v phối hợp cải cách hành chính")
    pkg = EdocPackage(header, (TraceHeader("H47.05", datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),),
                      attachments=tuple(Attachment.create(n, d) for n, d in chosen))
    return build_edoc(pkg, check=False)


def test_noi_nhan_lines_resolve_groups_codes_names_and_keep_the_rest(docs: DocumentService) -> None:
    doc = docs.issue(cong_van(kinh_gui=("Các sở, ban, ngành",), noi_nhan=(
        "Như trên", "UBND huyện Thống Nhất (để thực hiện)", "TT. Tỉnh ủy (b/c)", "Lưu: VT, TTTH.")))
    codes = [r.agency for r in doc.recipients]
    assert sorted(codes) == ["H19.04", "H19.18", "H19.31"]  # the office itself (a department) is left out
    purposes = {r.agency: r.purpose for r in doc.recipients}
    assert purposes["H19.31"] == "execute"
    assert any("TT. Tỉnh ủy" in w for w in doc.warnings)
    package = parse_package(docs.outgoing.package(doc.document_id or ""))
    assert isinstance(package, EdocPackage)
    assert package.header.to_places == ("Như trên", "UBND huyện Thống Nhất (để thực hiện)", "TT. Tỉnh ủy (b/c)",
                                        "Lưu: VT, TTTH")
    assert [o.organ_id for o in package.header.to] == codes
    for code in codes:
        assert len(docs.incoming.list(code)) == 1


def test_one_copy_of_each_file_however_many_recipients(docs: DocumentService) -> None:
    doc = docs.issue(cong_van(kinh_gui=("H19.04", "H19.18", "H19.31")))
    shas = {e.files[0].sha256 for e in (docs.incoming.find(c, doc.document_id or "") for c in ("H19.04", "H19.18",
                                                                                              "H19.31"))}
    assert len(shas) == 1 and docs.ctx.blobs.exists(shas.pop())


def test_foreign_document_arrives_and_is_flagged_unsigned(docs: DocumentService) -> None:
    arrival = docs.receive(foreign_package(), transport="file")
    assert arrival.accepted and arrival.quarantine_id is None
    entry, = arrival.entries
    assert entry.from_agency == "H47.05" and entry.number == "15/SNV-VP" and entry.status == "01"
    assert entry.signature_summary == "none"
    assert any("không có chữ ký số" in w for w in entry.warnings)
    assert any("đường gửi trạng thái" in w for w in docs.incoming.get(entry.id).warnings)


def test_bad_packages_are_kept_with_their_reason(docs: DocumentService) -> None:
    cases = {
        "malformed": b"<?xml version='1.0'?><edXML xmlns='urn:other'/>",
        "misaddressed": foreign_package(to=("H48.01",)),
        "invalid": foreign_package(files=(("cv.pdf", b"%PDF-1.4\nrubbish"),)),
    }
    for reason, data in cases.items():
        arrival = docs.receive(data, transport="file")
        assert not arrival.accepted, reason
        assert arrival.quarantine_id is not None and arrival.problem
        item = docs.quarantine.get(arrival.quarantine_id)
        assert item.reason == reason
        assert docs.quarantine.package(item.id) == data
    no_files = docs.receive(foreign_package(files=()), transport="file")
    assert docs.quarantine.get(no_files.quarantine_id or 0).reason == "invalid"
    assert docs.incoming.list("H19.04") == []
    assert len(docs.quarantine.list()) == 4
    docs.quarantine.resolve(docs.quarantine.list()[0].id)
    assert len(docs.quarantine.list()) == 3 and len(docs.quarantine.list(include_resolved=True)) == 4


def test_invalid_document_from_a_local_sender_is_returned_with_status_02(province: Installation) -> None:
    docs = documents_for(province, dispatch_now=False)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    doc = docs.issue(cong_van())
    parsed = parse_package(docs.outgoing.package(doc.document_id or ""))
    assert isinstance(parsed, EdocPackage)
    damaged = EdocPackage(parsed.header, parsed.traces, parsed.business,
                          (Attachment.create("cv.pdf", b"%PDF-1.7 damaged on the way"),))
    arrival = docs.receive(build_edoc(damaged, check=False), transport="file")
    assert docs.quarantine.get(arrival.quarantine_id or 0).reason == "invalid"
    docs.dispatch()
    returned = [e for e in docs.statuses.history(doc.document_id or "")
                if e.direction == "received" and e.status == "02"]
    assert len(returned) == 1 and returned[0].agency == "H19.04"
    assert "không đọc được" in (returned[0].description or "")


def test_duplicate_arrival_is_not_registered_twice(docs: DocumentService) -> None:
    data = foreign_package()
    first = docs.receive(data, transport="file")
    second = docs.receive(data, transport="mail")
    assert len(first.entries) == 1 and second.entries == () and second.duplicates == ("H19.04",)
    assert docs.quarantine.get(second.quarantine_id or 0).reason == "duplicate"
    assert len(docs.incoming.list("H19.04")) == 1


def test_package_carried_by_mail_is_recognised_and_arrives(docs: DocumentService) -> None:
    data = foreign_package(number="16")
    raw = compose_package_mail(data, kind=PackageKind.EDOC, document_id="H47.05,2026/03/05,16/SNV-VP",
                               sender_address="snv@khanhhoa.gov.vn", recipient_address="stttt@dongnai.gov.vn")
    assert recognise_incoming_mail(raw) == data
    plain_mail = b"From: a@b.vn\r\nTo: stttt@dongnai.gov.vn\r\nSubject: hi\r\n\r\nXin chao\r\n"
    assert recognise_incoming_mail(plain_mail) is None
    assert accept_mail(docs.receive, plain_mail) is None
    arrival = accept_mail(docs.receive, raw)
    assert arrival is not None and len(arrival.entries) == 1


def test_mail_transport_submits_to_the_official_address(docs: DocumentService) -> None:
    sent: list[tuple[str, list[str], bytes]] = []
    transport = MailTransport(docs.ctx, lambda s, r, m: sent.append((s, r, m)))
    transport.deliver(OutgoingPackage(1, PackageKind.EDOC, "H47.05,2026/03/05,17/SNV-VP", "H19.01", "H19.04",
                                      foreign_package(number="17")))
    (sender, recipients, message), = sent
    assert sender == "vpubnd@dongnai.gov.vn" and recipients == ["stttt@dongnai.gov.vn"]
    assert b"17-SNV-VP.edxml" in message
    arrival = accept_mail(docs.receive, message, for_agency="H19.04")
    assert arrival is not None and arrival.entries[0].number == "17/SNV-VP"
