"""Where mail for an address goes: the mailboxes and outside addresses it expands to.

Accounts deliver to themselves; aliases and groups expand (recursively, with a guard against loops) when mail
is delivered, so groups that follow the agency tree stay current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection, select

from congvu.directory.context import DirectoryContext
from congvu.directory.groups import GroupService
from congvu.store.schema import accounts, alias_targets, aliases, group_members, groups

MAX_EXPANSION_DEPTH = 8


class AddressState(StrEnum):
    DELIVERABLE = "deliverable"
    UNKNOWN = "unknown"
    DISABLED = "disabled"
    REMOVED = "removed"
    REMOTE = "remote"


@dataclass(frozen=True)
class Resolution:
    address: str
    state: AddressState
    mailbox_ids: tuple[int, ...] = ()
    remote: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())  # members not delivered to (disabled, removed, unknown, loops)
    moved_to: str | None = None  # a removed account's new address


class RecipientResolver:
    def __init__(self, ctx: DirectoryContext, group_service: GroupService) -> None:
        self.ctx = ctx
        self.groups = group_service

    def is_local_domain(self, address: str) -> bool:
        return address.rpartition("@")[2].lower() in self.ctx.domains

    def resolve(self, conn: Connection, address: str) -> Resolution:
        addr = address.strip().lower()
        if not self.is_local_domain(addr):
            return Resolution(addr, AddressState.REMOTE, remote=(addr,))
        row = conn.execute(select(accounts.c.id, accounts.c.status, accounts.c.moved_to)
                           .where(accounts.c.address == addr)).first()
        if row is not None:
            if row.status == "active":
                return Resolution(addr, AddressState.DELIVERABLE, mailbox_ids=(row.id,))
            return Resolution(addr, AddressState(row.status), moved_to=row.moved_to)
        mailboxes: list[int] = []
        remote: list[str] = []
        skipped: list[str] = []
        found = self._expand(conn, addr, mailboxes, remote, skipped, set(), 0)
        if not found:
            return Resolution(addr, AddressState.UNKNOWN)
        return Resolution(addr, AddressState.DELIVERABLE, tuple(dict.fromkeys(mailboxes)),
                          tuple(dict.fromkeys(remote)), tuple(skipped))

    def _expand(self, conn: Connection, addr: str, mailboxes: list[int], remote: list[str], skipped: list[str],
                seen: set[str], depth: int) -> bool:
        """Expand an alias or group; False when the address is neither."""
        if addr in seen or depth > MAX_EXPANSION_DEPTH:
            skipped.append(addr)
            return True
        seen.add(addr)
        targets: tuple[str, ...]
        alias_row = conn.execute(select(aliases.c.id).where(aliases.c.address == addr)).first()
        if alias_row is not None:
            targets = tuple(t for (t,) in conn.execute(
                select(alias_targets.c.target).where(alias_targets.c.alias_id == alias_row.id)))
        else:
            group_row = conn.execute(select(groups.c.id, groups.c.kind).where(groups.c.address == addr)).first()
            if group_row is None:
                return False
            if group_row.kind == "rule":
                targets = self.groups.get(conn, addr).members
            else:
                targets = tuple(m for (m,) in conn.execute(
                    select(group_members.c.member).where(group_members.c.group_id == group_row.id)))
        for target in targets:
            if not self.is_local_domain(target):
                remote.append(target)
                continue
            row = conn.execute(select(accounts.c.id, accounts.c.status)
                               .where(accounts.c.address == target)).first()
            if row is not None:
                (mailboxes.append(row.id) if row.status == "active" else skipped.append(target))
            elif not self._expand(conn, target, mailboxes, remote, skipped, seen, depth + 1):
                skipped.append(target)
        return True
