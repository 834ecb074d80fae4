"""The trust list: certificates whose signatures on incoming PDFs are accepted as authentic.

NĐ 30/2020/NĐ-CP Điều 21.2.a: the Văn thư checks the authenticity and integrity of an electronic document on
arrival. A signature is *trusted* when its certificate chains to one of these anchors (the root of the
Government's specialised CA, a public CA licensed in Vietnam, or a province's test CA). Anchors are kept in
``doc_trust_anchors`` by SHA-256 fingerprint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from sqlalchemy import Connection, delete, insert, select

from congvu.documents.context import DocContext
from congvu.documents.signatures import load_certificates
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema_documents import doc_trust_anchors


@dataclass(frozen=True)
class TrustAnchor:
    id: int
    name: str
    fingerprint: str


class TrustList:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx
        self._parsed: dict[str, tuple[asn1_x509.Certificate, ...]] = {}

    def add(self, data: bytes, *, name: str | None = None, actor: str = "system") -> list[TrustAnchor]:
        """Trust the certificates of a PEM (one or several) or DER file."""
        try:
            certs = load_certificates([data])
        except (ValueError, TypeError) as error:
            raise InvalidInput(f"Không đọc được chứng thư: {error}", message_en=f"Unreadable certificate: {error}",
                               field="certificate") from None
        if not certs:
            raise InvalidInput("Tệp không chứa chứng thư nào", message_en="No certificate in the file",
                               field="certificate")
        added: list[TrustAnchor] = []
        with self.ctx.db.begin() as conn:
            for cert in certs:
                fingerprint = hashlib.sha256(cert.dump()).hexdigest()
                if conn.execute(select(doc_trust_anchors.c.id).where(
                        doc_trust_anchors.c.fingerprint == fingerprint)).first():
                    raise Conflict(f"Chứng thư {cert.subject.human_friendly} đã có trong danh sách tin cậy",
                                   message_en="Certificate already trusted", field="certificate")
                title = name or cert.subject.human_friendly
                pem_text = pem.armor("CERTIFICATE", cert.dump()).decode("ascii")
                new_id = conn.execute(insert(doc_trust_anchors).values(
                    name=title[:300], fingerprint=fingerprint, pem=pem_text,
                    added_at=self.ctx.now())).inserted_primary_key[0]
                self.ctx.audit(conn, actor, "doc.trust.add", fingerprint, {"name": title})
                added.append(TrustAnchor(int(new_id), title, fingerprint))
        return added

    def list(self) -> list[TrustAnchor]:
        with self.ctx.db.read() as conn:
            return [TrustAnchor(r.id, r.name, r.fingerprint)
                    for r in conn.execute(select(doc_trust_anchors).order_by(doc_trust_anchors.c.id))]

    def remove(self, fingerprint: str, *, actor: str = "system") -> None:
        with self.ctx.db.begin() as conn:
            result = conn.execute(delete(doc_trust_anchors).where(
                doc_trust_anchors.c.fingerprint == fingerprint.lower()))
            if result.rowcount == 0:
                raise NotFound(f"Không có chứng thư {fingerprint} trong danh sách tin cậy", field="fingerprint")
            self.ctx.audit(conn, actor, "doc.trust.remove", fingerprint)

    def roots(self, conn: Connection) -> list[asn1_x509.Certificate]:
        """The trusted certificates, each read from its PEM once (every arrival asks for them)."""
        out: list[asn1_x509.Certificate] = []
        for r in conn.execute(select(doc_trust_anchors.c.fingerprint, doc_trust_anchors.c.pem)):
            certs = self._parsed.get(r.fingerprint)
            if certs is None:
                certs = self._parsed[r.fingerprint] = tuple(load_certificates([r.pem.encode("ascii")]))
            out.extend(certs)
        return out
