"""Searching an agency's registers without diacritics, the overdue list and the dashboard figures."""

from __future__ import annotations

from datetime import timedelta

from docmaterial import cong_van

from congvu.documents.search import RegisterQuery, dashboard, overdue, search_incoming, search_outgoing
from congvu.documents.service import DocumentService


def test_search_registers_without_diacritics(docs: DocumentService) -> None:
    first = docs.issue(cong_van(subject="V/v tăng cường sử dụng thư điện tử công vụ"))
    docs.issue(cong_van(subject="V/v báo cáo tình hình ứng dụng công nghệ thông tin"))
    found = search_incoming(docs, RegisterQuery(agency="H19.04", q="tang cuong thu dien tu"))
    assert [e.document_id for e in found.items] == [first.document_id] and found.total == 1
    assert search_incoming(docs, RegisterQuery(agency="H19.04", q="VĂN PHÒNG")).total == 2  # sender's name
    assert search_incoming(docs, RegisterQuery(agency="H19.04", q=first.number or "")).total == 1
    assert search_incoming(docs, RegisterQuery(agency="H19.04", q="khong co")).total == 0
    outgoing = search_outgoing(docs, RegisterQuery(agency="H19.01", q="bao cao"))
    assert outgoing.total == 1 and "báo cáo" in outgoing.items[0].subject
    assert search_outgoing(docs, RegisterQuery(agency="H19.01", q="thong tin truyen thong")).total == 2
    assert search_outgoing(docs, RegisterQuery(agency="H19.01", status="draft")).total == 0
    paged = search_outgoing(docs, RegisterQuery(agency="H19.01", limit=1, offset=1))
    assert paged.total == 2 and len(paged.items) == 1


def test_overdue_and_dashboard(docs: DocumentService) -> None:
    today = docs.ctx.today()
    docs.issue(cong_van(subject="Quá hạn", due_date=today + timedelta(days=1)))
    docs.issue(cong_van(subject="Sắp đến hạn", due_date=today + timedelta(days=3)))
    docs.issue(cong_van(subject="Không hạn"))
    late, soon, _unbounded = docs.incoming.list("H19.04")
    docs.register(late.id)
    docs.register(soon.id)
    later = today + timedelta(days=2)
    assert overdue(docs, "H19.04", today) == []
    assert [e.subject for e in overdue(docs, "H19.04", later)] == ["Quá hạn"]
    docs.assign(late.id, to_unit="Phòng CNTT", instruction="Xử lý", deadline=today + timedelta(days=10))
    assert overdue(docs, "H19.04", later) == []  # the handling deadline set at assignment counts
    much_later = today + timedelta(days=11)
    assert [e.subject for e in overdue(docs, "H19.04", much_later)] == ["Sắp đến hạn", "Quá hạn"]
    docs.done(late.id)
    board = dashboard(docs, "H19.04", today)
    assert board.incoming_total == 3 and board.waiting_registration == 1
    assert board.incoming_by_status == {"01": 1, "03": 1, "06": 1}
    assert board.open_incoming == 2 and board.overdue == 0 and board.due_within_3_days == 1
    sender = dashboard(docs, "H19.01", today)
    assert sender.outgoing_issued == 3 and sender.recipients_pending == 1
    assert sender.by_month[-1] == (today.month, 0, 3)
