"""Webmail reading: the folder list and message list, a Vietnamese message, HTML made safe, pictures from other
sites held back, legacy TCVN3 text, attachments downloaded under safe names, search without diacritics, and
nothing of another person's or agency's mail reachable by id."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from mail_helpers import AGENCY_MAILBOX, People, make_people, message_links
from web_helpers import PASSWORD, Browser, Province

from congvu.mail.compose import Attachment
from congvu.vntext.legacy import LegacyEncoding, encode_legacy


@pytest.fixture
def people(province: Province) -> People:
    return make_people(province)


def test_read_vietnamese_message_with_hostile_html(browser: Callable[..., Browser], people: People) -> None:
    uid = people.deliver(
        people.clerk, "Công văn số 12/STTTT về thư điện tử công vụ", "Kính gửi anh Dũng.",
        sender=('<script>alert("ten")</script> Phòng Hành chính', "hanhchinh@dongnai.gov.vn"),
        html='<p style="color:#b00;position:fixed;top:0">Kính gửi <b>anh Dũng</b>,</p>'
             '<script>alert(1)</script><img src="https://theo-doi.example/p.gif" onerror="alert(2)">'
             '<a href="javascript:alert(3)">bấm</a><a href="https://dongnai.gov.vn/van-ban">văn bản</a>'
             '<iframe src="https://x.example"></iframe><form action="https://x.example"><input name=p></form>')
    person = browser()
    person.sign_in(people.clerk, PASSWORD)
    inbox = people.folder(people.clerk)
    listing = person.get("/thu", follow_redirects=True)
    assert listing.status_code == 200 and str(listing.url).endswith(f"/thu/muc/{inbox}")
    assert "Công văn số 12/STTTT về thư điện tử công vụ" in listing.text
    assert "&lt;script&gt;alert(&#34;ten&#34;)&lt;/script&gt; Phòng Hành chính" in listing.text
    assert '<script>alert("ten")' not in listing.text
    assert 'class="msg unread"' in listing.text
    assert message_links(listing.text, inbox) == [f"/thu/muc/{inbox}/{uid}"]

    page = person.get(f"/thu/muc/{inbox}/{uid}")
    assert page.status_code == 200
    body = re.search(r'<div class="mail-body" lang="vi">(.*?)</div>\n', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert '<p style="color:#b00">Kính gửi <b>anh Dũng</b>,</p>' in body
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<form", "<input", "position", "theo-doi"):
        assert bad not in body, bad
    assert 'href="https://dongnai.gov.vn/van-ban" target="_blank" rel="noopener noreferrer nofollow"' in body
    assert "Đã chặn 1 ảnh" in page.text
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data:;" in csp and "script-src 'self'" in csp and "'unsafe-inline'" in csp
    assert "style-src-attr 'unsafe-inline'" in csp and "style-src 'self';" in csp

    shown = person.get(f"/thu/muc/{inbox}/{uid}?images=1")
    assert '<img src="https://theo-doi.example/p.gif">' in shown.text
    assert "https:" in shown.headers["content-security-policy"]
    assert "\\Seen" in people.flags(people.clerk)[0]
    assert [e["protocol"] for e in people.usage("inbox_check")] == ["web"]


def test_attachments_download_with_safe_names(browser: Callable[..., Browser], people: People) -> None:
    uid = people.deliver(people.clerk, "Tài liệu họp", attachments=[
        Attachment("../../etc/hoá đơn\u202efdp.exe", "application/pdf", b"%PDF-1.7 noi dung"),
        Attachment("trang.html", "text/html", b"<script>alert(1)</script>"),
        Attachment("anh.png", "image/png", b"\x89PNG\r\n\x1a\nfake")])
    person = browser()
    person.sign_in(people.clerk, PASSWORD)
    inbox = people.folder(people.clerk)
    page = person.get(f"/thu/muc/{inbox}/{uid}")
    parts = re.findall(rf'href="/thu/muc/{inbox}/{uid}/tep/([\d.]+)"', page.text)
    assert len(parts) == 3 and "3 tệp đính kèm" in page.text
    pdf = person.get(f"/thu/muc/{inbox}/{uid}/tep/{parts[0]}")
    assert pdf.content == b"%PDF-1.7 noi dung"
    assert pdf.headers["content-type"] == "application/octet-stream"
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="hoa donfdp.exe"')
    assert "filename*=UTF-8''ho%C3%A1%20%C4%91%C6%A1nfdp.exe" in disposition
    assert "/" not in disposition.split("filename*=")[1] and "\u202e" not in disposition
    html = person.get(f"/thu/muc/{inbox}/{uid}/tep/{parts[1]}?inline=1")
    assert html.headers["content-type"] == "application/octet-stream"  # never rendered as our page
    assert html.headers["content-disposition"].startswith("attachment;")
    picture = person.get(f"/thu/muc/{inbox}/{uid}/tep/{parts[2]}?inline=1")
    assert picture.headers["content-type"] == "image/png"
    assert picture.headers["content-disposition"].startswith("inline")
    assert person.get(f"/thu/muc/{inbox}/{uid}/tep/9").status_code == 404
    raw = person.get(f"/thu/muc/{inbox}/{uid}/goc")
    assert raw.headers["content-type"] == "message/rfc822" and b"Subject:" in raw.content


def test_legacy_tcvn3_text_is_shown_in_unicode(browser: Callable[..., Browser], people: People) -> None:
    text = "Kính gửi các đơn vị, đề nghị báo cáo tình hình sử dụng thư điện tử công vụ trong tháng."
    raw = (b"From: vanphong@dongnai.gov.vn\r\nTo: " + people.clerk.encode() + b"\r\nSubject: Bao cao\r\n"
           b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           + encode_legacy(text, LegacyEncoding.TCVN3) + b"\r\n")
    uid = people.deliver(people.clerk, "", raw=raw)
    person = browser()
    person.sign_in(people.clerk, PASSWORD)
    page = person.get(f"/thu/muc/{people.folder(people.clerk)}/{uid}")
    assert text in page.text and "TCVN3 (ABC)" in page.text


def test_search_without_diacritics_and_sorting(browser: Callable[..., Browser], people: People) -> None:
    people.deliver(people.clerk, "Công văn số 45 về lịch công tác", sender=("Bùi Văn An", "anbv@dongnai.gov.vn"))
    people.deliver(people.clerk, "Giấy mời họp giao ban", "Mời dự họp.", sender=("Lý Thị Cúc", "cuclt@dongnai.gov.vn"))
    people.deliver(people.clerk, "Thông báo nghỉ lễ", "Theo công văn của tỉnh.")
    person = browser()
    person.sign_in(people.clerk, PASSWORD)
    inbox = people.folder(people.clerk)
    found = person.get(f"/thu/muc/{inbox}", params={"q": "cong van"})
    assert "Công văn số 45" in found.text and "Thông báo nghỉ lễ" in found.text  # subject and body
    assert "Giấy mời" not in found.text and "Tìm thấy 2 thư" in found.text
    assert "Giấy mời" in person.get(f"/thu/muc/{inbox}", params={"q": "CÚC"}).text  # sender, any case
    by_sender = person.get(f"/thu/muc/{inbox}", params={"sort": "from", "order": "asc"}).text
    assert by_sender.index("Bùi Văn An") < by_sender.index("Lý Thị Cúc") < by_sender.index("Trần Văn Vinh")
    assert "Không có thư nào khớp" in person.get(f"/thu/muc/{inbox}", params={"q": "khong co gi"}).text
    me = people.account_id(people.clerk)
    for _ in range(4):  # 3 → 48 messages, then three more: 51 (paging is by 50)
        people.inst.mailstore.copy(me, inbox, range(1, 10**6), inbox)
    people.deliver(people.clerk, "Thư thứ 49")
    people.deliver(people.clerk, "Thư mới nhất")
    people.deliver(people.clerk, "Thư mới nhất nữa")
    first = person.get(f"/thu/muc/{inbox}").text
    assert first.count('<li class="msg') == 50 and "Trang 1 / 2" in first and f"/thu/muc/{inbox}?page=2" in first
    assert first.index("Thư mới nhất nữa") < first.index("Thư mới nhất<")  # newest first, even within a second
    second = person.get(f"/thu/muc/{inbox}", params={"page": "2"}).text
    assert second.count('<li class="msg') == 1 and "Trang 2 / 2" in second


def test_clerk_sees_the_agency_mailbox_and_nobody_else_does(browser: Callable[..., Browser], people: People) -> None:
    agency_uid = people.deliver(AGENCY_MAILBOX, "Văn bản đến của Sở", attachments=[
        Attachment("van-ban.pdf", "application/pdf", b"%PDF")])
    private_uid = people.deliver(people.clerk, "Thư riêng của anh Dũng")
    agency_inbox = people.folder(AGENCY_MAILBOX)
    clerk_inbox = people.folder(people.clerk)
    clerk = browser()
    clerk.sign_in(people.clerk, PASSWORD)
    listing = clerk.get(f"/thu/muc/{clerk_inbox}").text
    assert "Sở Thông tin và Truyền thông" in listing and f'href="/thu/muc/{agency_inbox}"' in listing
    shared = clerk.get(f"/thu/muc/{agency_inbox}")
    assert shared.status_code == 200 and "Văn bản đến của Sở" in shared.text and AGENCY_MAILBOX in shared.text
    assert clerk.get(f"/thu/muc/{agency_inbox}/{agency_uid}").status_code == 200
    assert "\\Seen" not in people.flags(AGENCY_MAILBOX)[0]  # read by this clerk only (per-user \Seen)
    clerk_view = people.inst.mailstore.snapshot(people.account_id(people.clerk), agency_inbox).messages[0]
    assert "\\Seen" in clerk_view.flags
    compose = clerk.get("/thu/soan").text
    assert f'<option value="{AGENCY_MAILBOX}"' in compose  # may send as the agency

    for outsider in (people.colleague, people.admin):  # another agency; the agency's administrator, not clerk
        other = browser()
        other.sign_in(outsider, PASSWORD)
        assert f'href="/thu/muc/{agency_inbox}"' not in other.get("/thu", follow_redirects=True).text
        for url in (f"/thu/muc/{agency_inbox}", f"/thu/muc/{agency_inbox}/{agency_uid}",
                    f"/thu/muc/{agency_inbox}/{agency_uid}/tep/2", f"/thu/muc/{agency_inbox}/{agency_uid}/goc",
                    f"/thu/muc/{clerk_inbox}/{private_uid}", f"/thu/soan?mode=forward&folder={clerk_inbox}"
                                                             f"&uid={private_uid}"):
            answer = other.get(url)
            # The agency's administrator may grant access to the agency mailbox (IMAP right "a") but not read it:
            # they are told so; anyone else is told it does not exist.
            refused = 403 if outsider == people.admin and url.startswith(f"/thu/muc/{agency_inbox}") else 404
            assert answer.status_code == refused, url
            assert "Văn bản đến của Sở" not in answer.text and "Thư riêng" not in answer.text
        moved = other.post(f"/thu/muc/{clerk_inbox}/thao-tac", {"action": "delete", "uid": str(private_uid)})
        assert moved.status_code == 303
        assert len(people.messages(people.clerk)) == 1  # untouched
        assert f'<option value="{AGENCY_MAILBOX}"' not in other.get("/thu/soan").text
