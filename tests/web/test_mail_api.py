"""Mail in ``/api/v1``: a token acts as its creator's mailbox — folders, a page of messages, one message
(sanitised), sending; another person's folder is not found; a missing token is refused."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest
from mail_helpers import People, make_people
from web_helpers import PASSWORD, Browser, Province


def issue_token(person: Browser, name: str, agency: str) -> str:
    person.get("/quan-tri/api-token")
    shown = person.post("/quan-tri/api-token", {"name": name, "agency": agency, "valid_days": "30"})
    assert shown.status_code == 200, shown.text
    return re.search(r'<p class="secret-box"><code>(cv_[^<]+)</code>', shown.text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def people(province: Province) -> People:
    return make_people(province)


def test_mail_api_lists_reads_and_sends(browser: Callable[..., Browser], people: People) -> None:
    uid = people.deliver(people.admin, "Công văn hỏa tốc", "Đề nghị xử lý ngay.",
                         html="<p>Đề nghị <b>xử lý</b> ngay.</p><script>alert(1)</script>")
    admin = browser()
    admin.sign_in(people.admin, PASSWORD)
    auth = {"Authorization": f"Bearer {issue_token(admin, 'Phần mềm một cửa', 'H19.04')}"}
    api = browser().client
    assert api.get("/api/v1/mail/folders").status_code == 401

    folders = api.get("/api/v1/mail/folders", headers=auth).json()
    inbox = next(f for f in folders if f["path"] == "INBOX")
    assert inbox["unseen"] == 1 and inbox["mailbox"] == people.admin and not inbox["shared"]
    assert {f["special_use"] for f in folders} >= {"\\Sent", "\\Drafts", "\\Trash", "\\Junk"}
    listed = api.get(f"/api/v1/mail/folders/{inbox['id']}/messages", params={"q": "hoa toc"}, headers=auth).json()
    assert listed["total"] == 1 and listed["items"][0]["subject"] == "Công văn hỏa tốc"
    assert listed["items"][0]["from"] == "Trần Văn Vinh <vinhtv@dongnai.gov.vn>"
    one = api.get(f"/api/v1/mail/folders/{inbox['id']}/messages/{uid}", headers=auth).json()
    assert one["html"] == "<p>Đề nghị <b>xử lý</b> ngay.</p>" and one["from"][0]["name"] == "Trần Văn Vinh"
    assert [e["protocol"] for e in people.usage("inbox_check")] == ["api"]

    clerk_inbox = people.folder(people.clerk)
    assert api.get(f"/api/v1/mail/folders/{clerk_inbox}/messages", headers=auth).status_code == 404
    assert api.get(f"/api/v1/mail/folders/{clerk_inbox}/messages/1", headers=auth).status_code == 404

    sent = api.post("/api/v1/mail/send", headers=auth, json={
        "to": [people.clerk], "subject": "Thông báo từ phần mềm một cửa", "text": "Hồ sơ số 15 đã tiếp nhận.",
        "attachments": [{"filename": "../phieu-tiep-nhan.pdf", "content_type": "application/pdf",
                         "data_base64": base64.b64encode(b"%PDF phieu").decode()}]})
    assert sent.status_code == 201, sent.text
    assert sent.json()["local_mailboxes"] == 1 and sent.json()["sent_uid"] == 1
    (arrived,) = people.messages(people.clerk)
    assert arrived["Subject"] == "Thông báo từ phần mềm một cửa"
    assert [(a.get_filename(), a.get_content()) for a in arrived.iter_attachments()] == [
        ("phieu-tiep-nhan.pdf", b"%PDF phieu")]
    forged = api.post("/api/v1/mail/send", headers=auth, json={"from": people.clerk, "to": [people.clerk],
                                                                "subject": "x"})
    assert forged.status_code == 403 and forged.json()["error"]["field"] == "from"
    unknown = api.post("/api/v1/mail/send", headers=auth, json={"to": ["khongco@dongnai.gov.vn"]})
    assert unknown.status_code == 400 and "khongco@dongnai.gov.vn" in unknown.json()["error"]["message"]
    assert "/mail/send" in api.get("/api/v1/openapi.json").json()["paths"]
