"""Files of documents: stored once in the blob store, listed per document in ``doc_files``.

A document sent to eighty agencies keeps one copy of each file: the blob store is content-addressed (SHA-256)
and each incoming entry points at the same blob. Blobs are written and fsynced before the rows pointing at them
commit (the blob store's own rule).
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from congvu.documents.context import DocContext
from congvu.documents.models import FileView, SignatureView
from congvu.edxml.attachments import media_type_for
from congvu.store.blobs import BlobRef
from congvu.store.schema_documents import doc_files, doc_signatures
from congvu.vntext.normalize import clean_line

MAX_NAME = 255


def safe_name(name: str) -> str:
    """The file's own name: no folders, no control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = clean_line(base, field="Tên tệp") if base.strip() else "tep"
    return cleaned[-MAX_NAME:]


def store_file(conn: Connection, ctx: DocContext, *, owner: str, owner_id: int, role: str, position: int,
               name: str, data: bytes, content_type: str = "") -> int:
    return add_file(conn, owner=owner, owner_id=owner_id, role=role, position=position, name=name,
                    ref=ctx.blobs.put(data), content_type=content_type)


def add_file(conn: Connection, *, owner: str, owner_id: int, role: str, position: int, name: str, ref: BlobRef,
             content_type: str = "") -> int:
    """List a file whose bytes are in the blob store already (one blob for every entry that holds it)."""
    shown = safe_name(name)
    return int(conn.execute(insert(doc_files).values(
        owner=owner, owner_id=owner_id, role=role, position=position, name=shown,
        content_type=content_type or media_type_for(shown), sha256=ref.sha256, size=ref.size,
    )).inserted_primary_key[0])


def replace_bytes(conn: Connection, ctx: DocContext, file_id: int, data: bytes) -> None:
    """Point a file at new bytes (the signed PDF replaces the unsigned one at issue)."""
    ref = ctx.blobs.put(data)
    conn.execute(update(doc_files).where(doc_files.c.id == file_id).values(sha256=ref.sha256, size=ref.size))


def file_rows(conn: Connection, owner: str, owner_id: int) -> list[FileView]:
    rows = conn.execute(select(doc_files).where(doc_files.c.owner == owner, doc_files.c.owner_id == owner_id)
                        .order_by(doc_files.c.position)).all()
    return [FileView(r.id, r.role, r.name, r.content_type, r.sha256, r.size) for r in rows]


def read_file(ctx: DocContext, view: FileView) -> bytes:
    return ctx.blobs.get(view.sha256)


def signature_rows(conn: Connection, owner: str, owner_id: int) -> list[SignatureView]:
    rows = conn.execute(select(doc_signatures, doc_files.c.name.label("file_name"))
                        .join(doc_files, doc_files.c.id == doc_signatures.c.file_id)
                        .where(doc_files.c.owner == owner, doc_files.c.owner_id == owner_id)
                        .order_by(doc_files.c.position, doc_signatures.c.id)).all()
    return [SignatureView(r.file_name, r.signer_name, r.issuer, r.signing_time, r.intact, r.valid, r.trusted,
                          r.covers_whole_file, r.summary) for r in rows]
