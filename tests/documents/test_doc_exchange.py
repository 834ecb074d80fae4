"""The HTTP exchange between two installations (two provinces), with HMAC-SHA256-signed requests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from docmaterial import cong_van, province_tree
from fastapi import FastAPI
from fastapi.testclient import TestClient

from congvu.config.settings import DataDir
from congvu.documents.http_exchange import ExchangeClient, exchange_router, signed_headers
from congvu.documents.service import DocumentService, documents_for
from congvu.installation import Installation
from congvu.installation.create import create_installation

SECRET = "bi-mat-chung-giua-hai-tinh"


@pytest.fixture
def khanh_hoa(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Installation]:
    url = None
    if backend == "postgresql":
        import psycopg

        base = request.getfixturevalue("pg_database")
        schema = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{base}?options=-csearch_path%3D{schema}"
    created = create_installation(DataDir(tmp_path / "khanhhoa"), domain="khanhhoa.gov.vn",
                                  org_name="UBND tỉnh Khánh Hòa", admin_password="Quantri@2026", database_url=url)
    inst = created.installation
    inst.directory.agencies.add(code="H47", name="Ủy ban nhân dân tỉnh Khánh Hòa", short_name="UBND",
                                level="province")
    inst.directory.agencies.add(code="H47.05", name="Sở Nội vụ tỉnh Khánh Hòa", short_name="SNV",
                                level="department", parent="H47")
    try:
        yield inst
    finally:
        inst.close()


@pytest.fixture
def pair(installation: Installation, khanh_hoa: Installation) -> tuple[DocumentService, DocumentService]:
    province_tree(installation)
    apps: dict[str, FastAPI] = {}

    def client(base_url: str) -> httpx.Client:
        return TestClient(apps["khanhhoa" if "khanhhoa" in base_url else "dongnai"])

    dong_nai = documents_for(installation, http_client=client)
    other = documents_for(khanh_hoa, http_client=client)
    for name, docs in (("dongnai", dong_nai), ("khanhhoa", other)):
        app = FastAPI()
        app.include_router(exchange_router(docs), prefix="/api/v1/edoc")
        apps[name] = app
    dong_nai.peers.add("Khánh Hòa", base_url="http://khanhhoa.test/api/v1/edoc", organ_prefixes=["H47"],
                       local_system_id="dongnai", remote_system_id="khanhhoa", secret=SECRET)
    other.peers.add("Đồng Nai", base_url="http://dongnai.test/api/v1/edoc", organ_prefixes=["H19"],
                    local_system_id="khanhhoa", remote_system_id="dongnai", secret=SECRET)
    dong_nai.profiles.set_place("H19.01", "Biên Hòa")
    return dong_nai, other


def test_document_goes_to_the_other_province_and_statuses_come_back(
        pair: tuple[DocumentService, DocumentService]) -> None:
    dong_nai, khanh_hoa = pair
    doc = dong_nai.issue(cong_van(kinh_gui=("H19.04", "H47.05")))
    by_agency = {r.agency: r for r in doc.recipients}
    assert by_agency["H47.05"].transport == "http" and by_agency["H47.05"].sent_at is not None
    assert by_agency["H47.05"].status == "01" and by_agency["H19.04"].status == "01"
    entry, = khanh_hoa.incoming.list("H47.05")
    assert entry.from_agency == "H19.01" and entry.number == "01/VPUBND-TTTH"
    assert khanh_hoa.register(entry.id).arrival_number == 1
    khanh_hoa.assign(entry.id, to_unit="Phòng Cải cách hành chính", instruction="Phối hợp")
    status = {r.agency: r for r in dong_nai.outgoing.status(doc.document_id or "")}
    assert status["H47.05"].status == "04" and "Phối hợp" in (status["H47.05"].description or "")
    # The other side asks for our agencies through the same signed API.
    client = ExchangeClient("http://dongnai.test/api/v1/edoc", system_id="khanhhoa", secret=SECRET,
                            client=khanh_hoa.dispatcher.transports["http"].client_for(  # type: ignore[attr-defined]
                                khanh_hoa.peers.list()[0]).client)
    assert "H19.04" in {a["code"] for a in client.agencies()}


def test_requests_that_are_not_properly_signed_are_refused(pair: tuple[DocumentService, DocumentService]) -> None:
    dong_nai, _ = pair
    app = FastAPI()
    app.include_router(exchange_router(dong_nai), prefix="/edoc")
    http = TestClient(app)
    body = b"<edXML/>"

    def post(secret: str = SECRET, *, data: bytes = body, now: datetime | None = None, **params: str) -> httpx.Response:
        base = {"from": "H47.05", "to": "H19.04", "messagetype": "edoc", "servicetype": "eDoc",
                "hash-file": hashlib.sha256(body).hexdigest(), "systemid": "khanhhoa"}
        base.update(params)
        return http.post("/edoc/sendEdoc", content=data, headers=signed_headers(secret, base, now=now))

    assert post("sai-bi-mat").status_code == 401
    assert post(systemid="la-ma").status_code == 401
    assert post(now=datetime.now(UTC) - timedelta(minutes=30)).status_code == 401
    assert post(data=b"<edXML>changed</edXML>").status_code == 400
    assert post(**{"from": "H19.04"}).status_code == 403
    assert http.post("/edoc/sendEdoc", content=body).status_code == 401
    accepted = post()
    assert accepted.status_code == 200
    answer = accepted.json()
    assert answer["status"] == "OK" and answer["ErrorCode"] == "QUARANTINED" and answer["quarantine_id"]
    assert dong_nai.quarantine.get(answer["quarantine_id"]).transport == "http"


def test_unreachable_peer_is_retried_later(installation: Installation) -> None:
    province_tree(installation)

    def refuse(base_url: str) -> httpx.Client:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        return httpx.Client(transport=httpx.MockTransport(handler))

    docs = documents_for(installation, http_client=refuse)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    docs.peers.add("Khánh Hòa", base_url="http://127.0.0.1:9/edoc", organ_prefixes=["H47"],
                   local_system_id="dongnai", remote_system_id="khanhhoa", secret=SECRET)
    doc = docs.issue(cong_van(kinh_gui=("H47.05",)))
    recipient, = doc.recipients
    assert recipient.sent_at is None and recipient.status_name == "Chờ gửi"
    assert docs.dispatcher.pending() == 1
