"""``/api/v1/documents``: registers with filters, an incoming document's handling, issuing and following an
outgoing one, overdue list, dashboard, files and edXML, the token's scope, and the same answers as the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from docapi_harness import DocProvince, auth, doc_province, issue_body
from web_helpers import Browser

from congvu.cli.main import main
from congvu.installation import Installation


@pytest.fixture
def docp(installation: Installation) -> DocProvince:
    return doc_province(installation)


def cli(capsys: pytest.CaptureFixture[str], inst: Installation, *args: str) -> object:
    code = main([*args, "--data", str(inst.settings.data.root), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_issue_handle_and_follow_a_document_like_the_cli(browser: Callable[..., Browser], docp: DocProvince,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    api = browser().client
    h = auth(docp.province_token)
    issued = api.post("/api/v1/documents/outgoing", json=issue_body("H19.04", ["H19.05"]), headers=h)
    assert issued.status_code == 201, issued.text
    doc = issued.json()
    document_id = doc["document_id"]
    assert doc["number"] == "01/STTTT-VP" and document_id.startswith("H19.04,")
    assert [r["agency"] for r in doc["recipients"]] == ["H19.05"]
    assert [f["role"] for f in doc["files"]] == ["main", "appendix"]

    listed = api.get("/api/v1/documents/incoming", params={"agency": "H19.05"}, headers=h).json()
    assert listed["total"] == 1
    entry = listed["items"][0]
    assert {k: entry[k] for k in ("arrival_number", "number", "from", "status")} == {
        "arrival_number": None, "number": "01/STTTT-VP", "from": "H19.04", "status": "01"}
    assert cli(capsys, docp.inst, "doc", "incoming", "--agency", "H19.05") == listed["items"]

    def hits(**params: str) -> int:
        found = api.get("/api/v1/documents/incoming", params={"agency": "H19.05", **params}, headers=h)
        assert found.status_code == 200, found.text
        return int(found.json()["total"])

    today = date.today()
    assert hits(q="trien khai thu dien tu") == 1 and hits(q="stttt") == 1 and hits(q="ngân sách") == 0
    assert hits(status="01") == 1 and hits(status="03") == 0
    assert hits(**{"from": (today - timedelta(days=2)).isoformat(), "to": (today + timedelta(days=2)).isoformat()}) == 1
    assert hits(**{"from": (today + timedelta(days=5)).isoformat()}) == 0
    assert cli(capsys, docp.inst, "doc", "incoming", "--agency", "H19.05", "--q", "TRIEN KHAI", "--status",
               "01") == listed["items"]
    assert cli(capsys, docp.inst, "doc", "incoming", "--agency", "H19.05", "--q", "ngân sách") == []

    base = f"/api/v1/documents/incoming/{entry['id']}"
    registered = api.post(f"{base}/register", headers=h).json()
    assert registered["arrival_number"] == 1 and registered["status"] == "03"
    late = (today - timedelta(days=1)).isoformat()
    assigned = api.post(f"{base}/assign", json={"unit": "Phòng Kế hoạch", "instruction": "Tham mưu",
                                                "deadline": late}, headers=h).json()
    assert assigned["status"] == "04" and assigned["handler"] == "Phòng Kế hoạch"
    late_list = api.get("/api/v1/documents/H19.05/overdue", headers=h).json()
    assert [e["id"] for e in late_list] == [entry["id"]]
    assert cli(capsys, docp.inst, "doc", "overdue", "--agency", "H19.05") == late_list
    board = api.get("/api/v1/documents/H19.05/dashboard", headers=h).json()
    assert board["incoming_total"] == 1 and board["overdue"] == 1 and board["incoming_by_status"] == {"04": 1}
    assert cli(capsys, docp.inst, "doc", "dashboard", "--agency", "H19.05") == board
    assert api.post(f"{base}/start", json={"note": "Đang xử lý"}, headers=h).json()["status"] == "05"
    assert api.post(f"{base}/done", headers=h).json()["status"] == "06"
    assert api.post(f"{base}/done", headers=h).status_code == 409

    status = api.get(f"/api/v1/documents/outgoing/{document_id}/status", headers=h).json()
    assert [(s["agency"], s["status"], s["status_name"]) for s in status] == [("H19.05", "06", "Hoàn thành")]
    assert cli(capsys, docp.inst, "doc", "status", document_id) == status
    shown = api.get(f"/api/v1/documents/outgoing/{document_id}", headers=h).json()
    assert shown["recipients"] == status
    outgoing = api.get("/api/v1/documents/outgoing", params={"agency": "H19.04", "q": "TRIEN KHAI"}, headers=h)
    assert outgoing.json()["total"] == 1 and outgoing.json()["items"][0] == shown
    assert cli(capsys, docp.inst, "doc", "outgoing", "--agency", "H19.04", "--q", "trien khai") == [shown]

    full = api.get(base, headers=h).json()
    main_file = full["files"][0]
    got = api.get(f"{base}/files/{main_file['id']}", headers=h)
    assert got.status_code == 200 and got.content.startswith(b"%PDF") and len(got.content) == main_file["size"]
    assert got.headers["content-type"] == "application/pdf"
    appendix = shown["files"][1]
    sent_file = api.get(f"/api/v1/documents/outgoing/{document_id}/files/{appendix['id']}", headers=h)
    assert sent_file.status_code == 200 and sent_file.content.startswith(b"%PDF")
    for url in (f"{base}/edxml", f"/api/v1/documents/outgoing/{document_id}/edxml"):
        package = api.get(url, headers=h)
        assert package.status_code == 200 and package.content.startswith(b"<?xml") and b"edXML" in package.content
    assert api.get(f"{base}/files/999999", headers=h).status_code == 404


def test_recall_reject_and_errors(browser: Callable[..., Browser], docp: DocProvince) -> None:
    api = browser().client
    h = auth(docp.province_token)
    document_id = api.post("/api/v1/documents/outgoing", json=issue_body("H19.04", ["H19.05", "H19.04.01"]),
                           headers=h).json()["document_id"]
    entries = {e["agency"]: e for agency in ("H19.05", "H19.04.01") for e in api.get(
        "/api/v1/documents/incoming", params={"agency": agency}, headers=h).json()["items"]}
    refused = api.post(f"/api/v1/documents/incoming/{entries['H19.04.01']['id']}/reject",
                       json={"reason": "Không đúng thẩm quyền"}, headers=h).json()
    assert refused["status"] == "02"
    recalled = api.post(f"/api/v1/documents/outgoing/{document_id}/recall", json={"reason": "Sai trích yếu"},
                        headers=h).json()
    assert recalled["state"] == "recalled" and recalled["recalled_at"]
    entry_id = entries["H19.05"]["id"]
    assert api.get(f"/api/v1/documents/incoming/{entry_id}", headers=h).json()["status"] == "13"
    answered = api.post(f"/api/v1/documents/incoming/{entry_id}/recall-answer", json={"accept": True},
                        headers=h).json()
    assert answered["cancelled"] and answered["status"] == "15" and answered["files"] == []

    secret = api.post("/api/v1/documents/outgoing", json=issue_body("H19.04", ["H19.05"], secrecy="Mật"),
                      headers=h)
    assert secret.status_code == 422
    assert "bí mật nhà nước" in secret.json()["error"]["message"] and secret.json()["error"]["field"] == "secrecy"
    bad = issue_body("H19.04", ["H19.05"], file={"filename": "x.pdf", "data_base64": "không phải base64"})
    assert api.post("/api/v1/documents/outgoing", json=bad, headers=h).status_code == 400
    unknown = api.post("/api/v1/documents/outgoing", json=issue_body("H19.04", ["H19.77"]), headers=h)
    assert unknown.status_code in (400, 404) and "H19.77" in unknown.json()["error"]["message"]
    assert api.get("/api/v1/documents/outgoing/H19.04,2026/01/01,99/STTTT-VP", headers=h).status_code == 404
    assert api.get("/api/v1/documents/incoming", params={"agency": "H19.05"}).status_code == 401


def test_a_token_sees_only_its_agencies(browser: Callable[..., Browser], docp: DocProvince) -> None:
    api = browser().client
    whole = auth(docp.province_token)
    own = auth(docp.agency_token)
    theirs = api.post("/api/v1/documents/outgoing", json=issue_body("H19.05", ["H19.04"]), headers=whole).json()
    mine = api.post("/api/v1/documents/outgoing", json=issue_body("H19.04", ["H19.05"]), headers=own)
    assert mine.status_code == 201, mine.text
    their_entry = api.get("/api/v1/documents/incoming", params={"agency": "H19.05"}, headers=whole).json()["items"][0]
    my_entry = api.get("/api/v1/documents/incoming", params={"agency": "H19.04"}, headers=own).json()["items"][0]
    assert my_entry["document_id"] == theirs["document_id"]
    assert api.post(f"/api/v1/documents/incoming/{my_entry['id']}/register", headers=own).status_code == 200

    for params in ({"agency": "H19.05"}, {"agency": "H19"}):
        denied = api.get("/api/v1/documents/incoming", params=params, headers=own)
        assert denied.status_code == 403 and "ngoài phạm vi" in denied.json()["error"]["message"]
        assert api.get("/api/v1/documents/outgoing", params=params, headers=own).status_code == 403
    for url in ("/api/v1/documents/H19.05/overdue", "/api/v1/documents/H19.05/dashboard"):
        assert api.get(url, headers=own).status_code == 403
    assert api.post("/api/v1/documents/outgoing", json=issue_body("H19.05", ["H19.04"]),
                    headers=own).status_code == 403
    hidden = f"/api/v1/documents/incoming/{their_entry['id']}"
    for response in (api.get(hidden, headers=own), api.post(f"{hidden}/register", headers=own),
                     api.get(f"{hidden}/edxml", headers=own), api.get(f"{hidden}/files/1", headers=own)):
        assert response.status_code == 404
        assert theirs["subject"] not in response.text and "H19.05" not in response.text
    their_doc = f"/api/v1/documents/outgoing/{theirs['document_id']}"
    for response in (api.get(their_doc, headers=own), api.get(f"{their_doc}/status", headers=own),
                     api.get(f"{their_doc}/edxml", headers=own),
                     api.post(f"{their_doc}/recall", json={"reason": "x"}, headers=own)):
        assert response.status_code == 404
    assert api.get(hidden, headers=whole).status_code == 200


def test_openapi_lists_the_document_endpoints(browser: Callable[..., Browser], docp: DocProvince) -> None:
    paths = browser().client.get("/api/v1/openapi.json").json()["paths"]
    expected = {"/documents/incoming", "/documents/incoming/{entry_id}", "/documents/incoming/{entry_id}/register",
                "/documents/incoming/{entry_id}/assign", "/documents/incoming/{entry_id}/start",
                "/documents/incoming/{entry_id}/done", "/documents/incoming/{entry_id}/reject",
                "/documents/incoming/{entry_id}/recall-answer", "/documents/incoming/{entry_id}/files/{file_id}",
                "/documents/incoming/{entry_id}/edxml", "/documents/outgoing", "/documents/outgoing/{document_id}",
                "/documents/outgoing/{document_id}/status", "/documents/outgoing/{document_id}/recall",
                "/documents/outgoing/{document_id}/files/{file_id}", "/documents/outgoing/{document_id}/edxml",
                "/documents/{agency}/overdue", "/documents/{agency}/dashboard"}
    assert expected <= set(paths)
    assert "post" in paths["/documents/outgoing"] and "422" in paths["/documents/outgoing"]["post"]["responses"]
