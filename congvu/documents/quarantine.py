"""Packages refused or flagged on arrival, kept with their bytes for a person to inspect.

Nothing that arrives is silently dropped (NĐ 30/2020/NĐ-CP Điều 21.2: invalid or misaddressed documents are
returned through the system, and a record of them stays). Reasons:

- ``malformed``: not a readable edXML package (not XML, wrong namespace, a required element missing);
- ``invalid``: readable but unusable (no recipient, a main file that is not a PDF, a broken signature);
- ``misaddressed``: none of its ``To`` agencies is in this installation;
- ``duplicate``: the same DocumentId already arrived at that agency (not registered twice);
- ``unknown_document``: a status about a document we never sent (or never received);
- ``unexpected_status``: a status that does not fit where the document stands;
- ``error``: taking the package in failed (it came by mail: the message itself is in the agency mailbox).
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from congvu.documents.context import DocContext, as_utc
from congvu.documents.models import QuarantineItem
from congvu.errors import NotFound
from congvu.store.schema_documents import doc_quarantine


def keep(conn: Connection, ctx: DocContext, *, data: bytes, transport: str, reason: str, message: str,
         message_en: str, kind: str | None = None, document_id: str | None = None,
         from_organ_id: str | None = None) -> int:
    """Store the package and a row saying why it was set aside; return the row's id."""
    ref = ctx.blobs.put(data)
    return int(conn.execute(insert(doc_quarantine).values(
        received_at=ctx.now(), transport=transport, reason=reason, message=message[:4000],
        message_en=message_en[:4000], kind=kind, document_id=(document_id or None) and document_id[:120],
        from_organ_id=(from_organ_id or None) and from_organ_id[:35], sha256=ref.sha256, size=ref.size,
    )).inserted_primary_key[0])


def _item(row: object) -> QuarantineItem:
    r = row
    return QuarantineItem(r.id, as_utc(r.received_at), r.transport, r.reason,  # type: ignore[attr-defined, arg-type]
                          r.message, r.message_en, r.kind, r.document_id, r.from_organ_id,  # type: ignore[attr-defined]
                          r.sha256, r.size, as_utc(r.resolved_at))  # type: ignore[attr-defined]


class Quarantine:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def list(self, *, include_resolved: bool = False, reason: str | None = None) -> list[QuarantineItem]:
        with self.ctx.db.read() as conn:
            query = select(doc_quarantine).order_by(doc_quarantine.c.id)
            if not include_resolved:
                query = query.where(doc_quarantine.c.resolved_at.is_(None))
            if reason:
                query = query.where(doc_quarantine.c.reason == reason)
            return [_item(r) for r in conn.execute(query)]

    def get(self, item_id: int) -> QuarantineItem:
        with self.ctx.db.read() as conn:
            row = conn.execute(select(doc_quarantine).where(doc_quarantine.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"Không có mục cách ly số {item_id}", message_en=f"No quarantine item {item_id}",
                           field="quarantine")
        return _item(row)

    def package(self, item_id: int) -> bytes:
        return self.ctx.blobs.get(self.get(item_id).sha256)

    def resolve(self, item_id: int, *, actor: str = "system") -> QuarantineItem:
        self.get(item_id)
        with self.ctx.db.begin() as conn:
            conn.execute(update(doc_quarantine).where(doc_quarantine.c.id == item_id)
                         .values(resolved_at=self.ctx.now()))
            self.ctx.audit(conn, actor, "doc.quarantine.resolve", str(item_id))
        return self.get(item_id)
