"""The webmail in a real browser against ``congvu serve``: a clerk signs in, reads a Vietnamese message (and one
written in TCVN3), sees the agency mailbox, writes to a colleague with an attachment picked from the directory
suggestions, and the colleague finds it over IMAPS. Screenshots at desktop and phone widths go to
``test-artifacts/web/`` for people to look at."""

from __future__ import annotations

import email
import email.policy
import imaplib
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from congvu.config.settings import DataDir
from congvu.installation.create import create_installation
from congvu.mail.compose import Attachment, build_message
from congvu.vntext.legacy import LegacyEncoding, encode_legacy

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[3] / "test-artifacts" / "web"
PASSWORD = "Matkhau@2026"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (scripts/test)")


def _legacy_message(to: str) -> bytes:
    text = "Kính gửi các đơn vị,\nVăn phòng UBND tỉnh đề nghị các sở báo cáo tình hình sử dụng thư điện tử công vụ.\n"
    body = encode_legacy(text, LegacyEncoding.TCVN3)
    head = ("From: =?utf-8?q?V=C4=83n_ph=C3=B2ng?= <vanphong@dongnai.gov.vn>\r\nTo: " + to + "\r\n"
            "Subject: Bao cao tinh hinh su dung thu dien tu\r\nDate: Mon, 02 Mar 2026 08:15:00 +0700\r\n"
            "Message-ID: <tcvn3-1@dongnai.gov.vn>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    return head.encode("ascii") + body.replace(b"\n", b"\r\n")


def _seed(data: DataDir) -> None:
    inst = create_installation(data, domain="dongnai.gov.vn", org_name="Ủy ban nhân dân tỉnh Đồng Nai",
                               admin_password=PASSWORD).installation
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.05", name="Sở Tài chính", short_name="STC", level="department", parent="H19")
    lan = d.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.04", position="Văn thư", password=PASSWORD).account
    d.accounts.add(full_name="Trần Văn Vinh", agency="H19", position="Phó Chủ tịch", password=PASSWORD)
    d.accounts.add(full_name="Phạm Minh Tuấn", agency="H19.05", position="Chuyên viên", password=None)
    d.accounts.grant(lan.address, "clerk", agency="H19.04")
    agency = d.accounts.show("stttt@dongnai.gov.vn")
    now = datetime.now(UTC)
    store = inst.mailstore
    samples = [
        (("Trần Văn Vinh", "vinhtv@dongnai.gov.vn"), "Công văn số 6806/UBND-TTTH về triển khai thư điện tử công vụ",
         "Kính gửi chị Lan,\n\nĐề nghị Sở Thông tin và Truyền thông hướng dẫn các đơn vị cài đặt hộp thư "
         "@dongnai.gov.vn trước ngày 15/3.\n\nTrân trọng,\nTrần Văn Vinh", None,
         [Attachment("Công văn 6806-UBND.pdf", "application/pdf", b"%PDF-1.4\n% mau\n" * 400)], 1),
        (("Phạm Minh Tuấn", "tuanpm@dongnai.gov.vn"), "Kế hoạch tập huấn sử dụng hộp thư công vụ quý II",
         "Chào chị,\nPhòng gửi kế hoạch tập huấn, mong chị góp ý.", '<p>Chào chị,</p><p>Phòng gửi <b>kế hoạch tập '
         'huấn</b>, mong chị góp ý.</p><p><img src="https://tracker.example.com/open.gif" alt="">'
         '<script>alert("x")</script></p>', [], 3),
        (("Cổng thông tin điện tử tỉnh", "congttdt@dongnai.gov.vn"), "Bản tin điện tử tuần 9/2026",
         "Bản tin tuần này.", None, [], 30),
    ]
    for sender, subject, text, html, files, hours in samples:
        raw = build_message(from_addr=sender, to=[("Nguyễn Thị Lan", lan.address)], subject=subject, text=text,
                            html=html, attachments=files, date=now - timedelta(hours=hours))
        store.deliver(raw, [lan.id], internal_date=now - timedelta(hours=hours))
    store.deliver(_legacy_message(lan.address), [lan.id], internal_date=now - timedelta(days=2))
    official = build_message(from_addr=("Sở Tài chính", "stc@dongnai.gov.vn"), to=["stttt@dongnai.gov.vn"],
                             subject="V/v đề nghị cung cấp số liệu hộp thư công vụ năm 2025",
                             text="Kính gửi Sở Thông tin và Truyền thông,\nĐề nghị Sở cung cấp số liệu.",
                             date=now - timedelta(hours=5))
    store.deliver(official, [agency.id], internal_date=now - timedelta(hours=5))
    inst.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    data = DataDir(tmp_path_factory.mktemp("webmail-e2e") / "inst")
    _seed(data)
    command = [sys.executable, "-m", "congvu", "serve", "--data", str(data.root), "--host", "127.0.0.1",
               "--http-port", "auto", "--imaps-port", "auto",
               *[arg for name in ("smtp", "submission", "smtps", "imap") for arg in (f"--{name}-port", "0")]]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ports: dict[str, int] = {}
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while len(ports) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"congvu: (\w+) đang nghe tại [\d.]+:(\d+)", line)
            if match:
                ports[match.group(1)] = int(match.group(2))
        assert set(ports) == {"http", "imaps"}, ports
        yield ports
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        yield browser
        browser.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(chromium: object, base: str, address: str, width: int = 1280) -> object:
    context = chromium.new_context(viewport={"width": width, "height": 860}, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/dang-nhap?next=/thu")
    page.fill("input[name=address]", address)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập') >> nth=-1")
    page.wait_for_url("**/thu/muc/**")
    return page


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the installation's self-signed certificate
    return context


def test_clerk_reads_and_writes(served: dict[str, int], chromium: object, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{served['http']}"
    page = sign_in(chromium, base, "lannt@dongnai.gov.vn")
    rows = page.locator("ul.messages li.msg")  # type: ignore[attr-defined]
    assert rows.count() == 4 and page.locator("ul.messages li.unread").count() == 4  # type: ignore[attr-defined]
    side = page.inner_text("aside.mail-side")  # type: ignore[attr-defined]
    assert "Hộp thư đến" in side and "Sở Thông tin và Truyền thông" in side  # the agency mailbox, for the clerk
    shot(page, "10-thu-hop-thu-den")

    page.click("text=Công văn số 6806/UBND-TTTH")  # type: ignore[attr-defined]
    page.wait_for_selector("article.message")  # type: ignore[attr-defined]
    assert "Đề nghị Sở Thông tin và Truyền thông hướng dẫn" in page.inner_text(".mail-body")  # type: ignore[attr-defined]
    assert "Công văn 6806-UBND.pdf" in page.inner_text(".attachments")  # type: ignore[attr-defined]
    shot(page, "11-thu-doc-thu")

    page.goto(f"{base}/thu")  # type: ignore[attr-defined]
    page.click("text=Kế hoạch tập huấn")  # type: ignore[attr-defined]
    assert page.locator(".images-note").count() == 1  # type: ignore[attr-defined]
    assert page.evaluate("document.querySelectorAll('.mail-body script, .mail-body img').length") == 0  # type: ignore[attr-defined]

    page.goto(f"{base}/thu")  # type: ignore[attr-defined]
    page.click("text=Bao cao tinh hinh")  # type: ignore[attr-defined]
    assert "tình hình sử dụng thư điện tử công vụ" in page.inner_text(".mail-body")  # type: ignore[attr-defined]
    assert "TCVN3" in page.inner_text("article.message")  # type: ignore[attr-defined]
    shot(page, "12-thu-tcvn3")

    page.click("aside ul.shared a >> nth=0")  # the agency's inbox  # type: ignore[attr-defined]
    page.wait_for_selector("text=V/v đề nghị cung cấp số liệu")  # type: ignore[attr-defined]
    shot(page, "13-thu-hop-thu-co-quan")

    attachment = tmp_path / "Báo cáo tháng 3.docx"
    attachment.write_bytes(b"PK\x03\x04 bao cao thang 3" * 50)
    page.click("text=Soạn thư")  # type: ignore[attr-defined]
    page.wait_for_selector("form#compose")  # type: ignore[attr-defined]
    page.type("#c-to", "vinh", delay=30)  # type: ignore[attr-defined]
    page.wait_for_selector("ul.suggest li")  # type: ignore[attr-defined]
    assert "Phó Chủ tịch" in page.inner_text("ul.suggest")  # type: ignore[attr-defined]
    shot(page, "14-thu-goi-y-nguoi-nhan")
    page.click("ul.suggest li >> nth=0")  # type: ignore[attr-defined]
    assert "vinhtv@dongnai.gov.vn" in page.input_value("#c-to")  # type: ignore[attr-defined]
    page.fill("#c-subject", "Báo cáo tình hình triển khai thư công vụ tháng 3")  # type: ignore[attr-defined]
    page.fill("#c-body", "Kính gửi anh Vinh,\nSở gửi báo cáo tháng 3 kèm theo.\n\nTrân trọng.")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Đã lưu nháp lúc")  # saved as a draft on leaving the subject field  # type: ignore[attr-defined]
    page.set_input_files("input[type=file]", str(attachment))  # type: ignore[attr-defined]
    shot(page, "15-thu-soan-thu")
    page.click("button.send")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Đã gửi thư")  # type: ignore[attr-defined]
    shot(page, "16-thu-da-gui")
    page.context.close()  # type: ignore[attr-defined]

    imap = imaplib.IMAP4_SSL("127.0.0.1", served["imaps"], ssl_context=_insecure(), timeout=30)
    try:
        imap.login("vinhtv@dongnai.gov.vn", PASSWORD)
        status, count = imap.select("INBOX")
        assert status == "OK" and count[0] == b"1"
        _, fetched = imap.uid("FETCH", "1", "(BODY.PEEK[])")
        arrived = email.message_from_bytes(fetched[0][1], policy=email.policy.default)
    finally:
        imap.logout()
    assert arrived["Subject"] == "Báo cáo tình hình triển khai thư công vụ tháng 3"
    assert "lannt@dongnai.gov.vn" in arrived["From"]
    files = [(part.get_filename(), part.get_content()) for part in arrived.iter_attachments()]
    assert files == [("Báo cáo tháng 3.docx", attachment.read_bytes())]
    imap = imaplib.IMAP4_SSL("127.0.0.1", served["imaps"], ssl_context=_insecure(), timeout=30)
    try:
        imap.login("lannt@dongnai.gov.vn", PASSWORD)
        assert imap.select("Drafts")[1][0] == b"0"  # the autosaved draft went when the message was sent
        assert imap.select("Sent")[1][0] == b"1"
    finally:
        imap.logout()


def test_on_a_phone(served: dict[str, int], chromium: object) -> None:
    base = f"http://127.0.0.1:{served['http']}"
    page = sign_in(chromium, base, "lannt@dongnai.gov.vn", width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    shot(page, "17-thu-dien-thoai-danh-sach")
    page.click("text=Công văn số 6806/UBND-TTTH")  # type: ignore[attr-defined]
    page.wait_for_selector("article.message")  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    shot(page, "18-thu-dien-thoai-doc")
    page.goto(f"{base}/thu/soan")  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    shot(page, "19-thu-dien-thoai-soan")
    page.context.close()  # type: ignore[attr-defined]


def test_folders_home_and_imap(served: dict[str, int], chromium: object) -> None:
    """Lan makes a folder with a Vietnamese name, moves it inside another, sees both from her mail client, then
    deletes one after the confirmation; the home page sums her mailboxes up."""
    base = f"http://127.0.0.1:{served['http']}"
    page = sign_in(chromium, base, "lannt@dongnai.gov.vn")
    page.goto(f"{base}/")  # type: ignore[attr-defined]
    summary = page.inner_text("#hop-thu-cua-toi")  # type: ignore[attr-defined]
    assert "thư chưa đọc trong Hộp thư đến" in summary and "stttt@dongnai.gov.vn" in summary
    assert page.locator("a[href='/van-ban']").count() >= 1  # type: ignore[attr-defined]
    shot(page, "20-trang-chu-da-dang-nhap")

    page.click("text=Mở hộp thư")  # type: ignore[attr-defined]
    page.wait_for_url("**/thu/muc/**")  # type: ignore[attr-defined]
    page.click("text=Quản lý thư mục")  # type: ignore[attr-defined]
    page.wait_for_url("**/thu/thu-muc")  # type: ignore[attr-defined]
    for name in ("Hồ sơ chuyển đổi số", "Năm 2026"):
        page.fill("form[action='/thu/thu-muc'] input[name=name]", name)  # type: ignore[attr-defined]
        page.click("form[action='/thu/thu-muc'] button")  # type: ignore[attr-defined]
        page.wait_for_selector(f"text=Đã tạo thư mục «{name}».")  # type: ignore[attr-defined]
    def row_of(name: str) -> object:
        return page.locator("tr", has=page.locator("a.folder-name", has_text=name))  # type: ignore[attr-defined]

    row = row_of("Năm 2026")
    row.locator("summary").click()  # type: ignore[attr-defined]
    row.locator("select[name=parent]").select_option(label="Hồ sơ chuyển đổi số")  # type: ignore[attr-defined]
    row.locator("button:has-text('Lưu')").click()  # type: ignore[attr-defined]
    page.wait_for_selector("text=Đã lưu thư mục «Năm 2026».")  # type: ignore[attr-defined]
    assert "Hồ sơ chuyển đổi số" in page.inner_text("aside.mail-side")  # type: ignore[attr-defined]
    shot(page, "21-thu-quan-ly-thu-muc")

    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=served["imaps"], ssl=True, ssl_context=_insecure(), timeout=30) as client:
        client.login("lannt@dongnai.gov.vn", PASSWORD)
        names = {name for _, _, name in client.list_folders()}
    assert {"Hồ sơ chuyển đổi số", "Hồ sơ chuyển đổi số/Năm 2026"} <= names

    row_of("Hồ sơ chuyển đổi số").first.locator("a:has-text('Xoá')").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/xoa")  # type: ignore[attr-defined]
    assert "Năm 2026" in page.inner_text("section.confirm")  # type: ignore[attr-defined]
    shot(page, "22-thu-xoa-thu-muc")
    page.click("button:has-text('Xoá thư mục và thư')")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Đã xoá thư mục «Hồ sơ chuyển đổi số» cùng 0 thư trong đó.")  # type: ignore[attr-defined]
    assert "Hồ sơ chuyển đổi số" not in page.inner_text("aside.mail-side")  # type: ignore[attr-defined]
    assert row_of("Hộp thư đến").locator("a.button").count() == 0  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
