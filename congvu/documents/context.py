"""What every document service needs: the database, the blob store, the directory, a clock and the data folder.

Dates of documents (issue, arrival, registration) are calendar days in Vietnam time (UTC+7, NĐ 30/2020 counts
the year from 1 January to 31 December there); instants are stored in UTC.

A document to eighty agencies looks agencies up by code hundreds of times in one transaction (recipients, their
parents, the ``To`` of the package on arrival, the route of each status), and the directory's own look-up reads
its whole agency table each time. The context reads only the agencies asked for, many codes in one query where it
can, and remembers them while the connection lives: a transaction sees one directory throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Row, insert, select

from congvu.directory.models import Agency, AgencyLevel
from congvu.directory.service import Directory
from congvu.edxml.model import VIETNAM_TIME
from congvu.errors import NotFound
from congvu.store.blobs import BlobStore
from congvu.store.database import Database
from congvu.store.schema import accounts, agencies, audit_log, rollout_waves
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


_PARENT = agencies.alias("parent_agency")
_MAILBOX = (select(accounts.c.address).where(accounts.c.agency_id == agencies.c.id, accounts.c.kind == "agency")
            .order_by(accounts.c.id).limit(1).scalar_subquery())
# The directory's agency as ``Directory.agencies.get`` gives it (mailbox: the agency's first official account).
_AGENCY = (select(agencies.c.id, agencies.c.code, agencies.c.legacy_code, agencies.c.name, agencies.c.short_name,
                  agencies.c.level, _PARENT.c.code.label("parent_code"), _MAILBOX.label("mailbox"), agencies.c.wave,
                  agencies.c.status)
           .outerjoin(_PARENT, _PARENT.c.id == agencies.c.parent_id))


def _agency(row: Row) -> Agency:  # type: ignore[type-arg]
    return Agency(id=row.id, code=row.code, legacy_code=row.legacy_code, name=row.name, short_name=row.short_name,
                  level=AgencyLevel(row.level), parent_code=row.parent_code, mailbox=row.mailbox, wave=row.wave,
                  status=row.status)


class AgencyMemo:
    """The agencies one connection has looked up: by code (the agency of that code, then the one whose legacy
    code it is) and by id."""

    def __init__(self) -> None:
        self.by_code: dict[str, tuple[Agency, ...]] = {}
        self.by_id: dict[int, Agency] = {}

    def load(self, conn: Connection, codes: Iterable[str]) -> None:
        wanted = sorted({c for c in codes if c not in self.by_code})
        if not wanted:
            return
        found = [_agency(r) for r in conn.execute(
            _AGENCY.where(agencies.c.code.in_(wanted) | agencies.c.legacy_code.in_(wanted)))]
        self.by_id.update((a.id, a) for a in found)
        for code in wanted:
            self.by_code[code] = (*(a for a in found if a.code == code),
                                  *(a for a in found if a.legacy_code == code and a.code != code))


@dataclass(frozen=True)
class DocContext:
    db: Database
    blobs: BlobStore
    directory: Directory
    data_root: Path | None = None
    default_place: str = ""
    stamp_font: Path | None = None
    """The TrueType font of the ĐẾN stamp (``[documents] stamp_font``); None: the first installed default."""
    clock: Callable[[], datetime] = field(default=utcnow)
    _memos: WeakKeyDictionary[Connection, AgencyMemo] = field(
        default_factory=WeakKeyDictionary, init=False, repr=False, compare=False)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return vietnam_day(self.now())

    def _memo(self, conn: Connection) -> AgencyMemo:
        memo = self._memos.get(conn)
        if memo is None:
            memo = self._memos[conn] = AgencyMemo()
        return memo

    def preload_agencies(self, conn: Connection, codes: Iterable[str]) -> None:
        """Look up many codes in one query (the recipients of a document, the ``To`` of a package)."""
        self._memo(conn).load(conn, (c.strip().upper() for c in codes))

    def _by_code(self, conn: Connection, code: str) -> tuple[Agency, ...]:
        memo = self._memo(conn)
        memo.load(conn, (code,))
        return memo.by_code[code]

    def agency(self, conn: Connection, ref: str) -> Agency:
        """An agency of the directory by code, legacy code or name; NotFound otherwise."""
        found = self._by_code(conn, ref.strip().upper())
        return found[0] if found else self.directory.agencies.get(conn, ref)

    def find_agency(self, conn: Connection, code: str) -> Agency | None:
        """The active local agency with this code (either form), or None."""
        return next((a for a in self._by_code(conn, code.strip().upper()) if a.status == "active"), None)

    def agency_by_id(self, conn: Connection, agency_id: int) -> Agency:
        memo = self._memo(conn)
        found = memo.by_id.get(agency_id)
        if found is None:
            row = conn.execute(_AGENCY.where(agencies.c.id == agency_id)).first()
            if row is None:
                raise NotFound(f"Không có cơ quan số {agency_id}", message_en=f"No agency {agency_id}",
                               field="agency")
            found = memo.by_id[agency_id] = _agency(row)
        return found

    def wave_start(self, conn: Connection, wave: int | None) -> date | None:
        if wave is None:
            return None
        return conn.execute(select(rollout_waves.c.starts_on).where(rollout_waves.c.number == wave)).scalar()

    def audit(self, conn: Connection, actor: str, action: str, target: str,
              details: dict[str, object] | None = None) -> None:
        conn.execute(insert(audit_log).values(at=self.now(), actor=actor, action=action, target=target,
                                              details=details))
