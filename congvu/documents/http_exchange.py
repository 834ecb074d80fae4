"""The HTTP exchange between document systems, in the style of the national platform (VDXP).

QĐ 28/2018/QĐ-TTg platform practice (its SDK): HTTP with JSON answers, the edXML package as the raw request body
of ``POST …/sendEdoc``, parameters as headers (``from``, ``messagetype`` = ``edoc`` | ``status``,
``servicetype`` = ``eDoc``, ``hash-file`` = SHA-256 of the body), and every call signed with HMAC-SHA256 over
the parameter headers with the secret shared by the two systems. Here:

- the caller sends ``systemid`` (its id as the peer knows it), ``timestamp`` (ISO 8601 with offset), ``nonce``,
  and ``sign-header-key`` (the names of the signed headers, ``;``-joined, which must include every parameter);
- ``hash-header`` = hex HMAC-SHA256(secret, JSON object of those headers in that order, compact, ASCII);
- the receiver looks the peer up by ``systemid``, recomputes the HMAC (constant-time compare), refuses a
  timestamp more than five minutes away, checks ``hash-file`` against the body and that ``from`` is an agency the
  peer serves, then hands the package to the arrival entry point. A repeated package is caught as a duplicate.

Answers are JSON ``{"status": "OK" | "FAIL", "ErrorCode": "0" | …, "ErrorDesc": …, "DocId": …}``. "OK" means
the package is stored (accepted, or kept in quarantine with the reason): a transport acknowledgement, distinct
from the business statuses that follow as status packages.

:func:`exchange_router` builds the FastAPI router (mount it under ``/api/v1/edoc`` or any prefix);
:class:`ExchangeClient` and :class:`HttpTransport` are the sending side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from congvu.documents.context import DocContext
from congvu.documents.peers import Peer, PeerService
from congvu.documents.transport import OutgoingPackage, TransportError

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService

MAX_SKEW = timedelta(minutes=5)
SIGNED_PARAMETERS = ("from", "to", "messagetype", "servicetype", "hash-file", "systemid", "timestamp", "nonce")
REQUIRED = frozenset({"from", "messagetype", "hash-file", "systemid", "timestamp", "nonce"})
MAX_BODY_BYTES = 64 * 1024 * 1024


def signature(secret: str, headers: Mapping[str, str], names: list[str]) -> str:
    """Hex HMAC-SHA256 of the JSON object of ``names`` → header value, in that order."""
    payload = json.dumps({n: headers.get(n, "") for n in names}, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).hexdigest()


def signed_headers(secret: str, params: Mapping[str, str], *, now: datetime | None = None) -> dict[str, str]:
    """The headers of a signed request: the parameters, the time, a nonce, the key list and the HMAC."""
    headers = dict(params)
    headers["timestamp"] = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    headers["nonce"] = secrets.token_hex(12)
    names = [n for n in SIGNED_PARAMETERS if n in headers]
    headers["sign-header-key"] = ";".join(names)
    headers["hash-header"] = signature(secret, headers, names)
    return headers


class ExchangeClient:
    """Calls a peer's exchange endpoint."""

    def __init__(self, base_url: str, *, system_id: str, secret: str, client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.system_id = system_id
        self.secret = secret
        self.client = client or httpx.Client(timeout=30.0)

    def send(self, data: bytes, *, message_type: str, from_code: str, to_code: str) -> dict[str, object]:
        params = {"from": from_code, "to": to_code, "messagetype": message_type, "servicetype": "eDoc",
                  "hash-file": hashlib.sha256(data).hexdigest(), "systemid": self.system_id}
        headers = signed_headers(self.secret, params)
        headers["content-type"] = "application/octet-stream"
        response = self.client.post(f"{self.base_url}/sendEdoc", content=data, headers=headers)
        try:
            answer = response.json()
        except ValueError:
            answer = {"status": "FAIL", "ErrorCode": str(response.status_code), "ErrorDesc": response.text[:500]}
        if response.status_code != 200 or not isinstance(answer, dict):
            raise TransportError(f"Hệ thống nhận trả lời {response.status_code}: {answer}",
                                 message_en=f"Peer answered {response.status_code}")
        return answer

    def agencies(self) -> list[dict[str, object]]:
        headers = signed_headers(self.secret, {"from": "", "messagetype": "agencies", "hash-file":
                                               hashlib.sha256(b"").hexdigest(), "systemid": self.system_id})
        response = self.client.post(f"{self.base_url}/getAgenciesList", content=b"", headers=headers)
        if response.status_code != 200:
            raise TransportError(f"Hệ thống nhận trả lời {response.status_code}", field="peer")
        data = response.json().get("data", [])
        return list(data) if isinstance(data, list) else []


class HttpTransport:
    """The ``http`` transport: a package for an agency served by a peer goes to that peer's endpoint."""

    name = "http"

    def __init__(self, ctx: DocContext, peers: PeerService,
                 client_factory: Callable[[str], httpx.Client] | None = None) -> None:
        self.ctx = ctx
        self.peers = peers
        self.client_factory = client_factory

    def client_for(self, peer: Peer) -> ExchangeClient:
        client = self.client_factory(peer.base_url) if self.client_factory else None
        return ExchangeClient(peer.base_url, system_id=peer.local_system_id, secret=peer.secret, client=client)

    def deliver(self, package: OutgoingPackage) -> None:
        with self.ctx.db.read() as conn:
            peer = self.peers.for_code(conn, package.recipient_organ_id)
        if peer is None:
            raise TransportError(f"Không có hệ thống liên thông nào nhận mã {package.recipient_organ_id}")
        try:
            self.client_for(peer).send(package.data, message_type=package.kind.value,
                                       from_code=package.sender_organ_id, to_code=package.recipient_organ_id)
        except httpx.HTTPError as error:
            raise TransportError(f"Không gửi được tới {peer.name}: {error}",
                                 message_en=f"Cannot reach {peer.name}: {error}") from None


def _fail(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"status": "FAIL", "ErrorCode": code, "ErrorDesc": message}, status_code=status)


def _check(request: Request, body: bytes, peers: PeerService, ctx: DocContext) -> Peer | JSONResponse:
    headers = {k.lower(): v for k, v in request.headers.items()}
    names = [n.strip().lower() for n in headers.get("sign-header-key", "").split(";") if n.strip()]
    if not set(names) >= REQUIRED:
        return _fail(401, "AUTH", "Thiếu chữ ký yêu cầu (sign-header-key, hash-header)")
    with ctx.db.read() as conn:
        peer = peers.by_remote_system_id(conn, headers.get("systemid", ""))
    if peer is None:
        return _fail(401, "AUTH", "Hệ thống gọi chưa được đăng ký")
    expected = signature(peer.secret, headers, names)
    if not hmac.compare_digest(expected, headers.get("hash-header", "")):
        return _fail(401, "AUTH", "Chữ ký HMAC của yêu cầu không đúng")
    try:
        sent_at = datetime.fromisoformat(headers["timestamp"])
    except ValueError:
        return _fail(401, "AUTH", "Thời điểm yêu cầu không đọc được")
    if sent_at.tzinfo is None or abs(ctx.now() - sent_at) > MAX_SKEW:
        return _fail(401, "AUTH", "Thời điểm yêu cầu lệch quá 5 phút")
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), headers["hash-file"].lower()):
        return _fail(400, "HASH", "hash-file không khớp nội dung gửi")
    sender = headers.get("from", "")
    if sender and not peer.serves(sender):
        return _fail(403, "FORBIDDEN", f"Hệ thống {peer.name} không được gửi thay cơ quan {sender}")
    return peer


def exchange_router(docs: DocumentService, *, max_body_bytes: int = MAX_BODY_BYTES) -> APIRouter:
    """The exchange endpoints over the document services of an installation."""
    router = APIRouter()

    @router.post("/sendEdoc")
    async def send_edoc(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > max_body_bytes:
            return _fail(413, "TOO_LARGE", f"Gói tin vượt {max_body_bytes} byte")
        checked = _check(request, body, docs.peers, docs.ctx)
        if isinstance(checked, JSONResponse):
            return checked
        target = request.headers.get("to") or None
        arrival = await run_in_threadpool(docs.receive, body, transport="http", for_agency=target)
        return JSONResponse({
            "status": "OK", "ErrorCode": "0" if arrival.accepted else "QUARANTINED",
            "ErrorDesc": arrival.problem or "", "DocId": arrival.document_id or "",
            "entries": [e.id for e in arrival.entries], "duplicates": list(arrival.duplicates),
            "quarantine_id": arrival.quarantine_id})

    @router.post("/getAgenciesList")
    async def agencies(request: Request) -> JSONResponse:
        body = await request.body()
        checked = _check(request, body, docs.peers, docs.ctx)
        if isinstance(checked, JSONResponse):
            return checked
        items = docs.ctx.directory.agencies.list()
        return JSONResponse({"status": "OK", "ErrorCode": "0", "data": [
            {"code": a.code, "code102": a.legacy_code, "name": a.name, "mail": a.mailbox} for a in items]})

    return router
