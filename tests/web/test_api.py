"""``/api/v1``: token authentication, scoping like the token's creator, account changes, the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from web_helpers import ADMIN, ADMIN_PASSWORD, PASSWORD, Browser, Province

from congvu.store.schema import audit_log
from congvu.store.schema_web import api_tokens


def issue_token(person: Browser, name: str, agency: str = "") -> str:
    person.get("/quan-tri/api-token")
    shown = person.post("/quan-tri/api-token", {"name": name, "agency": agency, "valid_days": "30"})
    assert shown.status_code == 200, shown.text
    return re.search(r'<p class="secret-box"><code>(cv_[^<]+)</code>', shown.text).group(1)  # type: ignore[union-attr]


def test_token_auth_and_account_changes(browser: Callable[..., Browser], province: Province) -> None:
    admin = browser()
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    token = issue_token(admin, "Phần mềm nhân sự")
    api = browser().client
    assert api.get("/api/v1/accounts").status_code == 401
    bad = api.get("/api/v1/accounts", headers={"Authorization": "Bearer cv_deadbeef_xyz"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    assert bad.json()["error"]["message_en"] == "Missing or invalid API token."
    auth = {"Authorization": f"Bearer {token}"}
    listed = api.get("/api/v1/accounts", params={"q": "nguyen thi lan"}, headers=auth).json()
    assert [a["address"] for a in listed["items"]] == [province.outsider]
    created = api.post("/api/v1/accounts", json={"full_name": "Hoàng Văn Nam", "agency": "H19.05"}, headers=auth)
    assert created.status_code == 201 and created.json()["account"]["address"] == "namhv@dongnai.gov.vn"
    assert created.json()["password"]
    assert api.get("/api/v1/accounts/namhv", headers=auth).json()["agency_code"] == "H19.05"
    edited = api.patch("/api/v1/accounts/namhv", json={"position": "Kế toán trưởng"}, headers=auth).json()
    assert edited["position"] == "Kế toán trưởng"
    disabled = api.post("/api/v1/accounts/namhv/disable", json={"reason": "Nghỉ việc"}, headers=auth).json()
    assert disabled["status"] == "disabled" and disabled["status_reason"] == "Nghỉ việc"
    assert api.post("/api/v1/accounts/namhv/enable", headers=auth).json()["status"] == "active"
    invalid = api.post("/api/v1/accounts", json={"full_name": "Ai Đó", "agency": "H19.99"}, headers=auth)
    assert invalid.status_code == 404 and invalid.json()["error"]["field"] == "agency"
    agencies = api.get("/api/v1/agencies", headers=auth).json()
    assert [a["code"] for a in agencies] == ["H19", "H19.05", "H19.04", "H19.04.01"]  # tree order, by name
    with province.inst.db.read() as conn:
        prefix = conn.execute(select(api_tokens.c.prefix)).scalar_one()
        actors = set(conn.execute(select(audit_log.c.actor).where(audit_log.c.target == "namhv@dongnai.gov.vn"))
                     .scalars())
    assert actors == {f"api:{prefix}"} and token.startswith(f"cv_{prefix}_")
    admin.get("/quan-tri/api-token")
    token_id = re.search(r"/quan-tri/api-token/(\d+)/thu-hoi", admin.get("/quan-tri/api-token").text).group(1)  # type: ignore[union-attr]
    admin.post(f"/quan-tri/api-token/{token_id}/thu-hoi")
    assert api.get("/api/v1/accounts", headers=auth).status_code == 401


def test_agency_token_is_scoped(browser: Callable[..., Browser], province: Province) -> None:
    admin = browser()
    admin.sign_in(province.agency_admin, PASSWORD)
    admin.get("/quan-tri/api-token")
    refused = admin.post("/quan-tri/api-token", {"name": "Cả tỉnh", "agency": ""})
    assert "Hãy chọn cơ quan cho token." in admin.get(refused.headers["location"]).text
    token = issue_token(admin, "Cổng thông tin Sở", agency="H19.04")
    auth = {"Authorization": f"Bearer {token}"}
    api = browser().client
    addresses = [a["address"] for a in api.get("/api/v1/accounts", headers=auth).json()["items"]]
    assert province.staff in addresses and province.outsider not in addresses
    outsider_id = province.inst.directory.accounts.show(province.outsider).id
    for ref in (province.outsider, str(outsider_id)):
        denied = api.get(f"/api/v1/accounts/{ref}", headers=auth)
        assert denied.status_code == 403 and "ngoài phạm vi" in denied.json()["error"]["message"]
        assert api.post(f"/api/v1/accounts/{ref}/disable", json={}, headers=auth).status_code == 403
    assert api.post("/api/v1/accounts", json={"full_name": "Ai Đó", "agency": "H19.05"},
                    headers=auth).status_code == 403
    assert {a["code"] for a in api.get("/api/v1/agencies", headers=auth).json()} == {"H19.04", "H19.04.01"}
    province.inst.directory.accounts.revoke(province.agency_admin, "agency_admin", agency="H19.04")
    assert api.get("/api/v1/accounts", headers=auth).status_code == 401  # the creator is no longer an admin


def test_openapi_document(browser: Callable[..., Browser], province: Province) -> None:
    document = browser().client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/accounts", "/accounts/{ref}", "/accounts/{ref}/disable", "/agencies"} <= set(document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    assert "AccountOut" in document["components"]["schemas"]
