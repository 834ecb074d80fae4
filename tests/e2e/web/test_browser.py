"""The web pages in a real browser against a real server: ``congvu serve --http-port auto`` in a subprocess and
the system Chromium driven by Playwright. A person turns on two-step sign-in and signs in with a code, an
administrator imports a staff list with one bad row, a visitor searches the public directory. Screenshots go to
``test-artifacts/web/`` for people to look at."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from congvu.config.settings import DataDir
from congvu.installation.create import create_installation

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[3] / "test-artifacts" / "web"
ADMIN_PASSWORD = "Quantri@2026"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (scripts/test)")


def code_at(secret: str, at: float) -> str:
    """RFC 6238 with SHA-1, 30 s steps, 6 digits: the tests' own implementation."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = DataDir(tmp_path_factory.mktemp("web-e2e") / "inst")
    inst = create_installation(data, domain="dongnai.gov.vn", org_name="Ủy ban nhân dân tỉnh Đồng Nai",
                               admin_password=ADMIN_PASSWORD).installation
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.05", name="Sở Tài chính", short_name="STC", level="department", parent="H19")
    d.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.05", position="Kế toán trưởng", password=None)
    d.accounts.add(full_name="Trần Văn Vinh", agency="H19", position="Phó Chủ tịch", password=None)
    inst.close()
    ports = [f"--{name}-port" for name in ("smtp", "submission", "smtps", "imap", "imaps")]
    command = [sys.executable, "-m", "congvu", "serve", "--data", str(data.root), "--host", "127.0.0.1",
               "--http-port", "auto", *[arg for port in ports for arg in (port, "0")]]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = None
        for _ in range(10):
            line = proc.stdout.readline()
            match = re.search(r"http .* 127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "the server did not report its port"
        yield f"http://127.0.0.1:{port}"
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


@pytest.fixture(scope="module")
def admin_page(server: str, chromium: object) -> Iterator[object]:
    """The administrator turns two-step sign-in on, signs out, and signs in again with a code."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server}/dang-nhap")
    page.fill("input[name=address]", "admin@dongnai.gov.vn")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button:has-text('Đăng nhập') >> nth=-1")
    page.wait_for_url("**/thu/muc/**")  # a plain sign-in lands in the webmail, the administration one click away
    assert page.locator("nav.topnav a[href='/quan-tri']").count() == 1
    shot(page, "00-vao-hop-thu-sau-dang-nhap")
    page.goto(f"{server}/tai-khoan")
    page.click("text=Bật xác thực hai bước")
    page.wait_for_url("**/tai-khoan/hai-buoc")
    secret = page.inner_text("code.secret").replace(" ", "")
    shot(page, "01-bat-xac-thuc-hai-buoc")
    enrolled_at = time.time()
    page.fill("input[name=code]", code_at(secret, enrolled_at))
    page.click("text=Xác nhận và bật")
    page.wait_for_selector("text=Xác thực hai bước đã bật")
    assert page.locator("ul.codes li").count() == 10
    page.click("text=Tôi đã lưu các mã")
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/dang-nhap?next=/quan-tri")
    page.fill("input[name=address]", "admin@dongnai.gov.vn")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button:has-text('Đăng nhập') >> nth=-1")
    page.wait_for_url("**/dang-nhap/ma-xac-thuc**")
    shot(page, "02-nhap-ma-xac-thuc")
    page.fill("input[name=code]", code_at(secret, enrolled_at + 30))  # the enrolment used the current step
    page.click("text=Xác nhận")
    page.wait_for_url("**/quan-tri")
    yield page
    context.close()


def test_sign_in_with_two_step_code(admin_page: object) -> None:
    page = admin_page
    assert page.locator("h1").inner_text() == "Tổng quan"  # type: ignore[attr-defined]
    assert page.locator("nav.topnav .who").inner_text() == "Quản trị hệ thống"  # type: ignore[attr-defined]
    shot(page, "03-quan-tri-tong-quan")


def test_bulk_import_with_one_bad_row(admin_page: object, server: str, tmp_path: Path) -> None:
    page = admin_page
    staff = tmp_path / "danh-sach-can-bo.csv"
    staff.write_text("Họ và tên,Cơ quan,Phòng,Chức vụ\n"
                     "Phạm Thị Hằng,H19.04,Văn phòng,Văn thư\n"
                     "Võ Minh Khoa,Sở Thông tin và Truyền thông,Phòng CNTT,Chuyên viên\n"
                     "Lý Văn Bình,Sở Không Có,,Chuyên viên\n", encoding="utf-8")
    page.goto(f"{server}/quan-tri/nhap")  # type: ignore[attr-defined]
    page.set_input_files("input[type=file]", str(staff))  # type: ignore[attr-defined]
    page.click("text=Kiểm tra trước")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Kết quả kiểm tra")  # type: ignore[attr-defined]
    rejected = page.locator("table.errors tbody tr")  # type: ignore[attr-defined]
    assert rejected.count() == 1 and rejected.first.inner_text().startswith("4")
    assert "không có cơ quan «Sở Không Có»" in rejected.first.inner_text()
    shot(page, "04-nhap-danh-sach-xem-truoc")
    page.click("text=Xác nhận nhập")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Đã nhập danh sách")  # type: ignore[attr-defined]
    assert page.locator(".stat.ok strong").inner_text() == "2"  # type: ignore[attr-defined]
    shot(page, "05-nhap-danh-sach-ket-qua")
    page.goto(f"{server}/quan-tri/can-bo?q=hang")  # type: ignore[attr-defined]
    assert "hangpt@dongnai.gov.vn" in page.inner_text("table.people-list")  # type: ignore[attr-defined]


def test_search_public_directory(server: str, chromium: object) -> None:
    for width, name in ((1280, "06-danh-ba-tim-kiem"), (390, "07-danh-ba-dien-thoai")):
        context = chromium.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(server)
        page.fill("#hero-q", "nguyen thi lan")
        page.press("#hero-q", "Enter")
        page.wait_for_url("**/danh-ba?q=**")
        names = page.locator("table.people td.name").all_inner_texts()
        assert names == ["Nguyễn Thị Lan"]
        assert "lannt@dongnai.gov.vn" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows a phone
        shot(page, name)
        context.close()
