"""Public notices: the HTML page, the Atom feed and the JSON listing of published documents."""

from __future__ import annotations

import pytest
from docmaterial import cong_van
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree

from congvu.documents.publishing import public_router
from congvu.documents.service import DocumentService
from congvu.errors import Conflict


def test_published_documents_are_listed_until_recalled(docs: DocumentService) -> None:
    shown = docs.issue(cong_van(subject="V/v công khai lịch tiếp công dân"))
    hidden = docs.issue(cong_van(subject="V/v nội bộ"))
    docs.publisher.publish(shown.document_id or "")
    app = FastAPI()
    app.include_router(public_router(docs))
    http = TestClient(app)
    listing = http.get("/cong-bo.json").json()
    assert [n["number"] for n in listing] == ["01/VPUBND-TTTH"]
    assert listing[0]["subject"] == "V/v công khai lịch tiếp công dân"
    feed = etree.fromstring(http.get("/cong-bo.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in feed.findall("a:entry/a:title", ns)]
    assert titles == ["Công văn số 01/VPUBND-TTTH: V/v công khai lịch tiếp công dân"]
    page = http.get("/cong-bo").text
    assert "01/VPUBND-TTTH" in page and "nội bộ" not in page
    pdf = http.get(f"/cong-bo/{listing[0]['id']}/tep")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert http.get(f"/cong-bo/{hidden.id}/tep").status_code == 404
    docs.recall(shown.document_id or "", reason="Đính chính")
    assert http.get("/cong-bo.json").json() == []
    with pytest.raises(Conflict):
        docs.publisher.publish(shown.document_id or "")
