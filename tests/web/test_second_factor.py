"""Two-step sign-in over HTTP: enrolment with a QR code, sign-in with a code, replay and recovery codes, app
passwords for mail clients, and an administrator turning it off for a lost phone."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province, rfc6238

from congvu.access.models import SignInOutcome
from congvu.store.schema_web import web_sessions


def enrol(person: Browser) -> tuple[str, list[str]]:
    """Turn two-step sign-in on through the pages; returns the secret and the recovery codes."""
    person.post("/tai-khoan/hai-buoc/bat-dau")
    page = person.get("/tai-khoan/hai-buoc")
    assert 'src="data:image/svg+xml' in page.text  # the QR code, inline (no outside request)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    wrong = person.post("/tai-khoan/hai-buoc/xac-nhan", {"code": "000000" if rfc6238(secret) != "000000" else "111111"})
    assert "Mã xác thực không đúng" in person.get(wrong.headers["location"]).text
    shown = person.post("/tai-khoan/hai-buoc/xac-nhan", {"code": rfc6238(secret)})
    assert shown.status_code == 200 and "Xác thực hai bước đã bật" in shown.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown.text)
    assert len(codes) == 10
    return secret, codes


def test_enrol_then_sign_in_with_a_code(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    person.sign_in(province.agency_admin, PASSWORD)
    secret, _codes = enrol(person)
    assert "Đang bật" in person.get("/tai-khoan").text
    person.post("/dang-xuat")

    later = browser()
    later.get("/dang-nhap")
    step1 = later.post("/dang-nhap", {"address": province.agency_admin, "password": PASSWORD, "next": "/quan-tri"})
    assert step1.headers["location"].startswith("/dang-nhap/ma-xac-thuc")
    half_token = step1.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert later.get("/tai-khoan", follow_redirects=False).status_code == 303  # the half session is not signed in
    later.get(step1.headers["location"])
    forged = later.client.post("/dang-nhap/ma-xac-thuc", data={"csrf": "gia", "code": rfc6238(secret)},
                               follow_redirects=False)
    assert forged.status_code == 403
    assert later.post("/dang-nhap/ma-xac-thuc", {"code": "12345"}).status_code == 401
    # The enrolment used the current step: the same code is refused until the next step (RFC 6238 §5.2).
    next_step = (int(time.time()) // 30 + 1) * 30
    ok = later.post("/dang-nhap/ma-xac-thuc", {"code": rfc6238(secret, next_step), "next": "/quan-tri"})
    assert ok.status_code == 303 and ok.headers["location"] == "/quan-tri"
    full_token = ok.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert full_token != half_token  # a new session id after the second factor
    assert "Lê Minh Tân" in later.get("/tai-khoan").text
    with province.inst.db.read() as conn:
        stages = sorted(r.stage for r in conn.execute(web_sessions.select()))
    assert stages == ["full"]

    replay = browser()
    replay.get("/dang-nhap")
    replay.post("/dang-nhap", {"address": province.agency_admin, "password": PASSWORD})
    replay.get("/dang-nhap/ma-xac-thuc")
    assert replay.post("/dang-nhap/ma-xac-thuc", {"code": rfc6238(secret, next_step)}).status_code == 401


def test_recovery_codes_work_once(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    person.sign_in(province.agency_admin, PASSWORD)
    _secret, codes = enrol(person)
    assert browser().sign_in(province.agency_admin, PASSWORD, code=lambda: codes[3].upper()).status_code == 303
    again = browser().sign_in(province.agency_admin, PASSWORD, code=lambda: codes[3])
    assert again.status_code == 401
    assert "Mã dự phòng còn lại: <strong>9</strong>" in person.get("/tai-khoan").text.replace("\n", "")


def test_app_passwords_for_mail_clients(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    person.sign_in(province.agency_admin, PASSWORD)
    refused = person.post("/tai-khoan/mat-khau-ung-dung", {"name": "Thunderbird"})
    assert "chỉ dùng khi đã bật xác thực hai bước" in person.get(refused.headers["location"]).text
    signin = person.client.app.state.web.access.signin  # type: ignore[attr-defined]
    assert signin.mail_client(province.agency_admin, PASSWORD, ip="192.0.2.1", protocol="imap").outcome == \
        SignInOutcome.OK
    enrol(person)
    made = person.post("/tai-khoan/mat-khau-ung-dung", {"name": "Thunderbird máy cơ quan"})
    secret = re.search(r'<p class="secret-box"><code>([a-z ]{19})</code>', made.text).group(1)  # type: ignore[union-attr]
    assert signin.mail_client(province.agency_admin, PASSWORD, ip="192.0.2.1", protocol="imap").outcome == \
        SignInOutcome.REFUSED  # the password alone no longer opens the mailbox
    assert signin.mail_client(province.agency_admin, secret, ip="192.0.2.1", protocol="imap").outcome == \
        SignInOutcome.OK
    assert signin.mail_client(province.agency_admin, secret.replace(" ", ""), ip="192.0.2.1",
                              protocol="smtp").outcome == SignInOutcome.OK
    page = person.get("/tai-khoan")
    assert "Thunderbird máy cơ quan" in page.text
    app_id = re.search(r"/tai-khoan/mat-khau-ung-dung/(\d+)/thu-hoi", page.text).group(1)  # type: ignore[union-attr]
    person.post(f"/tai-khoan/mat-khau-ung-dung/{app_id}/thu-hoi")
    assert signin.mail_client(province.agency_admin, secret, ip="192.0.2.1", protocol="imap").outcome == \
        SignInOutcome.REFUSED


def test_administrator_turns_two_step_off_for_a_lost_phone(browser: Callable[..., Browser],
                                                         province: Province) -> None:
    person = browser()
    person.sign_in(province.agency_admin, PASSWORD)
    enrol(person)
    admin = browser()
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    admin.get(f"/quan-tri/can-bo/{province.agency_admin}")
    admin.post(f"/quan-tri/can-bo/{province.agency_admin}/tat-hai-buoc")
    assert person.get("/tai-khoan", follow_redirects=False).status_code == 303  # their sessions ended
    assert browser().sign_in(province.agency_admin, PASSWORD).headers["location"] == "/tai-khoan"
