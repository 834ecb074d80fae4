"""Signing in and out over HTTP: sessions and their cookies, CSRF refusal, throttling, password change, and
signing out everywhere."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.routing import APIRoute
from sqlalchemy import select
from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province

from congvu.store.schema import audit_log, usage_events
from congvu.store.schema_web import web_sessions
from congvu.web.app import ROUTERS


def test_sign_in_sets_a_server_side_session_with_safe_cookie(browser: Callable[..., Browser],
                                                              province: Province) -> None:
    person = browser()
    response = person.sign_in(province.agency_admin, PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("congvu_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in this test; see the HTTPS test below
    page = person.get("/tai-khoan")
    assert page.status_code == 200 and "Lê Minh Tân" in page.text and page.headers["cache-control"] == "no-store"
    with province.inst.db.read() as conn:
        stored = conn.execute(select(web_sessions.c.id)).scalars().all()
        events = conn.execute(select(audit_log.c.action, audit_log.c.details)
                              .where(audit_log.c.actor == province.agency_admin)).all()
    token = cookie.split(";")[0].split("=", 1)[1]
    assert stored and token not in stored  # only the hash is kept
    assert ("signin.ok", {"protocol": "web", "ip": "testclient", "method": "password"}) in [tuple(e) for e in events]
    assert province.inst.directory.accounts.show(province.agency_admin).last_login_at is not None
    province.inst.usage.flush()
    with province.inst.db.read() as conn:
        usage = conn.execute(select(usage_events.c.kind, usage_events.c.protocol, usage_events.c.account_id)).all()
    account_id = province.inst.directory.accounts.show(province.agency_admin).id
    assert ("login", "web", account_id) in [tuple(u) for u in usage]


def test_https_cookie_is_secure_with_host_prefix(browser: Callable[..., Browser], province: Province) -> None:
    response = browser("https://testserver").sign_in(ADMIN, ADMIN_PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-congvu_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_wrong_password_and_unknown_address_look_the_same(browser: Callable[..., Browser],
                                                         province: Province) -> None:
    person = browser()
    wrong = person.sign_in(province.agency_admin, "Sai@mat-khau1")
    unknown = person.sign_in("khongco@dongnai.gov.vn", "Sai@mat-khau1")
    assert wrong.status_code == unknown.status_code == 401
    refused = "Địa chỉ thư hoặc mật khẩu không đúng."
    assert refused in wrong.text and refused in unknown.text
    assert person.get("/tai-khoan", follow_redirects=False).headers["location"] == "/dang-nhap?next=/tai-khoan"


def test_forged_forms_are_refused(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    person.get("/dang-nhap")
    no_token = person.client.post("/dang-nhap", data={"address": ADMIN, "password": ADMIN_PASSWORD},
                                  follow_redirects=False)
    assert no_token.status_code == 403 and "Biểu mẫu đã hết hạn" in no_token.text
    person.sign_in(ADMIN, ADMIN_PASSWORD)
    forged = person.client.post("/quan-tri/can-bo/them", data={"csrf": "doan-bua", "full_name": "Kẻ Giả Mạo",
                                                               "agency": "H19.05"}, follow_redirects=False)
    assert forged.status_code == 403
    cross_site = person.client.post("/quan-tri/can-bo/them", data={"csrf": person.token, "full_name": "Kẻ Giả Mạo",
                                                                   "agency": "H19.05"},
                                    headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert cross_site.status_code == 403
    assert province.inst.directory.accounts.list(query="gia mao") == []


def test_every_form_route_refuses_a_missing_token(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    person.sign_in(ADMIN, ADMIN_PASSWORD)
    checked = 0
    for route in (r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)):
        path = route.path
        # Autodiscover is a public read; the code form without a half session just goes back to sign-in.
        if "POST" not in route.methods or "autodiscover" in path.lower() or path == "/dang-nhap/ma-xac-thuc":
            continue
        url = (path.replace("{ref}", province.staff).replace("{code}", "H19.04").replace("{address}", "x@y.vn")
               .replace("{token}", "0" * 32).replace("{token_id}", "1").replace("{app_password_id}", "1")
               .replace("{session_id}", "abc"))
        response = person.client.post(url, data={"full_name": "X"}, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)
        checked += 1
    assert checked >= 25
    assert province.inst.directory.accounts.show(province.staff).status == "active"


def test_throttling_locks_after_repeated_failures(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    for _ in range(5):
        assert person.sign_in(province.agency_admin, "Sai@mat-khau1").status_code == 401
    locked = person.sign_in(province.agency_admin, PASSWORD)  # even the right password waits now
    assert locked.status_code == 429 and "thử lại sau" in locked.text
    assert browser().sign_in(ADMIN, ADMIN_PASSWORD).status_code == 303  # other accounts are not locked


def test_sign_out_and_sign_out_everywhere(browser: Callable[..., Browser], province: Province) -> None:
    phone, laptop = browser(), browser()
    phone.sign_in(province.agency_admin, PASSWORD)
    laptop.sign_in(province.agency_admin, PASSWORD)
    sessions = laptop.get("/tai-khoan")
    assert sessions.text.count("Kết thúc") == 1  # the other session, endable from here
    laptop.post("/tai-khoan/phien/dang-xuat-tat-ca")
    assert phone.get("/tai-khoan", follow_redirects=False).status_code == 303
    assert laptop.get("/tai-khoan", follow_redirects=False).status_code == 303
    phone.sign_in(province.agency_admin, PASSWORD)
    out = phone.post("/dang-xuat")
    assert out.status_code == 303 and phone.get("/tai-khoan", follow_redirects=False).status_code == 303


def test_password_change_checks_strength_and_ends_other_sessions(browser: Callable[..., Browser],
                                                                  province: Province) -> None:
    me, other = browser(), browser()
    me.sign_in(province.agency_admin, PASSWORD)
    other.sign_in(province.agency_admin, PASSWORD)
    weak = me.post("/tai-khoan/mat-khau", {"current": PASSWORD, "new": "ngan", "again": "ngan"})
    assert weak.status_code == 303 and "congvu_flash" in weak.headers["set-cookie"]
    assert "ít nhất 10 ký tự" in me.get("/tai-khoan").text
    wrong = me.post("/tai-khoan/mat-khau", {"current": "Sai@mat-khau1", "new": "MoiMoi@2027", "again": "MoiMoi@2027"})
    assert "Mật khẩu hiện tại không đúng" in me.get(wrong.headers["location"]).text
    me.post("/tai-khoan/mat-khau", {"current": PASSWORD, "new": "MoiMoi@2027", "again": "MoiMoi@2027"})
    assert "Đã đổi mật khẩu" in me.get("/tai-khoan").text
    assert other.get("/tai-khoan", follow_redirects=False).status_code == 303
    assert province.inst.directory.accounts.authenticate(province.agency_admin, "MoiMoi@2027") is not None


def test_english_switch_and_security_headers(browser: Callable[..., Browser], province: Province) -> None:
    person = browser()
    page = person.get("/dang-nhap?lang=en")
    assert "Use your official e-mail address and password." in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    response = person.sign_in(province.agency_admin, "Sai@mat-khau1")
    assert "The address or password is wrong." in response.text
