"""Aliases: extra addresses that deliver to one or more addresses (local or outside)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from congvu.directory import addresses
from congvu.directory.context import DirectoryContext
from congvu.directory.models import Alias
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema import alias_targets, aliases
from congvu.vntext.naming import validate_local_part
from congvu.vntext.normalize import clean_line


def normalise_target(ctx: DirectoryContext, target: str) -> str:
    local, domain = addresses.split_address(target)
    if domain in ctx.domains:
        return f"{validate_local_part(local)}@{domain}"
    if not local or any(c.isspace() or ord(c) < 32 for c in local):
        raise InvalidInput(f"Địa chỉ đích «{target}» không hợp lệ.", field="target")
    return f"{local}@{domain}"


class AliasService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    def _load(self, conn: Connection, alias_id: int) -> Alias:
        row = conn.execute(select(aliases).where(aliases.c.id == alias_id)).one()
        targets = tuple(sorted(t for (t,) in conn.execute(
            select(alias_targets.c.target).where(alias_targets.c.alias_id == alias_id))))
        return Alias(row.id, row.address, targets, row.description)

    def get(self, conn: Connection, address: str) -> Alias:
        text = address.strip().lower()
        if "@" not in text:
            text = f"{text}@{self.ctx.domain}"
        row = conn.execute(select(aliases.c.id).where(aliases.c.address == text)).first()
        if row is None:
            raise NotFound(f"Không có bí danh «{text}».", field="address")
        return self._load(conn, row.id)

    def add(self, address: str, targets: Sequence[str], *, description: str | None = None,
            allow_reserved: bool = False, actor: str = "system") -> Alias:
        if not targets:
            raise InvalidInput("Bí danh cần ít nhất một địa chỉ đích.", field="target")
        chosen = addresses.normalise_local_address(self.ctx, address, allow_reserved=allow_reserved)
        clean_targets = sorted({normalise_target(self.ctx, t) for t in targets})
        desc = clean_line(description, field="Mô tả") if description else None
        with self.ctx.db.begin() as conn:
            reason = addresses.holder(conn, chosen, self.ctx.now())
            if reason:
                raise Conflict(reason, field="address")
            alias_id = int(conn.execute(insert(aliases).values(
                address=chosen, description=desc, created_at=self.ctx.now())).inserted_primary_key[0])
            conn.execute(insert(alias_targets), [{"alias_id": alias_id, "target": t} for t in clean_targets])
            addresses.claim(conn, self.ctx, chosen, "alias", alias_id)
            self.ctx.audit(conn, actor, "alias.add", chosen, {"targets": clean_targets})
            return self._load(conn, alias_id)

    def list(self) -> list[Alias]:
        with self.ctx.db.read() as conn:
            ids = [r.id for r in conn.execute(select(aliases.c.id).order_by(aliases.c.address))]
            return [self._load(conn, i) for i in ids]

    def show(self, address: str) -> Alias:
        with self.ctx.db.read() as conn:
            return self.get(conn, address)

    def remove(self, address: str, *, actor: str = "system") -> Alias:
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            alias = self.get(conn, address)
            conn.execute(delete(aliases).where(aliases.c.id == alias.id))
            addresses.release(conn, alias.address, at=now, reusable_after=self.ctx.retention_end(now))
            self.ctx.audit(conn, actor, "alias.remove", alias.address)
            return alias
