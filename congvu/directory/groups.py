"""Distribution groups: static members, or members chosen by a rule over the agency tree.

A rule group such as "Các sở, ban, ngành" (``level=department``) or "UBND các huyện" (``level=district``) is
resolved when mail is delivered, so it follows the tree as agencies are added, merged, moved or removed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from congvu.directory import addresses
from congvu.directory.agencies import AgencyService, parse_level
from congvu.directory.aliases import normalise_target
from congvu.directory.context import DirectoryContext
from congvu.directory.models import AgencyLevel, Group, GroupRule
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema import accounts, group_members, groups
from congvu.vntext.fold import fold
from congvu.vntext.normalize import clean_line


def parse_rule(text: str) -> GroupRule:
    """``level=department`` · ``level=district,commune`` · ``level=commune;under=H19.14`` · ``target=people``."""
    levels: list[AgencyLevel] = []
    under: str | None = None
    target = "agency_mailbox"
    for part in text.replace(";", " ").split():
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key == "level":
            levels.extend(parse_level(v) for v in value.split(",") if v.strip())
        elif key == "under":
            under = value.strip().upper() or None
        elif key == "target":
            if value not in ("agency_mailbox", "people"):
                raise InvalidInput("target phải là agency_mailbox hoặc people.", field="rule")
            target = value
        else:
            raise InvalidInput(f"Quy tắc nhóm không hiểu «{part}»; dùng level=…, under=…, target=….",
                               field="rule")
    if not levels:
        raise InvalidInput("Quy tắc nhóm cần ít nhất một cấp (level=department…).", field="rule")
    return GroupRule(tuple(levels), under, target)


def rule_to_json(rule: GroupRule) -> dict[str, object]:
    return {"levels": [lv.value for lv in rule.levels], "under": rule.under, "target": rule.target}


def rule_from_json(data: dict[str, object] | None) -> GroupRule | None:
    if not data:
        return None
    levels = data.get("levels") or []
    assert isinstance(levels, list)
    return GroupRule(tuple(AgencyLevel(str(v)) for v in levels), data.get("under") or None,  # type: ignore[arg-type]
                     str(data.get("target") or "agency_mailbox"))


class GroupService:
    def __init__(self, ctx: DirectoryContext, agency_service: AgencyService) -> None:
        self.ctx = ctx
        self.agencies = agency_service

    def _load(self, conn: Connection, group_id: int) -> Group:
        row = conn.execute(select(groups).where(groups.c.id == group_id)).one()
        rule = rule_from_json(row.rule)
        members = (self.rule_members(conn, rule) if rule is not None else tuple(sorted(
            m for (m,) in conn.execute(select(group_members.c.member).where(group_members.c.group_id == row.id)))))
        return Group(row.id, row.address, row.name, row.kind, rule, members, row.description)

    def rule_members(self, conn: Connection, rule: GroupRule) -> tuple[str, ...]:
        """Addresses the rule selects now, in tree order."""
        scope: set[int] | None = None
        if rule.under:
            scope = self.agencies.descendants(conn, self.agencies.get(conn, rule.under).id)
        wanted = {lv.value for lv in rule.levels}
        chosen = [a for a in self.agencies.tree(conn) if a.level.value in wanted
                  and (scope is None or a.id in scope)]
        if rule.target == "agency_mailbox":
            return tuple(a.mailbox for a in chosen if a.mailbox)
        ids = [a.id for a in chosen]
        query = (select(accounts.c.address).where(accounts.c.agency_id.in_(ids), accounts.c.kind == "person",
                                                  accounts.c.status == "active")
                 .order_by(accounts.c.name_key))
        return tuple(addr for (addr,) in conn.execute(query))

    def get(self, conn: Connection, ref: str) -> Group:
        text = ref.strip().lower()
        address = text if "@" in text else f"{text}@{self.ctx.domain}"
        row = conn.execute(select(groups.c.id).where(groups.c.address == address)).first()
        if row is None:
            row = conn.execute(select(groups.c.id).where(groups.c.name_fold == fold(ref))).first()
        if row is None:
            raise NotFound(f"Không có nhóm «{ref}».", field="group")
        return self._load(conn, row.id)

    def add(self, address: str, name: str, *, members: Sequence[str] = (), rule: str | None = None,
            description: str | None = None, actor: str = "system") -> Group:
        chosen = addresses.normalise_local_address(self.ctx, address)
        clean_name = clean_line(name, field="Tên nhóm")
        desc = clean_line(description, field="Mô tả") if description else None
        parsed_rule = parse_rule(rule) if rule else None
        if parsed_rule and members:
            raise InvalidInput("Nhóm theo quy tắc không nhận thành viên cố định.", field="member")
        clean_members = sorted({normalise_target(self.ctx, m) for m in members})
        with self.ctx.db.begin() as conn:
            reason = addresses.holder(conn, chosen, self.ctx.now())
            if reason:
                raise Conflict(reason, field="address")
            if parsed_rule and parsed_rule.under:
                self.agencies.get(conn, parsed_rule.under)
            group_id = int(conn.execute(insert(groups).values(
                address=chosen, name=clean_name, name_fold=fold(clean_name),
                kind="rule" if parsed_rule else "static",
                rule=rule_to_json(parsed_rule) if parsed_rule else None, description=desc,
                created_at=self.ctx.now())).inserted_primary_key[0])
            if clean_members:
                conn.execute(insert(group_members), [{"group_id": group_id, "member": m} for m in clean_members])
            addresses.claim(conn, self.ctx, chosen, "group", group_id)
            self.ctx.audit(conn, actor, "group.add", chosen, {"name": clean_name, "rule": rule})
            return self._load(conn, group_id)

    def change_members(self, ref: str, *, add: Sequence[str] = (), remove: Sequence[str] = (),
                       actor: str = "system") -> Group:
        with self.ctx.db.begin() as conn:
            group = self.get(conn, ref)
            if group.kind == "rule":
                raise Conflict(f"Nhóm «{group.name}» lấy thành viên theo quy tắc; không sửa tay được.")
            for member in sorted({normalise_target(self.ctx, m) for m in add} - set(group.members)):
                conn.execute(insert(group_members).values(group_id=group.id, member=member))
            for member in {normalise_target(self.ctx, m) for m in remove}:
                if member not in group.members:
                    raise NotFound(f"«{member}» không thuộc nhóm «{group.name}».", field="member")
                conn.execute(delete(group_members).where(group_members.c.group_id == group.id,
                                                         group_members.c.member == member))
            self.ctx.audit(conn, actor, "group.members", group.address, {"add": list(add),
                                                                         "remove": list(remove)})
            return self._load(conn, group.id)

    def list(self) -> list[Group]:
        with self.ctx.db.read() as conn:
            ids = [r.id for r in conn.execute(select(groups.c.id).order_by(groups.c.name_fold))]
            return [self._load(conn, i) for i in ids]

    def show(self, ref: str) -> Group:
        with self.ctx.db.read() as conn:
            return self.get(conn, ref)

    def remove(self, ref: str, *, actor: str = "system") -> Group:
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            group = self.get(conn, ref)
            conn.execute(delete(groups).where(groups.c.id == group.id))
            addresses.release(conn, group.address, at=now, reusable_after=self.ctx.retention_end(now))
            self.ctx.audit(conn, actor, "group.remove", group.address)
            return group
