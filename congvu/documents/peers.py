"""Other document systems reached over the HTTP exchange (another province's installation, a provincial axis).

A peer is known by its base URL, the system id each side presents to the other and the shared secret of the
HMAC-SHA256 request signature (QĐ 28/2018/QĐ-TTg platform practice: connecting systems are registered with an
id and a secret key). ``organ_prefixes`` says which agency codes the peer serves: a recipient whose code starts
with one of them (``H47`` serves ``H47.*``; ``000.00.00.H47`` style codes match on their level-1 group) is sent
there.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from congvu.clerical.agency_codes import parse_agency_code
from congvu.documents.context import DocContext
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema_documents import doc_exchange_peers
from congvu.vntext.normalize import clean_line


@dataclass(frozen=True)
class Peer:
    id: int
    name: str
    base_url: str
    local_system_id: str
    remote_system_id: str
    secret: str
    organ_prefixes: tuple[str, ...]

    def serves(self, organ_id: str) -> bool:
        code = organ_id.strip().upper()
        try:
            level1 = parse_agency_code(code).level1
        except InvalidInput:
            level1 = ""
        return any(code == p or code.startswith(p + ".") or level1 == p for p in self.organ_prefixes)


def _peer(row: object) -> Peer:
    return Peer(row.id, row.name, row.base_url, row.local_system_id,  # type: ignore[attr-defined]
                row.remote_system_id, row.secret, tuple(row.organ_prefixes))  # type: ignore[attr-defined]


class PeerService:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def add(self, name: str, *, base_url: str, organ_prefixes: Sequence[str], local_system_id: str,
            remote_system_id: str, secret: str | None = None, actor: str = "system") -> Peer:
        title = clean_line(name, field="Tên hệ thống")
        url = base_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise InvalidInput(f"Địa chỉ '{base_url}' phải bắt đầu bằng http:// hoặc https://",
                               message_en="The base URL must be http(s)", field="base_url")
        prefixes = tuple(sorted({p.strip().upper() for p in organ_prefixes if p.strip()}))
        if not prefixes:
            raise InvalidInput("Cần ít nhất một mã cơ quan mà hệ thống này phục vụ (ví dụ H47)",
                               message_en="At least one agency code prefix is required", field="organ_prefixes")
        key = secret or secrets.token_urlsafe(32)
        with self.ctx.db.begin() as conn:
            clash = conn.execute(select(doc_exchange_peers.c.id).where(
                (doc_exchange_peers.c.name == title)
                | (doc_exchange_peers.c.remote_system_id == remote_system_id))).first()
            if clash is not None:
                raise Conflict(f"Đã có hệ thống liên thông «{title}» hoặc mã hệ thống '{remote_system_id}'",
                               message_en="That peer or system id exists", field="name")
            peer_id = conn.execute(insert(doc_exchange_peers).values(
                name=title, base_url=url, local_system_id=local_system_id.strip(),
                remote_system_id=remote_system_id.strip(), secret=key, organ_prefixes=list(prefixes),
                created_at=self.ctx.now())).inserted_primary_key[0]
            self.ctx.audit(conn, actor, "exchange.peer.add", title, {"base_url": url, "prefixes": list(prefixes)})
            return _peer(conn.execute(select(doc_exchange_peers).where(doc_exchange_peers.c.id == peer_id)).one())

    def list(self) -> list[Peer]:
        with self.ctx.db.read() as conn:
            return self.all(conn)

    def all(self, conn: Connection) -> list[Peer]:
        return [_peer(r) for r in conn.execute(select(doc_exchange_peers).order_by(doc_exchange_peers.c.id))]

    def for_code(self, conn: Connection, organ_id: str) -> Peer | None:
        """The peer serving an agency code (the longest matching prefix), or None."""
        matches = [p for p in self.all(conn) if p.serves(organ_id)]
        return max(matches, key=lambda p: max(len(x) for x in p.organ_prefixes), default=None)

    def by_name(self, conn: Connection, name: str) -> Peer:
        row = conn.execute(select(doc_exchange_peers).where(doc_exchange_peers.c.name == name.strip())).first()
        if row is None:
            raise NotFound(f"Không có hệ thống liên thông «{name}»", message_en=f"No peer {name!r}", field="peer")
        return _peer(row)

    def by_remote_system_id(self, conn: Connection, system_id: str) -> Peer | None:
        row = conn.execute(select(doc_exchange_peers).where(
            doc_exchange_peers.c.remote_system_id == system_id.strip())).first()
        return _peer(row) if row is not None else None
