"""What every document service needs: the database, the blob store, the directory, a clock and the data folder.

Dates of documents (issue, arrival, registration) are calendar days in Vietnam time (UTC+7, NĐ 30/2020 counts
the year from 1 January to 31 December there); instants are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from congvu.directory.models import Agency
from congvu.directory.service import Directory
from congvu.edxml.model import VIETNAM_TIME
from congvu.errors import NotFound
from congvu.store.blobs import BlobStore
from congvu.store.database import Database
from congvu.store.schema import agencies, audit_log, rollout_waves
from congvu.vntext.normalize import clean_line, clean_text


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_utc(value: datetime) -> datetime:
    """An aware instant in UTC, as stored (SQLite keeps no offset: every stored time must be UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def optional_line(value: str | None, *, field: str, max_chars: int = 300) -> str:
    """A cleaned one-line field that may be left empty (``""``)."""
    return clean_line(value, field=field, max_chars=max_chars) if value and value.strip() else ""


def optional_text(value: str | None, *, field: str, max_chars: int = 100_000) -> str:
    """A cleaned multi-line field that may be left empty (``""``)."""
    return clean_text(value, field=field, max_chars=max_chars) if value and value.strip() else ""


def vietnam_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Vietnam."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM_TIME).date()


@dataclass(frozen=True)
class DocContext:
    db: Database
    blobs: BlobStore
    directory: Directory
    data_root: Path | None = None
    default_place: str = ""
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return vietnam_day(self.now())

    def agency(self, conn: Connection, ref: str) -> Agency:
        """An agency of the directory by code, legacy code or name; NotFound otherwise."""
        return self.directory.agencies.get(conn, ref)

    def find_agency(self, conn: Connection, code: str) -> Agency | None:
        """The active local agency with this code (either form), or None."""
        text = code.strip().upper()
        row = conn.execute(select(agencies.c.code).where(
            ((agencies.c.code == text) | (agencies.c.legacy_code == text)) & (agencies.c.status == "active"))).first()
        if row is None:
            return None
        try:
            return self.directory.agencies.get(conn, row.code)
        except NotFound:
            return None

    def agency_by_id(self, conn: Connection, agency_id: int) -> Agency:
        code = conn.execute(select(agencies.c.code).where(agencies.c.id == agency_id)).scalar_one()
        return self.directory.agencies.get(conn, code)

    def wave_start(self, conn: Connection, wave: int | None) -> date | None:
        if wave is None:
            return None
        return conn.execute(select(rollout_waves.c.starts_on).where(rollout_waves.c.number == wave)).scalar()

    def audit(self, conn: Connection, actor: str, action: str, target: str,
              details: dict[str, object] | None = None) -> None:
        conn.execute(insert(audit_log).values(at=self.now(), actor=actor, action=action, target=target,
                                              details=details))
