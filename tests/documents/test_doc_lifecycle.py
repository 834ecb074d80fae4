"""The life of a document at its receiver, reported back to the sender; recall; statuses that do not fit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from docmaterial import cong_van

from congvu.clerical.status_codes import StatusCode
from congvu.documents.packages import build_status_message
from congvu.documents.service import DocumentService
from congvu.edxml.model import Organization
from congvu.errors import Conflict


def test_arrival_register_assign_progress_done(docs: DocumentService) -> None:
    sent = docs.issue(cong_van(kinh_gui=("H19.04", "H19.18"), urgency="Hỏa tốc", due_date=date(2030, 1, 15)))
    assert sent.document_id
    one, = docs.incoming.list("H19.04")
    two, = docs.incoming.list("H19.18")
    assert one.urgency == 3 and one.due_date == date(2030, 1, 15)
    assert docs.register(two.id).arrival_number == 1
    registered = docs.register(one.id)
    assert registered.arrival_number == 1 and registered.arrival_date == docs.ctx.today()
    with pytest.raises(Conflict):
        docs.register(one.id)
    assigned = docs.assign(one.id, to_unit="Phòng Công nghệ thông tin", to_person="lannt@dongnai.gov.vn",
                           instruction="Tham mưu văn bản trả lời", deadline=date(2030, 1, 10))
    assert assigned.status == "04" and assigned.handler == "Phòng Công nghệ thông tin / lannt@dongnai.gov.vn"
    assert docs.start(one.id, note="Đang dự thảo").status == "05"
    assert docs.done(one.id, note="Đã trả lời").status == "06"
    with pytest.raises(Conflict):
        docs.start(one.id)
    by_agency = {r.agency: r for r in docs.outgoing.status(sent.document_id)}
    assert by_agency["H19.04"].status == "06"
    assert by_agency["H19.18"].status == "03"
    history = [(e.direction, e.agency, e.status) for e in docs.statuses.history(sent.document_id)]
    received = [(a, s) for d, a, s in history if d == "received"]
    assert received.count(("H19.04", "01")) == 1
    assert [s for a, s in received if a == "H19.04"] == ["01", "03", "04", "05", "06"]
    assignment = [e for e in docs.statuses.history(sent.document_id) if e.status == "04" and e.direction == "received"]
    assert "Tham mưu văn bản trả lời" in (assignment[0].description or "")


def test_second_incoming_document_takes_the_next_arrival_number(docs: DocumentService) -> None:
    docs.profiles.set_place("H19.18", "Biên Hòa")
    docs.issue(cong_van())
    docs.issue(cong_van(agency="H19.18", drafting_unit="VP"))
    entries = docs.incoming.list("H19.04")
    numbers = [docs.register(e.id).arrival_number for e in entries]
    assert numbers == [1, 2]
    assert [e.arrival_number for e in docs.incoming.list("H19.04")] == [1, 2]


def test_reject_goes_back_with_the_reason(docs: DocumentService) -> None:
    sent = docs.issue(cong_van())
    entry, = docs.incoming.list("H19.04")
    docs.reject(entry.id, reason="Gửi nhầm nơi nhận")
    status, = docs.outgoing.status(sent.document_id or "")
    assert status.status == "02" and status.description == "Gửi nhầm nơi nhận"


def test_recall_asks_each_recipient_and_accept_cancels_the_copy(docs: DocumentService) -> None:
    sent = docs.issue(cong_van(kinh_gui=("H19.04", "H19.18")))
    assert sent.document_id
    a, = docs.incoming.list("H19.04")
    b, = docs.incoming.list("H19.18")
    docs.register(a.id)
    recalled = docs.recall(sent.document_id, reason="Sai số liệu ở mục 2")
    assert recalled.state.value == "recalled" and recalled.recalled_at is not None
    assert docs.incoming.get(a.id).status == "13"
    refused = docs.answer_recall(b.id, accept=False, note="Đã triển khai")
    assert refused.status == "01" and not refused.cancelled
    accepted = docs.answer_recall(a.id, accept=True)
    assert accepted.cancelled and accepted.files == ()
    assert docs.incoming.get(a.id).files == ()
    by_agency = {r.agency: r for r in docs.outgoing.status(sent.document_id)}
    assert by_agency["H19.04"].status == "15" and by_agency["H19.18"].status == "16"
    with pytest.raises(Conflict):
        docs.recall(sent.document_id, reason="lần nữa")


def test_status_for_a_document_never_sent_is_quarantined(docs: DocumentService) -> None:
    reporter = Organization("H47.05", "", "Sở Nội vụ tỉnh Khánh Hòa")
    package = build_status_message("H19.01,2026/03/05,99/VPUBND-TTTH", reporter, StatusCode.ACCEPTED,
                                   at=datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    arrival = docs.receive(package, transport="file")
    assert not arrival.accepted and arrival.quarantine_id is not None
    item = docs.quarantine.get(arrival.quarantine_id)
    assert item.reason == "unknown_document" and "chưa từng gửi" in item.message
    assert docs.quarantine.package(item.id) == package


def test_status_from_an_agency_that_was_not_a_recipient(docs: DocumentService) -> None:
    sent = docs.issue(cong_van())
    stranger = Organization("H19.31", "", "UBND huyện Thống Nhất")
    package = build_status_message(sent.document_id or "", stranger, StatusCode.DONE,
                                   at=datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    arrival = docs.receive(package, transport="file")
    assert arrival.quarantine_id is not None
    assert docs.quarantine.get(arrival.quarantine_id).reason == "unexpected_status"
    status, = docs.outgoing.status(sent.document_id or "")
    assert status.status == "01"


def test_same_status_twice_is_recorded_once(docs: DocumentService) -> None:
    sent = docs.issue(cong_van())
    reporter = Organization("H19.04", "", "Sở Thông tin và Truyền thông")
    package = build_status_message(sent.document_id or "", reporter, StatusCode.PROCESSING,
                                   at=datetime(2030, 3, 6, 8, 0, tzinfo=UTC))
    assert docs.receive(package, transport="file").status_applied
    again = docs.receive(package, transport="file")
    assert not again.status_applied and again.duplicates == ("H19.04",)
    events = [e for e in docs.statuses.history(sent.document_id or "") if e.status == "05"]
    assert len(events) == 1
