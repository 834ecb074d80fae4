"""What the web tests share: a small province, the steps a browser takes (forms with their CSRF token, signing
in), and TOTP codes computed with an RFC 6238 implementation of the tests' own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.testclient import TestClient

from congvu.installation import Installation

TEST_DOMAIN = "dongnai.gov.vn"  # as tests/conftest.py makes the installation
ADMIN_PASSWORD = "Quantri@2026"
PASSWORD = "Matkhau@2026"
ADMIN = f"admin@{TEST_DOMAIN}"


@dataclass(frozen=True)
class Province:
    inst: Installation
    agency_admin: str  # administers H19.04 (and H19.04.01 under it)
    staff: str  # works at H19.04.01
    outsider: str  # works at H19.05, outside the agency administrator's scope


def rfc6238(secret_b32: str, at: float | None = None, step: int = 30) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


def make_province(installation: Installation) -> Province:
    d = installation.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.04.01", name="Phòng Công nghệ thông tin", short_name="PCNTT", level="division",
                   parent="H19.04")
    d.agencies.add(code="H19.05", name="Sở Tài chính", short_name="STC", level="department", parent="H19")
    admin = d.accounts.add(full_name="Lê Minh Tân", agency="H19.04", password=PASSWORD, roles=["agency_admin"])
    staff = d.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.04.01", position="Chuyên viên", password=None)
    outsider = d.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.05", position="Kế toán", password=None)
    return Province(installation, admin.account.address, staff.account.address, outsider.account.address)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


class Browser:
    """A TestClient used like a person: opens a page, then posts its form with the page's token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        response = self.client.get(url, **kwargs)  # type: ignore[arg-type]
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, str] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        body = {"csrf": self.token, **(data or {})}
        response = self.client.post(url, data=body, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def sign_in(self, address: str, password: str, *, code: Callable[[], str] | None = None):  # type: ignore[no-untyped-def]
        self.get("/dang-nhap")
        response = self.post("/dang-nhap", {"address": address, "password": password, "next": "/tai-khoan"})
        if code is not None:
            assert response.status_code == 303 and "/dang-nhap/ma-xac-thuc" in response.headers["location"]
            self.get(response.headers["location"])
            response = self.post("/dang-nhap/ma-xac-thuc", {"code": code(), "next": "/tai-khoan"})
        if response.status_code == 303:
            self.get("/tai-khoan")
        return response
