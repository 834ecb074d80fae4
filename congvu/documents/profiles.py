"""Per-agency document settings: the place name of the dateline and the agency's signing certificate.

NĐ 30/2020/NĐ-CP Phụ lục I I.4: the địa danh is the official name of the administrative unit where the agency
sits (``Biên Hòa``); when an agency has none set, the installation's default is used. The agency's digital
signature is applied by the Văn thư with the agency's key (Điều 32.2.d, 33.2): the PKCS#12 file is copied into
the data folder (``signing/<code>.p12``, mode 0600) with its passphrase beside it, and only their paths are kept in
the database.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from congvu.documents.context import DocContext
from congvu.documents.signatures import SigningKey
from congvu.errors import ConfigError
from congvu.store.schema_documents import doc_agency_profiles
from congvu.vntext.normalize import clean_line


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class AgencyProfiles:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def _upsert(self, conn: Connection, agency_id: int, **values: str | datetime | None) -> None:
        values["updated_at"] = self.ctx.now()
        exists = conn.execute(select(doc_agency_profiles.c.agency_id).where(
            doc_agency_profiles.c.agency_id == agency_id)).first()
        if exists:
            conn.execute(update(doc_agency_profiles).where(doc_agency_profiles.c.agency_id == agency_id)
                         .values(**values))
        else:
            conn.execute(insert(doc_agency_profiles).values(agency_id=agency_id, **values))

    def set_place(self, agency: str, place: str, *, actor: str = "system") -> str:
        name = clean_line(place, field="Địa danh", max_chars=100)
        with self.ctx.db.begin() as conn:
            found = self.ctx.agency(conn, agency)
            self._upsert(conn, found.id, place=name)
            self.ctx.audit(conn, actor, "doc.profile.place", found.code, {"place": name})
        return name

    def place(self, conn: Connection, agency_id: int) -> str:
        value = conn.execute(select(doc_agency_profiles.c.place).where(
            doc_agency_profiles.c.agency_id == agency_id)).scalar()
        return value or self.ctx.default_place

    def set_signing_key(self, agency: str, pkcs12: bytes, passphrase: bytes | None, *,
                        actor: str = "system") -> None:
        """Keep the agency's PKCS#12 certificate (checked to open with the passphrase first)."""
        SigningKey(pkcs12, passphrase).signer()
        if self.ctx.data_root is None:
            raise ConfigError("Cài đặt không có thư mục dữ liệu để giữ chứng thư ký số",
                              message_en="No data folder to keep the signing certificate in")
        with self.ctx.db.begin() as conn:
            found = self.ctx.agency(conn, agency)
            folder = self.ctx.data_root / "signing"
            p12_path = folder / f"{found.code}.p12"
            pass_path = folder / f"{found.code}.pass"
            _write_private(p12_path, pkcs12)
            _write_private(pass_path, passphrase or b"")
            self._upsert(conn, found.id, pkcs12_path=str(p12_path), passphrase_path=str(pass_path))
            self.ctx.audit(conn, actor, "doc.profile.signing_key", found.code)

    def signing_key(self, conn: Connection, agency_id: int) -> SigningKey | None:
        row = conn.execute(select(doc_agency_profiles.c.pkcs12_path, doc_agency_profiles.c.passphrase_path)
                           .where(doc_agency_profiles.c.agency_id == agency_id)).first()
        if row is None or not row.pkcs12_path:
            return None
        try:
            data = Path(row.pkcs12_path).read_bytes()
            secret = Path(row.passphrase_path).read_bytes() if row.passphrase_path else b""
        except OSError as error:
            raise ConfigError(f"Không đọc được chứng thư ký số của cơ quan: {error}",
                              message_en=f"Cannot read the agency's signing certificate: {error}") from None
        return SigningKey(data, secret or None)
