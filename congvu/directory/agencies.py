"""Agencies in a tree, each with its official code (mã định danh), short name, level, mailbox and roll-out wave.

Adding an agency also creates its official mailbox (an account of kind ``agency``, read by its clerks). Removing
an agency keeps its history: it is marked removed, its mailbox is kept for the retention period, and the
address is never reissued within it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Row, func, insert, select, update

from congvu.clerical.agency_codes import validate_agency_code
from congvu.directory import addresses
from congvu.directory.context import DirectoryContext
from congvu.directory.models import ALLOWED_PARENTS, LEVEL_NAMES_VI, Agency, AgencyLevel, Wave
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema import accounts, agencies, rollout_waves
from congvu.vntext.collation import sort_key
from congvu.vntext.fold import fold
from congvu.vntext.naming import to_ascii_slug
from congvu.vntext.normalize import clean_line

# Level words dropped from an agency's name to find the place it is named after ("UBND huyện Thống Nhất").
_PLACE_PREFIXES = tuple(
    fold(p) + " " for p in (
        "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND", "huyện", "thị xã", "thành phố", "TP.", "TP", "TX.", "TX",
        "xã", "phường", "thị trấn", "quận",
    )
)
_LEVEL_RANK = {level: rank for rank, level in enumerate(AgencyLevel)}


def place_slug(name: str) -> str:
    """``UBND huyện Thống Nhất`` → ``thongnhat``."""
    text = fold(name)
    changed = True
    while changed:
        changed = False
        for prefix in _PLACE_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix):]
                changed = True
    return to_ascii_slug(text)


def parse_level(value: str) -> AgencyLevel:
    try:
        return AgencyLevel(value.strip().lower())
    except ValueError as exc:
        names = ", ".join(f"{lv.value} ({LEVEL_NAMES_VI[lv]})" for lv in AgencyLevel)
        raise InvalidInput(f"Cấp cơ quan «{value}» không hợp lệ; chọn một trong: {names}.", field="level") from exc


def validate_short_name(value: str) -> str:
    text = clean_line(value, field="Tên viết tắt", max_chars=40).replace(" ", "")
    if not all(c.isalnum() or c in "-&" for c in text):
        raise InvalidInput(f"Tên viết tắt «{value}» chỉ gồm chữ và số (ví dụ STTTT, UBND).", field="short_name")
    return text


class AgencyService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    # -- reading -----------------------------------------------------------------------------------------------

    def _rows(self, conn: Connection) -> list[Row]:  # type: ignore[type-arg]
        mailbox = (select(accounts.c.address).where(accounts.c.agency_id == agencies.c.id,
                                                     accounts.c.kind == "agency")
                   .order_by(accounts.c.id).limit(1).scalar_subquery())
        parent = agencies.alias("parent")
        query = (select(agencies, parent.c.code.label("parent_code"), mailbox.label("mailbox"))
                 .outerjoin(parent, parent.c.id == agencies.c.parent_id))
        return list(conn.execute(query))

    @staticmethod
    def _to_agency(row: Row, depth: int = 0) -> Agency:  # type: ignore[type-arg]
        return Agency(id=row.id, code=row.code, legacy_code=row.legacy_code, name=row.name,
                      short_name=row.short_name, level=AgencyLevel(row.level), parent_code=row.parent_code,
                      mailbox=row.mailbox, wave=row.wave, status=row.status, depth=depth)

    def tree(self, conn: Connection, *, under: str | None = None, include_removed: bool = False) -> list[Agency]:
        """Agencies in tree order: each parent before its children, siblings by order, level, then name."""
        rows = [r for r in self._rows(conn) if include_removed or r.status == "active"]
        children: dict[int | None, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
        ids = {r.id for r in rows}
        for r in rows:
            children[r.parent_id if r.parent_id in ids else None].append(r)
        for siblings in children.values():
            siblings.sort(key=lambda r: (r.sort_order, _LEVEL_RANK[AgencyLevel(r.level)], r.name_key))
        out: list[Agency] = []

        def walk(parent_id: int | None, depth: int) -> None:
            for r in children.get(parent_id, []):
                out.append(self._to_agency(r, depth))
                walk(r.id, depth + 1)

        if under is None:
            walk(None, 0)
        else:
            root = self.get(conn, under)
            out.append(root)
            walk(root.id, root.depth + 1)
        return out

    def list(self, *, under: str | None = None, include_removed: bool = False) -> list[Agency]:
        with self.ctx.db.read() as conn:
            return self.tree(conn, under=under, include_removed=include_removed)

    def get(self, conn: Connection, ref: str) -> Agency:
        """An agency by code, legacy code, short name (when unique) or full name (diacritics optional)."""
        text = ref.strip()
        rows = self._rows(conn)
        upper = text.upper()
        for r in rows:
            if r.code == upper or r.legacy_code == upper:
                return self._to_agency(r)
        folded = fold(text)
        by_name = [r for r in rows if r.name_fold == folded and r.status == "active"]
        if len(by_name) == 1:
            return self._to_agency(by_name[0])
        by_short = [r for r in rows if r.short_name.upper() == upper and r.status == "active"]
        if len(by_short) == 1:
            return self._to_agency(by_short[0])
        if len(by_name) > 1 or len(by_short) > 1:
            raise Conflict(f"Có nhiều cơ quan mang tên «{ref}»; hãy dùng mã định danh.", field="agency")
        raise NotFound(f"Không có cơ quan «{ref}».", message_en=f"No agency {ref!r}.", field="agency")

    def show(self, ref: str) -> Agency:
        with self.ctx.db.read() as conn:
            return self.get(conn, ref)

    def descendants(self, conn: Connection, agency_id: int) -> set[int]:
        """Ids of the agency and everything under it."""
        pairs = list(conn.execute(select(agencies.c.id, agencies.c.parent_id)))
        children: dict[int, list[int]] = defaultdict(list)
        for child, parent in pairs:
            if parent is not None:
                children[parent].append(child)
        found, stack = set(), [agency_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children[current])
        return found

    # -- changing ----------------------------------------------------------------------------------------------

    def _check_parent(self, level: AgencyLevel, parent: Agency | None) -> None:
        parent_level = parent.level if parent else None
        if parent_level not in ALLOWED_PARENTS[level]:
            allowed = ", ".join(LEVEL_NAMES_VI[p] if p else "(gốc)" for p in ALLOWED_PARENTS[level])
            raise InvalidInput(
                f"Cơ quan cấp «{LEVEL_NAMES_VI[level]}» không thể trực thuộc "
                f"«{LEVEL_NAMES_VI[parent_level] if parent_level else '(gốc)'}»; cấp trên hợp lệ: {allowed}.",
                field="parent",
            )

    def _mailbox_candidates(self, name: str, short_name: str, level: AgencyLevel,
                            parent: Agency | None) -> list[str]:
        """Readable candidates: ``stttt``, ``ubndthongnhat``, ``ptnmt.thongnhat``, ``pcntt.stttt``…"""
        if level in (AgencyLevel.DISTRICT, AgencyLevel.COMMUNE):
            base = "ubnd" + place_slug(name)
        else:
            base = to_ascii_slug(short_name)
        qualifier = ""
        if parent is not None and parent.level != AgencyLevel.PROVINCE:
            qualifier = (place_slug(parent.name) if parent.level in (AgencyLevel.DISTRICT, AgencyLevel.COMMUNE)
                         else to_ascii_slug(parent.short_name))
        out = [f"{base}.{qualifier}", base] if level == AgencyLevel.DIVISION and qualifier else [base]
        if qualifier and level != AgencyLevel.DIVISION:
            out.append(f"{base}.{qualifier}")
        out.extend(f"{out[0]}{n}" for n in range(2, 100))
        return out

    def add(self, *, code: str, name: str, short_name: str, level: str, parent: str | None = None,
            mailbox: str | None = None, wave: int | None = None, legacy_code: str | None = None,
            sort_order: int = 0, actor: str = "system") -> Agency:
        code = validate_agency_code(code)
        legacy = validate_agency_code(legacy_code) if legacy_code else None
        if legacy is None and code[:1].isdigit():
            legacy = code
        name = clean_line(name, field="Tên cơ quan")
        short = validate_short_name(short_name)
        lvl = parse_level(level)
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            for value in {code, legacy} - {None}:
                exists = conn.execute(select(agencies.c.code).where(
                    (agencies.c.code == value) | (agencies.c.legacy_code == value))).first()
                if exists:
                    raise Conflict(f"Mã định danh «{value}» đã được dùng cho một cơ quan khác.", field="code")
            parent_agency = self.get(conn, parent) if parent else None
            if parent_agency and parent_agency.status != "active":
                raise InvalidInput(f"Cơ quan cấp trên «{parent}» đã bị xoá.", field="parent")
            self._check_parent(lvl, parent_agency)
            if wave is not None:
                self._ensure_wave(conn, wave)
            agency_id = conn.execute(insert(agencies).values(
                code=code, legacy_code=legacy, name=name, name_fold=fold(name), name_key=sort_key(name),
                short_name=short, level=lvl.value, parent_id=parent_agency.id if parent_agency else None,
                wave=wave, sort_order=sort_order, status="active", created_at=now, updated_at=now,
            )).inserted_primary_key[0]
            if mailbox:
                address = addresses.normalise_local_address(
                    self.ctx, mailbox if "@" in mailbox else f"{mailbox}@{self.ctx.domain}")
            else:
                taken = addresses.taken_addresses(conn, now)
                address = addresses.first_free(self._mailbox_candidates(name, short, lvl, parent_agency),
                                               self.ctx.domain, taken)
            account_id = conn.execute(insert(accounts).values(
                address=address, kind="agency", full_name=name, name_fold=fold(name), name_key=sort_key(name),
                agency_id=agency_id, status="active", created_at=now, updated_at=now,
            )).inserted_primary_key[0]
            addresses.claim(conn, self.ctx, address, "account", account_id)
            self.ctx.audit(conn, actor, "agency.add", code, {"name": name, "mailbox": address})
            return self.get(conn, code)

    def _ensure_wave(self, conn: Connection, number: int) -> None:
        if conn.execute(select(rollout_waves.c.number).where(rollout_waves.c.number == number)).first() is None:
            raise NotFound(f"Chưa có đợt triển khai số {number}; tạo bằng «congvu agency wave set».", field="wave")

    def edit(self, ref: str, *, name: str | None = None, short_name: str | None = None,
             wave: int | None = None, clear_wave: bool = False, sort_order: int | None = None,
             legacy_code: str | None = None, actor: str = "system") -> Agency:
        values: dict[str, object] = {}
        if name is not None:
            clean = clean_line(name, field="Tên cơ quan")
            values.update(name=clean, name_fold=fold(clean), name_key=sort_key(clean))
        if short_name is not None:
            values["short_name"] = validate_short_name(short_name)
        if sort_order is not None:
            values["sort_order"] = sort_order
        if legacy_code is not None:
            values["legacy_code"] = validate_agency_code(legacy_code)
        with self.ctx.db.begin() as conn:
            agency = self.get(conn, ref)
            if wave is not None:
                self._ensure_wave(conn, wave)
                values["wave"] = wave
            elif clear_wave:
                values["wave"] = None
            if not values:
                return agency
            values["updated_at"] = self.ctx.now()
            conn.execute(update(agencies).where(agencies.c.id == agency.id).values(**values))
            self.ctx.audit(conn, actor, "agency.edit", agency.code,
                           {k: v for k, v in values.items() if not k.endswith(("_fold", "_key", "_at"))})
            return self.get(conn, agency.code)

    def move(self, ref: str, new_parent: str, *, actor: str = "system") -> Agency:
        with self.ctx.db.begin() as conn:
            agency = self.get(conn, ref)
            parent = self.get(conn, new_parent)
            if parent.id in self.descendants(conn, agency.id):
                raise InvalidInput(f"Không thể chuyển «{agency.name}» vào chính nó hoặc cơ quan cấp dưới của nó.",
                                   field="parent")
            self._check_parent(agency.level, parent)
            conn.execute(update(agencies).where(agencies.c.id == agency.id)
                         .values(parent_id=parent.id, updated_at=self.ctx.now()))
            self.ctx.audit(conn, actor, "agency.move", agency.code,
                           {"from": agency.parent_code, "to": parent.code})
            return self.get(conn, agency.code)

    def remove(self, ref: str, *, reason: str, actor: str = "system") -> Agency:
        reason = clean_line(reason, field="Lý do")
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            agency = self.get(conn, ref)
            if agency.status == "removed":
                raise Conflict(f"Cơ quan «{agency.name}» đã bị xoá từ trước.")
            active_children = conn.execute(select(func.count()).select_from(agencies).where(
                agencies.c.parent_id == agency.id, agencies.c.status == "active")).scalar_one()
            if active_children:
                raise Conflict(f"Cơ quan «{agency.name}» còn {active_children} cơ quan trực thuộc; "
                               "hãy chuyển hoặc xoá chúng trước.")
            people = conn.execute(select(func.count()).select_from(accounts).where(
                accounts.c.agency_id == agency.id, accounts.c.kind == "person",
                accounts.c.status != "removed")).scalar_one()
            if people:
                raise Conflict(f"Cơ quan «{agency.name}» còn {people} tài khoản cán bộ; "
                               "hãy chuyển hoặc xoá các tài khoản trước.")
            conn.execute(update(agencies).where(agencies.c.id == agency.id)
                         .values(status="removed", removed_at=now, updated_at=now))
            retention = self.ctx.retention_end(now)
            for row in conn.execute(select(accounts.c.id, accounts.c.address).where(
                    accounts.c.agency_id == agency.id, accounts.c.kind == "agency")):
                conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                    status="removed", status_reason=reason, status_changed_at=now, retention_until=retention,
                    updated_at=now))
                addresses.release(conn, row.address, at=now, reusable_after=retention)
            self.ctx.audit(conn, actor, "agency.remove", agency.code, {"reason": reason})
            return self.get(conn, agency.code)

    # -- roll-out waves ----------------------------------------------------------------------------------------

    def set_wave(self, number: int, *, name: str, starts_on: date | None, actor: str = "system") -> Wave:
        clean = clean_line(name, field="Tên đợt")
        with self.ctx.db.begin() as conn:
            exists = conn.execute(select(rollout_waves.c.number).where(rollout_waves.c.number == number)).first()
            if exists:
                conn.execute(update(rollout_waves).where(rollout_waves.c.number == number)
                             .values(name=clean, starts_on=starts_on))
            else:
                conn.execute(insert(rollout_waves).values(number=number, name=clean, starts_on=starts_on))
            self.ctx.audit(conn, actor, "wave.set", str(number),
                           {"name": clean, "starts_on": starts_on.isoformat() if starts_on else None})
        return Wave(number, clean, starts_on)

    def waves(self) -> Sequence[Wave]:
        with self.ctx.db.read() as conn:
            return [Wave(r.number, r.name, r.starts_on)
                    for r in conn.execute(select(rollout_waves).order_by(rollout_waves.c.number))]
