"""Webmail writing: a message with an attachment delivered locally and filed in Sent, replies and forwards with
their thread fields, drafts (button and autosave), move, delete and junk, sending as the agency, and refusals
(unknown recipient, someone else's address, an upload over the limit)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from mail_helpers import AGENCY_MAILBOX, People, hidden, make_people
from web_helpers import PASSWORD, Browser, Province

from congvu.delivery.trace_log import TraceQuery
from congvu.mail.compose import Attachment


@pytest.fixture
def people(province: Province) -> People:
    return make_people(province)


def signed_in(browser: Callable[..., Browser], address: str) -> Browser:
    person = browser()
    person.sign_in(address, PASSWORD)
    person.get("/thu/soan")
    return person


def test_compose_with_attachment_is_delivered_and_filed(browser: Callable[..., Browser], people: People) -> None:
    clerk = signed_in(browser, people.clerk)
    sent = clerk.post("/thu/soan", {
        "intent": "send", "from": people.clerk, "to": "Nguyễn Thị Lan <lannt@dongnai.gov.vn>", "cc": "tanlm",
        "bcc": AGENCY_MAILBOX, "subject": "Báo cáo tình hình triển khai tháng 3",
        "body": "Kính gửi chị Lan,\nSở gửi báo cáo kèm theo.\n\nTrân trọng."},
        files=[("files", ("Báo cáo tháng 3.xlsx", b"PK\x03\x04 bang tinh", "application/vnd.ms-excel"))])
    assert sent.status_code == 303, sent.text
    landing = clerk.get(sent.headers["location"])
    assert "Đã gửi thư." in landing.text
    (arrived,) = people.messages(people.colleague)
    assert arrived["Subject"] == "Báo cáo tình hình triển khai tháng 3"
    assert arrived["From"].addresses[0].display_name == "Đỗ Văn Dũng"
    assert arrived["Return-Path"] == f"<{people.clerk}>" and "with HTTP" in arrived["Received"]
    assert arrived["Bcc"] is None
    assert "Sở gửi báo cáo kèm theo." in arrived.get_body(("plain",)).get_content()
    (file,) = list(arrived.iter_attachments())
    assert file.get_filename() == "Báo cáo tháng 3.xlsx" and file.get_content() == b"PK\x03\x04 bang tinh"
    assert len(people.messages(people.admin)) == 1  # Cc by local part
    assert len(people.messages(AGENCY_MAILBOX)) == 1  # Bcc
    (copy,) = people.messages(people.clerk, "Sent")
    assert copy["Bcc"] == AGENCY_MAILBOX and copy["Message-ID"] == arrived["Message-ID"]
    assert "\\Seen" in people.flags(people.clerk, "Sent")[0]
    (event,) = people.usage("send")
    assert event["protocol"] == "web" and event["detail"]["local_mailboxes"] == 3  # type: ignore[index]
    # The message trace tells the administrator where it went, as for a message sent by a mail client.
    people.inst.trace.flush()
    (traced,) = people.inst.trace.search(TraceQuery(message_id=arrived["Message-ID"]))
    assert traced.hops[0].event == "accepted" and traced.hops[0].listener == "web"
    (token,) = traced.trace_ids
    assert token in arrived["Received"]
    assert {h.recipient: h.event for h in traced.hops[1:]} == {
        "lannt@dongnai.gov.vn": "stored", people.admin: "stored", AGENCY_MAILBOX: "stored"}


def test_reply_reply_all_and_forward(browser: Callable[..., Browser], people: People) -> None:
    uid = people.deliver(people.colleague, "Công văn về lịch họp", "Đề nghị các đồng chí dự họp.",
                         sender=("Đỗ Văn Dũng", people.clerk), attachments=[
                             Attachment("Lịch họp.pdf", "application/pdf", b"%PDF lich hop")])
    original = people.messages(people.colleague)[0]
    inbox = people.folder(people.colleague)
    lan = signed_in(browser, people.colleague)

    form = lan.get(f"/thu/soan?mode=reply&folder={inbox}&uid={uid}").text
    assert hidden(form, "in_reply_to") == original["Message-ID"]
    assert 'value="Re: Công văn về lịch họp"' in form and "&gt; Đề nghị các đồng chí dự họp." in form
    assert hidden(form, "to") == f"Đỗ Văn Dũng <{people.clerk}>"
    answer = lan.post("/thu/soan", {
        "intent": "send", "from": people.colleague, "to": hidden(form, "to"), "subject": "Re: Công văn về lịch họp",
        "body": "Tôi sẽ dự.", "mode": "reply", "source_folder": str(inbox), "source_uid": str(uid),
        "in_reply_to": hidden(form, "in_reply_to"), "references": hidden(form, "references")})
    assert answer.status_code == 303, answer.text
    (reply,) = people.messages(people.clerk)
    assert reply["In-Reply-To"] == original["Message-ID"] and reply["References"] == original["Message-ID"]
    assert "\\Answered" in people.flags(people.colleague)[0]

    # reply to all from the clerk's side: the thread grows, the person replying is left out
    clerk = signed_in(browser, people.clerk)
    clerk_inbox = people.folder(people.clerk)
    all_form = clerk.get(f"/thu/soan?mode=reply_all&folder={clerk_inbox}&uid=1").text
    assert people.clerk not in hidden(all_form, "to") and people.colleague in hidden(all_form, "to")
    assert hidden(all_form, "references").split() == [original["Message-ID"], reply["Message-ID"]]

    forward = lan.get(f"/thu/soan?mode=forward&folder={inbox}&uid={uid}").text
    keep = re.findall(r'name="keep" value="([^"]+)"', forward)
    assert len(keep) == 1 and 'value="Fwd: Công văn về lịch họp"' in forward
    assert "Thư chuyển tiếp" in forward
    sent = lan.post("/thu/soan", {
        "intent": "send", "from": people.colleague, "to": people.admin, "subject": "Fwd: Công văn về lịch họp",
        "body": "Chuyển anh Tân.", "keep": keep[0], "mode": "forward", "source_folder": str(inbox),
        "source_uid": str(uid), "references": hidden(forward, "references")})
    assert sent.status_code == 303, sent.text
    (forwarded,) = people.messages(people.admin)
    assert [(a.get_filename(), a.get_content()) for a in forwarded.iter_attachments()] == [
        ("Lịch họp.pdf", b"%PDF lich hop")]
    assert forwarded["References"] == original["Message-ID"] and forwarded["In-Reply-To"] is None
    assert "$Forwarded" in people.flags(people.colleague)[0]


def test_drafts_saved_autosaved_and_sent(browser: Callable[..., Browser], people: People) -> None:
    clerk = signed_in(browser, people.clerk)
    saved = clerk.post("/thu/soan", {"intent": "save", "from": people.clerk, "to": people.colleague,
                                     "subject": "Dự thảo kế hoạch", "body": "Bản nháp thứ nhất."},
                       files=[("files", ("Dự thảo.docx", b"PK du thao", "application/octet-stream"))])
    assert saved.status_code == 303 and "mode=draft" in saved.headers["location"]
    assert "\\Draft" in people.flags(people.clerk, "Drafts")[0]
    page = clerk.get(saved.headers["location"]).text
    assert 'value="Dự thảo kế hoạch"' in page and "Bản nháp thứ nhất." in page and "Dự thảo.docx" in page
    keep = re.findall(r'name="keep" value="([^"]+)"', page)
    draft_uid = hidden(page, "draft_uid")

    auto = clerk.client.post("/thu/soan/luu-nhap", data={
        "csrf": clerk.token, "from": people.clerk, "to": people.colleague, "subject": "Dự thảo kế hoạch (sửa)",
        "body": "Bản nháp thứ hai.", "draft_uid": draft_uid, "keep": keep[0], "mode": "draft"})
    assert auto.status_code == 200, auto.text
    answer = auto.json()
    assert answer["draft_uid"] != int(draft_uid) and [k["name"] for k in answer["keep"]] == ["Dự thảo.docx"]
    (draft,) = people.messages(people.clerk, "Drafts")
    assert draft["Subject"] == "Dự thảo kế hoạch (sửa)"
    assert clerk.client.post("/thu/soan/luu-nhap", data={"csrf": "sai", "from": people.clerk}).status_code == 403

    sent = clerk.post("/thu/soan", {"intent": "send", "from": people.clerk, "to": people.colleague,
                                    "subject": "Kế hoạch", "body": "Bản chính thức.", "mode": "draft",
                                    "draft_uid": str(answer["draft_uid"]), "keep": answer["keep"][0]["ref"]})
    assert sent.status_code == 303, sent.text
    assert people.messages(people.clerk, "Drafts") == []
    (arrived,) = people.messages(people.colleague)
    assert [a.get_filename() for a in arrived.iter_attachments()] == ["Dự thảo.docx"]


def test_move_delete_and_junk(browser: Callable[..., Browser], people: People) -> None:
    first = people.deliver(people.clerk, "Quảng cáo khuyến mãi", sender=("Quảng cáo", "khuyenmai@spam.example"))
    second = people.deliver(people.clerk, "Thư cần lưu")
    third = people.deliver(people.clerk, "Thư cũ")
    clerk = signed_in(browser, people.clerk)
    inbox = people.folder(people.clerk)
    clerk.get(f"/thu/muc/{inbox}")
    assert clerk.post(f"/thu/muc/{inbox}/thao-tac", {"action": "junk", "uid": str(first)}).status_code == 303
    assert [m["Subject"] for m in people.messages(people.clerk, "Junk")] == ["Quảng cáo khuyến mãi"]
    (event,) = people.usage("junk")
    assert event["detail"]["sha256"] and "khuyenmai@spam.example" in event["detail"]["from"]  # type: ignore[index]
    archive = people.folder(people.clerk, "Archive")
    clerk.post(f"/thu/muc/{inbox}/thao-tac", {"action": "move", "uid": str(second), "target": str(archive)})
    clerk.post(f"/thu/muc/{inbox}/thao-tac", {"action": "delete", "uid": str(third), "single": "1"})
    assert people.messages(people.clerk) == []
    assert [m["Subject"] for m in people.messages(people.clerk, "Archive")] == ["Thư cần lưu"]
    assert [m["Subject"] for m in people.messages(people.clerk, "Trash")] == ["Thư cũ"]
    trash = people.folder(people.clerk, "Trash")
    gone = clerk.post(f"/thu/muc/{trash}/thao-tac", {"action": "delete", "uid": "1"})
    assert gone.status_code == 303 and people.messages(people.clerk, "Trash") == []
    junk = people.folder(people.clerk, "Junk")
    clerk.post(f"/thu/muc/{junk}/thao-tac", {"action": "not_junk", "uid": "1"})
    assert [m["Subject"] for m in people.messages(people.clerk)] == ["Quảng cáo khuyến mãi"]
    assert len(people.usage("not_junk")) == 1
    unread = clerk.post(f"/thu/muc/{inbox}/thao-tac", {"action": "unread", "uid": "1"})
    assert unread.status_code == 303 and "\\Seen" not in people.flags(people.clerk)[0]


def test_clerk_sends_as_the_agency(browser: Callable[..., Browser], people: People) -> None:
    clerk = signed_in(browser, people.clerk)
    sent = clerk.post("/thu/soan", {"intent": "send", "from": AGENCY_MAILBOX, "to": people.colleague,
                                    "subject": "V/v phối hợp triển khai", "body": "Sở Thông tin và Truyền thông."})
    assert sent.status_code == 303, sent.text
    (arrived,) = people.messages(people.colleague)
    assert arrived["From"].addresses[0].addr_spec == AGENCY_MAILBOX
    assert [m["Subject"] for m in people.messages(AGENCY_MAILBOX, "Sent")] == ["V/v phối hợp triển khai"]
    assert people.messages(people.clerk, "Sent") == []

    lan = signed_in(browser, people.colleague)
    refused = lan.post("/thu/soan", {"intent": "send", "from": AGENCY_MAILBOX, "to": people.clerk,
                                     "subject": "Mạo danh", "body": "x"})
    assert refused.status_code == 403 and "không được gửi thư với địa chỉ" in refused.text
    assert 'value="Mạo danh"' in refused.text  # the form comes back as typed
    assert people.messages(people.clerk) == []


def test_refusals_keep_the_form(browser: Callable[..., Browser], people: People,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    lan = signed_in(browser, people.colleague)
    unknown = lan.post("/thu/soan", {"intent": "send", "from": people.colleague,
                                     "to": "khongco@dongnai.gov.vn, tanlm", "subject": "<b>Thử</b>",
                                     "body": "<script>alert(1)</script>"})
    assert unknown.status_code == 400 and "khongco@dongnai.gov.vn" in unknown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in unknown.text
    assert people.messages(people.admin) == []  # nothing went to the valid recipient either
    bad = lan.post("/thu/soan", {"intent": "send", "from": people.colleague, "to": "a b c", "subject": "x"})
    assert bad.status_code == 400 and "«a b c» không hợp lệ" in bad.text
    nobody = lan.post("/thu/soan", {"intent": "send", "from": people.colleague, "to": "", "subject": "x"})
    assert nobody.status_code == 400 and "ít nhất một người nhận" in nobody.text

    monkeypatch.setenv("CONGVU_SMTP_MAX_MESSAGE_BYTES", "70000")
    big = lan.post("/thu/soan", {"intent": "send", "from": people.colleague, "to": people.admin, "subject": "Lớn"},
                   files=[("files", ("lon.bin", b"x" * 60000, "application/octet-stream"))])
    assert big.status_code == 400 and "Thư quá lớn" in big.text  # 60 kB grows past 70 kB in base64
    huge = lan.post("/thu/soan", {"intent": "send", "from": people.colleague, "to": people.admin,
                                  "subject": "Rất lớn"},
                    files=[("files", ("rat-lon.bin", b"x" * 1_200_000, "application/octet-stream"))])
    assert huge.status_code == 413 and "Tệp đính kèm quá lớn" in huge.text
    assert people.messages(people.admin) == []


def test_recipient_suggestions(browser: Callable[..., Browser], people: People) -> None:
    people.inst.directory.groups.add("cacso@dongnai.gov.vn", "Các sở, ban, ngành", rule="level=department")
    lan = signed_in(browser, people.colleague)
    found = lan.get("/thu/goi-y", params={"q": "tan"}).json()["items"]
    assert {"address": people.admin, "name": "Lê Minh Tân", "kind": "person", "agency": "Sở Thông tin và Truyền thông",
            "position": None, "detail": "Sở Thông tin và Truyền thông"} in found
    agency = lan.get("/thu/goi-y", params={"q": "thong tin truyen"}).json()["items"]
    assert any(s["address"] == AGENCY_MAILBOX and s["kind"] == "agency" for s in agency)
    groups = lan.get("/thu/goi-y", params={"q": "cac so"}).json()["items"]
    assert [s["address"] for s in groups if s["kind"] == "group"] == ["cacso@dongnai.gov.vn"]
    assert lan.get("/thu/goi-y", params={"q": "t"}).json()["items"] == []
    assert browser().client.get("/thu/goi-y?q=tan", follow_redirects=False).status_code == 303  # signed out
