"""Registers (sổ văn bản đi, sổ văn bản đến) and the numbers they give.

NĐ 30/2020/NĐ-CP Điều 15: outgoing documents are numbered in the order they are issued within the calendar year,
from 01 on 1 January to 31 December, in one register or several as the head of the agency decides; the number
and time of an electronic document are given by the system. Điều 22.2: incoming documents take a số đến in the
order of arrival within the year, one sequence for paper and electronic documents.

An outgoing register lists the types it numbers; a register without a list numbers every type no other register
takes. An agency without registers gets "Sổ văn bản đi" (every type) and "Sổ văn bản đến" when it first needs
them.

Numbers come from ``doc_register_counters``: one row per (register, year), incremented by an ``UPDATE … RETURNING``
inside the caller's transaction, the one that also stores the document. The UPDATE holds the row lock until the
transaction ends (PostgreSQL row lock; SQLite writers are serialised by ``BEGIN IMMEDIATE``), so two clerks, two
threads or two server processes never get the same number, and a transaction that fails gives its number back
by rolling back with it: no gap, no reuse. The first number of a year inserts the row with ``ON CONFLICT DO
NOTHING`` so that two first issues of the year cannot collide either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Insert, Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from congvu.clerical.doctypes import resolve_type
from congvu.documents.context import DocContext
from congvu.documents.models import Direction, Register
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema_documents import doc_register_counters, doc_registers
from congvu.vntext.normalize import clean_line

DEFAULT_NAMES = {Direction.OUTGOING: "Sổ văn bản đi", Direction.INCOMING: "Sổ văn bản đến"}


def _dialect_insert(conn: Connection) -> Callable[[Table], Insert]:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert  # type: ignore[return-value]


def allocate_number(conn: Connection, register_id: int, year: int, ctx: DocContext) -> int:
    """The next number of the register for ``year``, taken inside the caller's transaction."""
    bump = (update(doc_register_counters)
            .where(doc_register_counters.c.register_id == register_id, doc_register_counters.c.year == year)
            .values(last_number=doc_register_counters.c.last_number + 1, updated_at=ctx.now())
            .returning(doc_register_counters.c.last_number))
    row = conn.execute(bump).first()
    if row is None:
        conn.execute(_dialect_insert(conn)(doc_register_counters)
                     .values(register_id=register_id, year=year, last_number=0, updated_at=ctx.now())
                     .on_conflict_do_nothing(index_elements=["register_id", "year"]))
        row = conn.execute(bump).first()
    if row is None:  # pragma: no cover - the row was just made under the same transaction
        raise Conflict("Không cấp được số văn bản: bộ đếm của sổ không ghi được", field="register")
    return int(row[0])


class RegisterService:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    # -- reading ---------------------------------------------------------------------------------------------

    def _view(self, conn: Connection, row: object) -> Register:
        counters = tuple((r.year, r.last_number) for r in conn.execute(
            select(doc_register_counters.c.year, doc_register_counters.c.last_number)
            .where(doc_register_counters.c.register_id == row.id)  # type: ignore[attr-defined]
            .order_by(doc_register_counters.c.year)))
        agency = self.ctx.agency_by_id(conn, row.agency_id)  # type: ignore[attr-defined]
        types = row.doc_types  # type: ignore[attr-defined]
        return Register(row.id, agency.code, Direction(row.direction), row.name,  # type: ignore[attr-defined]
                        tuple(types) if types is not None else None, counters)

    def list(self, agency: str) -> list[Register]:
        with self.ctx.db.begin() as conn:
            found = self.ctx.agency(conn, agency)
            self.ensure_defaults(conn, found.id)
            rows = conn.execute(select(doc_registers).where(doc_registers.c.agency_id == found.id)
                                .order_by(doc_registers.c.direction.desc(), doc_registers.c.id)).all()
            return [self._view(conn, r) for r in rows]

    # -- changing --------------------------------------------------------------------------------------------

    def add(self, agency: str, name: str, *, direction: Direction = Direction.OUTGOING,
            doc_types: Sequence[str] | None = None, actor: str = "system") -> Register:
        """Open a register. Several outgoing registers split the types between them (NĐ 30/2020 Điều 15.1)."""
        title = clean_line(name, field="Tên sổ")
        codes = sorted({resolve_type(t).code for t in doc_types}) if doc_types else None
        if direction is Direction.INCOMING and codes:
            raise InvalidInput("Sổ văn bản đến dùng chung cho mọi loại văn bản (NĐ 30/2020 Điều 22)",
                               message_en="The incoming register takes every type", field="doc_types")
        with self.ctx.db.begin() as conn:
            found = self.ctx.agency(conn, agency)
            self.ensure_defaults(conn, found.id)
            existing = conn.execute(select(doc_registers).where(doc_registers.c.agency_id == found.id,
                                                                doc_registers.c.direction == direction.value)).all()
            if direction is Direction.INCOMING and existing:
                raise Conflict(f"{found.name} đã có sổ văn bản đến; số đến là một dãy chung trong năm",
                               message_en="The agency already has its incoming register", field="register")
            for row in existing:
                if row.name == title:
                    raise Conflict(f"Sổ «{title}» đã có", message_en=f"Register {title!r} exists", field="name")
                taken = set(row.doc_types or ()) & set(codes or ())
                if taken:
                    raise Conflict(f"Loại văn bản {', '.join(sorted(taken))} đã được đánh số trong sổ «{row.name}»",
                                   message_en="Those types are already numbered by another register",
                                   field="doc_types")
                if row.doc_types is None and codes is None:
                    raise Conflict(f"Sổ «{row.name}» đã đánh số mọi loại văn bản còn lại",
                                   message_en="A catch-all register exists already", field="doc_types")
            register_id = int(conn.execute(insert(doc_registers).values(
                agency_id=found.id, direction=direction.value, name=title, doc_types=codes,
                created_at=self.ctx.now())).inserted_primary_key[0])
            self.ctx.audit(conn, actor, "register.add", found.code, {"name": title, "doc_types": codes})
            row = conn.execute(select(doc_registers).where(doc_registers.c.id == register_id)).one()
            return self._view(conn, row)

    def ensure_defaults(self, conn: Connection, agency_id: int) -> None:
        """Give an agency its default registers when it has none in a direction."""
        for direction in Direction:
            has = conn.execute(select(doc_registers.c.id).where(
                doc_registers.c.agency_id == agency_id, doc_registers.c.direction == direction.value)).first()
            if has is None:
                # Two first issues in two processes may both get here: the unique name makes one a no-op.
                conn.execute(_dialect_insert(conn)(doc_registers).values(
                    agency_id=agency_id, direction=direction.value, name=DEFAULT_NAMES[direction],
                    doc_types=None, created_at=self.ctx.now())
                    .on_conflict_do_nothing(index_elements=["agency_id", "direction", "name"]))

    def outgoing_register(self, conn: Connection, agency_id: int, doc_type: str) -> int:
        """The register that numbers ``doc_type`` for the agency (its own list first, then the catch-all)."""
        self.ensure_defaults(conn, agency_id)
        rows = conn.execute(select(doc_registers).where(
            doc_registers.c.agency_id == agency_id, doc_registers.c.direction == Direction.OUTGOING.value)
            .order_by(doc_registers.c.id)).all()
        for row in rows:
            if row.doc_types and doc_type in row.doc_types:
                return int(row.id)
        for row in rows:
            if row.doc_types is None:
                return int(row.id)
        raise NotFound(f"Không có sổ văn bản đi nào đánh số loại '{doc_type}'; hãy mở sổ cho loại này",
                       message_en=f"No outgoing register numbers type {doc_type!r}", field="register")

    def incoming_register(self, conn: Connection, agency_id: int) -> int:
        self.ensure_defaults(conn, agency_id)
        return int(conn.execute(select(doc_registers.c.id).where(
            doc_registers.c.agency_id == agency_id, doc_registers.c.direction == Direction.INCOMING.value)
            .order_by(doc_registers.c.id)).scalars().first())
