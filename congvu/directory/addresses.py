"""Mail addresses of the installation: validation, the registry of who holds which address, and allocation.

Every address handed out (account, alias, group) is claimed in ``address_registry``. Removing its owner releases
it with ``reusable_after`` set to the end of the retention period: until then nobody else can have it, so mail for
a person who left never reaches a newcomer with the same name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from congvu.directory.context import DirectoryContext, as_utc
from congvu.errors import Conflict, InvalidInput
from congvu.store.schema import address_registry
from congvu.vntext.naming import is_reserved, validate_local_part

MAX_CANDIDATES = 200


def split_address(address: str) -> tuple[str, str]:
    text = address.strip()
    if text.count("@") != 1:
        raise InvalidInput(f"Địa chỉ thư không hợp lệ: «{address}»", message_en=f"Invalid address: {address!r}",
                           field="address")
    local, domain = text.split("@")
    domain = domain.lower().rstrip(".")
    if not domain or any(not part for part in domain.split(".")):
        raise InvalidInput(f"Tên miền không hợp lệ trong «{address}»", field="address")
    return local, domain


def normalise_local_address(ctx: DirectoryContext, address: str, *, allow_reserved: bool = False) -> str:
    """Validate an address that must belong to one of the installation's domains; return it in lower case."""
    local, domain = split_address(address)
    if domain not in ctx.domains:
        raise InvalidInput(
            f"Tên miền «{domain}» không thuộc hệ thống (các tên miền: {', '.join(ctx.domains)}).",
            message_en=f"Domain {domain!r} is not one of this installation's domains.",
            field="address",
        )
    local = validate_local_part(local)
    if not allow_reserved and is_reserved(local):
        raise Conflict(
            f"Địa chỉ «{local}@{domain}» là tên dành riêng của hệ thống, không cấp cho người dùng.",
            message_en=f"{local}@{domain} is a reserved name.",
            field="address",
        )
    return f"{local}@{domain}"


def holder(conn: Connection, address: str, now: datetime) -> str | None:
    """Why the address cannot be claimed now (a text), or None when it is free."""
    row = conn.execute(select(address_registry).where(address_registry.c.address == address)).first()
    if row is None:
        return None
    if row.released_at is None:
        return f"Địa chỉ «{address}» đã được cấp (cho một {_KIND_VI.get(row.kind, row.kind)})."
    reusable_after = as_utc(row.reusable_after)
    if reusable_after is not None and reusable_after > now:
        return (f"Địa chỉ «{address}» thuộc một tài khoản đã xoá và được giữ đến "
                f"{reusable_after:%d/%m/%Y}; chưa thể cấp cho người khác.")
    return None


_KIND_VI = {"account": "tài khoản", "alias": "bí danh", "group": "nhóm"}


def claim(conn: Connection, ctx: DirectoryContext, address: str, kind: str, owner_id: int) -> None:
    reason = holder(conn, address, ctx.now())
    if reason is not None:
        raise Conflict(reason, field="address")
    conn.execute(delete(address_registry).where(address_registry.c.address == address))
    conn.execute(insert(address_registry).values(address=address, kind=kind, owner_id=owner_id,
                                                 claimed_at=ctx.now()))


def release(conn: Connection, address: str, *, at: datetime, reusable_after: datetime | None) -> None:
    conn.execute(update(address_registry).where(address_registry.c.address == address)
                 .values(released_at=at, reusable_after=reusable_after))


def taken_addresses(conn: Connection, now: datetime) -> set[str]:
    """Every address that cannot be claimed now (for allocating many at once, as an import does)."""
    taken: set[str] = set()
    for row in conn.execute(select(address_registry.c.address, address_registry.c.released_at,
                                   address_registry.c.reusable_after)):
        reusable_after = as_utc(row.reusable_after)
        if row.released_at is None or (reusable_after is not None and reusable_after > now):
            taken.add(row.address)
    return taken


def first_free(candidates: Iterable[str], domain: str, taken: set[str]) -> str:
    """The first candidate local part that is neither reserved nor taken."""
    for count, local in enumerate(candidates):
        if count >= MAX_CANDIDATES:
            break
        if is_reserved(local):
            continue
        address = f"{local}@{domain}"
        if address not in taken:
            return address
    raise Conflict("Không tìm được địa chỉ còn trống cho tên này; hãy chỉ định --address.",
                   message_en="No free address found for this name; give --address.", field="address")
