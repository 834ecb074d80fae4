"""Bulk import of people from an HR spreadsheet (``congvu account import FILE``).

Every row is validated first against a snapshot of the directory; then the good rows are written in batches.
A bad row is reported with the spreadsheet's own row number and why; it never stops the good rows, and nothing
is half-written: a batch that fails as a whole (a concurrent change took an address) is retried row by row.
People already in the directory (same address, or same name in the same agency and unit) are matched, not
created twice; each import is recorded so that the account review can list people missing from the latest one.
Accounts created by an import have no password yet: an administrator sets one (``account reset-password``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from congvu.directory import addresses
from congvu.directory.accounts import AccountService, optional_line, validate_phone
from congvu.directory.context import DirectoryContext
from congvu.directory.spreadsheet import SheetRow, read_people_file
from congvu.errors import CongVuError
from congvu.store.schema import accounts, address_registry, agencies, import_batches
from congvu.vntext.collation import name_sort_key
from congvu.vntext.fold import fold
from congvu.vntext.naming import local_part_candidates, to_ascii_slug
from congvu.vntext.normalize import clean_line

BATCH_ROWS = 500


@dataclass(frozen=True)
class ImportedPerson:
    row: int
    address: str
    full_name: str
    agency: str
    unit: str | None
    position: str | None
    phone: str | None


@dataclass(frozen=True)
class Rejection:
    row: int
    reason: str


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    created: list[ImportedPerson] = field(default_factory=list)
    matched: list[ImportedPerson] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    batch_id: int | None = None


@dataclass(frozen=True)
class _AgencyRef:
    id: int
    code: str
    short_name: str


@dataclass(frozen=True)
class _Planned:
    person: ImportedPerson
    agency_id: int
    match_id: int | None


class _Snapshot:
    """What validation needs to know of the directory, read once."""

    def __init__(self, conn: Connection, ctx: DirectoryContext) -> None:
        self.by_key: dict[str, _AgencyRef | None] = {}
        for row in conn.execute(select(agencies.c.id, agencies.c.code, agencies.c.legacy_code, agencies.c.name_fold,
                                       agencies.c.short_name).where(agencies.c.status == "active")):
            ref = _AgencyRef(row.id, row.code, row.short_name)
            for key in (row.code, row.legacy_code):
                if key:
                    self.by_key[key.upper()] = ref
            for key in (row.name_fold, "~" + row.short_name.upper()):
                # A name shared by two agencies is ambiguous: remember that with None.
                self.by_key[key] = None if key in self.by_key and self.by_key[key] != ref else ref
        self.taken = addresses.taken_addresses(conn, ctx.now())
        self.people: dict[tuple[str, int, str], list[int]] = {}
        self.by_address: dict[str, tuple[int, str]] = {}
        self.address_of: dict[int, str] = {}
        for row in conn.execute(select(accounts.c.id, accounts.c.address, accounts.c.name_fold, accounts.c.agency_id,
                                       accounts.c.unit, accounts.c.status).where(accounts.c.kind == "person")):
            self.by_address[row.address] = (row.id, row.name_fold)
            self.address_of[row.id] = row.address
            if row.status == "active" and row.agency_id is not None:
                key = (row.name_fold, row.agency_id, fold(row.unit or ""))
                self.people.setdefault(key, []).append(row.id)

    def agency(self, text: str) -> _AgencyRef:
        for key in (text.strip().upper(), fold(text), "~" + text.strip().upper()):
            if key in self.by_key:
                ref = self.by_key[key]
                if ref is None:
                    raise CongVuError(f"cơ quan «{text}» trùng tên với cơ quan khác; hãy ghi mã định danh")
                return ref
        raise CongVuError(f"không có cơ quan «{text}» (ghi mã định danh hoặc tên đầy đủ)")


class PeopleImporter:
    def __init__(self, ctx: DirectoryContext, account_service: AccountService) -> None:
        self.ctx = ctx
        self.accounts = account_service

    def _plan_row(self, row: SheetRow, snap: _Snapshot, seen: dict[tuple[str, str, str, str], int]) -> _Planned:
        values = row.values
        name = clean_line(values.get("full_name", ""), field="Họ và tên")
        if not values.get("agency"):
            raise CongVuError("thiếu «Cơ quan»")
        agency = snap.agency(values["agency"])
        unit = optional_line(values.get("unit"), "Phòng")
        position = optional_line(values.get("position"), "Chức vụ")
        phone = validate_phone(values.get("phone"))
        duplicate_key = (fold(name), agency.code, fold(unit or ""), phone or "")
        if duplicate_key in seen:
            raise CongVuError(f"trùng với dòng {seen[duplicate_key]} (cùng họ tên, cơ quan, phòng, điện thoại)")
        seen[duplicate_key] = row.number
        match_id: int | None = None
        email = values.get("email", "").strip()
        if email:
            address = addresses.normalise_local_address(self.ctx, email)
            existing = snap.by_address.get(address)
            if existing is not None:
                if existing[1] != fold(name):
                    raise CongVuError(f"địa chỉ «{address}» đã thuộc về người khác")
                match_id = existing[0]
            elif address in snap.taken:
                raise CongVuError(f"địa chỉ «{address}» đã được cấp hoặc đang được giữ lại")
        else:
            same = snap.people.get((fold(name), agency.id, fold(unit or "")), [])
            if len(same) == 1:
                match_id = same[0]
                address = snap.address_of[match_id]
            else:
                candidates = local_part_candidates(name, self.ctx.naming_pattern,
                                                   suffix=to_ascii_slug(agency.short_name))
                address = addresses.first_free(candidates, self.ctx.domain, snap.taken)
        if match_id is None:
            snap.taken.add(address)
        person = ImportedPerson(row.number, address, name, agency.code, unit, position, phone)
        return _Planned(person, agency.id, match_id)

    def run(self, path: Path, *, dry_run: bool = False, actor: str = "system",
            progress: Callable[[Iterable[SheetRow]], Iterable[SheetRow]] | None = None) -> ImportReport:
        report = ImportReport(source=path.name, dry_run=dry_run)
        rows: Iterable[SheetRow] = read_people_file(path)
        if progress is not None:
            rows = progress(rows)
        planned: list[_Planned] = []
        with self.ctx.db.read() as conn:
            snap = _Snapshot(conn, self.ctx)
        seen: dict[tuple[str, str, str, str], int] = {}
        for row in rows:
            try:
                planned.append(self._plan_row(row, snap, seen))
            except CongVuError as exc:
                report.rejected.append(Rejection(row.number, exc.message))
        if dry_run:
            for plan in planned:
                (report.matched if plan.match_id else report.created).append(plan.person)
            return report
        with self.ctx.db.begin() as conn:
            report.batch_id = int(conn.execute(insert(import_batches).values(
                at=self.ctx.now(), source=path.name, actor=actor, created_count=0, matched_count=0,
                rejected_count=0)).inserted_primary_key[0])
        for start in range(0, len(planned), BATCH_ROWS):
            chunk = planned[start:start + BATCH_ROWS]
            try:
                with self.ctx.db.begin() as conn:
                    self._write_many(conn, chunk, report.batch_id)
                for plan in chunk:
                    (report.matched if plan.match_id else report.created).append(plan.person)
            except (IntegrityError, CongVuError):
                for plan in chunk:  # someone else changed the directory meanwhile: go row by row
                    try:
                        with self.ctx.db.begin() as conn:
                            self._write(conn, plan, report.batch_id)
                        (report.matched if plan.match_id else report.created).append(plan.person)
                    except (IntegrityError, CongVuError) as exc:
                        reason = exc.message if isinstance(exc, CongVuError) else "xung đột khi ghi (thử lại)"
                        report.rejected.append(Rejection(plan.person.row, reason))
        report.rejected.sort(key=lambda r: r.row)
        with self.ctx.db.begin() as conn:
            conn.execute(update(import_batches).where(import_batches.c.id == report.batch_id).values(
                created_count=len(report.created), matched_count=len(report.matched),
                rejected_count=len(report.rejected)))
            self.ctx.audit(conn, actor, "account.import", path.name, {
                "created": len(report.created), "matched": len(report.matched),
                "rejected": len(report.rejected)})
        return report

    def _write_many(self, conn: Connection, plans: list[_Planned], batch_id: int) -> None:
        """Write a validated batch with a few multi-row statements (the registry's primary key still guards)."""
        now = self.ctx.now()
        matched = [p.match_id for p in plans if p.match_id is not None]
        if matched:
            conn.execute(update(accounts).where(accounts.c.id.in_(matched)).values(last_import_id=batch_id))
        new = [p for p in plans if p.match_id is None]
        if not new:
            return
        conn.execute(insert(accounts), [{
            "address": p.person.address, "kind": "person", "full_name": p.person.full_name,
            "name_fold": fold(p.person.full_name), "name_key": name_sort_key(p.person.full_name),
            "agency_id": p.agency_id, "unit": p.person.unit, "position": p.person.position,
            "phone": p.person.phone, "status": "active", "password_hash": None, "created_at": now,
            "updated_at": now, "last_import_id": batch_id} for p in new])
        wanted = [p.person.address for p in new]
        ids = dict(conn.execute(select(accounts.c.address, accounts.c.id).where(accounts.c.address.in_(wanted))).all())
        # Released addresses whose retention is over may be claimed again: their old registry rows go.
        conn.execute(delete(address_registry).where(address_registry.c.address.in_(wanted),
                                                    address_registry.c.released_at.is_not(None)))
        conn.execute(insert(address_registry), [{"address": a, "kind": "account", "owner_id": ids[a],
                                                 "claimed_at": now} for a in wanted])

    def _write(self, conn: Connection, plan: _Planned, batch_id: int) -> None:
        p = plan.person
        if plan.match_id is not None:
            conn.execute(update(accounts).where(accounts.c.id == plan.match_id).values(last_import_id=batch_id))
            return
        self.accounts.insert_person(conn, full_name=p.full_name, agency_id=plan.agency_id, address=p.address,
                                    unit=p.unit, position=p.position, phone=p.phone, password=None,
                                    import_id=batch_id)
