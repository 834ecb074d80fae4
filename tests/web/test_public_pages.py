from __future__ import annotations

import csv
import hashlib
import io

from fastapi.testclient import TestClient

from congvu.delivery.records import dns_records, mta_sts_policy
from congvu.installation import Installation
from congvu.web.app import create_app


def populate(inst: Installation) -> None:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.accounts.add(full_name="Đỗ Văn Dũng", agency="H19.04", position="Giám đốc", password=None)
    d.accounts.add(full_name="<script>alert(1)</script> Lê", agency="H19.04", password=None)


def test_home_health_and_directory(installation: Installation) -> None:
    populate(installation)
    client = TestClient(create_app(installation))
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.json()["text_index_waiting"] == 0
    # The MTA-STS policy that `congvu dns records` announces (its id is the policy's hash) is served.
    policy = client.get("/.well-known/mta-sts.txt")
    assert policy.status_code == 200 and policy.headers["content-type"].startswith("text/plain")
    settings = installation.settings
    assert policy.text == mta_sts_policy(settings.hostname)
    assert f"mx: {settings.hostname}\r\n" in policy.text and policy.text.startswith("version: STSv1\r\n")
    announced = next(r for r in dns_records(settings) if r.name.startswith("_mta-sts."))
    assert hashlib.sha256(policy.text.encode()).hexdigest()[:20] in announced.value
    home = client.get("/")
    assert home.status_code == 200 and "UBND tỉnh Đồng Nai" in home.text
    assert "Danh bạ thư điện tử công vụ" in home.text and "<strong>2</strong>" in home.text
    page = client.get("/danh-ba", params={"q": "do van dung"})
    assert page.status_code == 200
    assert "Đỗ Văn Dũng" in page.text and "stttt@dongnai.gov.vn" in page.text
    assert "<script>alert(1)</script>" not in client.get("/danh-ba").text
    english = client.get("/danh-ba", params={"lang": "en"})
    assert "Directory of official e-mail addresses" in english.text
    assert english.cookies.get("lang") == "en"
    download = client.get("/danh-ba.csv")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert any(r[3] == "Đỗ Văn Dũng" for r in rows)
    assert client.get("/danh-ba.xlsx").content[:2] == b"PK"
    assert client.get("/danh-ba.exe").status_code == 404
