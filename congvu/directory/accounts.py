"""People's accounts: create (with a short, readable address), list, show, disable, enable, remove, passwords, roles.

Removing a person keeps their mail and documents until ``retention_until`` and keeps their address reserved
until then (see :mod:`congvu.directory.addresses`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from congvu.directory import addresses
from congvu.directory.agencies import AgencyService
from congvu.directory.aliases import normalise_target
from congvu.directory.context import DirectoryContext, as_utc
from congvu.directory.models import (
    AGENCY_SCOPED_ROLES,
    Account,
    AccountKind,
    AccountStatus,
    Role,
    RoleGrant,
)
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.security.passwords import check_strength, generate_password, hash_password, verify_password
from congvu.security.verified_cache import VerifiedSecretCache
from congvu.store.schema import account_roles, accounts, agencies, mailbox_delegates
from congvu.vntext.collation import name_sort_key
from congvu.vntext.fold import fold
from congvu.vntext.naming import local_part_candidates, to_ascii_slug
from congvu.vntext.normalize import clean_line

CLERK_RIGHTS = "lrswipkxte"  # RFC 4314 §2.1: everything on the agency mailbox but administering its ACL ("a")


@dataclass(frozen=True)
class NewAccount:
    account: Account
    password: str | None  # the generated password, shown once


def validate_phone(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = clean_line(str(value), field="Điện thoại", max_chars=40)
    if not all(c.isdigit() or c in "+-. ()" for c in text) or sum(c.isdigit() for c in text) < 6:
        raise InvalidInput(f"Số điện thoại «{text}» không hợp lệ.", field="phone")
    return text


def optional_line(value: str | None, field: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    return clean_line(str(value), field=field)


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError as exc:
        raise InvalidInput(f"Vai trò «{value}» không hợp lệ; chọn: {', '.join(r.value for r in Role)}.",
                           field="role") from exc


class AccountService:
    def __init__(self, ctx: DirectoryContext, agency_service: AgencyService) -> None:
        self.ctx = ctx
        self.agencies = agency_service

    # -- reading -----------------------------------------------------------------------------------------------

    def _query(self):  # type: ignore[no-untyped-def]
        return (select(accounts, agencies.c.code.label("agency_code"), agencies.c.name.label("agency_name"))
                .outerjoin(agencies, agencies.c.id == accounts.c.agency_id))

    def _roles(self, conn: Connection, account_ids: Iterable[int]) -> dict[int, tuple[RoleGrant, ...]]:
        ids = list(account_ids)
        out: dict[int, list[RoleGrant]] = {i: [] for i in ids}
        if not ids:
            return {}
        query = (select(account_roles.c.account_id, account_roles.c.role, agencies.c.code)
                 .outerjoin(agencies, agencies.c.id == account_roles.c.agency_id)
                 .where(account_roles.c.account_id.in_(ids)))
        for account_id, role, code in conn.execute(query):
            out[account_id].append(RoleGrant(Role(role), code))
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _to_account(row: Row, roles: tuple[RoleGrant, ...] = ()) -> Account:  # type: ignore[type-arg]
        return Account(
            id=row.id, address=row.address, kind=AccountKind(row.kind), full_name=row.full_name,
            agency_code=row.agency_code, agency_name=row.agency_name, unit=row.unit, position=row.position,
            phone=row.phone, status=AccountStatus(row.status), status_reason=row.status_reason,
            status_changed_at=as_utc(row.status_changed_at), retention_until=as_utc(row.retention_until),
            created_at=as_utc(row.created_at) or row.created_at, last_login_at=as_utc(row.last_login_at),
            roles=roles, moved_to=row.moved_to,
        )

    def get(self, conn: Connection, address: str) -> Account:
        text = address.strip().lower()
        if "@" not in text:
            text = f"{text}@{self.ctx.domain}"
        row = conn.execute(self._query().where(accounts.c.address == text)).first()
        if row is None:
            raise NotFound(f"Không có tài khoản «{text}».", message_en=f"No account {text!r}.", field="address")
        return self._to_account(row, self._roles(conn, [row.id]).get(row.id, ()))

    def show(self, address: str) -> Account:
        with self.ctx.db.read() as conn:
            return self.get(conn, address)

    def list(self, *, agency: str | None = None, status: str | None = None, query: str | None = None,
             kind: str | None = "person", limit: int | None = None, offset: int = 0) -> list[Account]:
        """Accounts in Vietnamese order by given name; ``agency`` includes the agencies under it."""
        with self.ctx.db.read() as conn:
            stmt = self._query()
            if kind:
                stmt = stmt.where(accounts.c.kind == kind)
            if status:
                stmt = stmt.where(accounts.c.status == AccountStatus(status).value)
            if agency:
                ids = self.agencies.descendants(conn, self.agencies.get(conn, agency).id)
                stmt = stmt.where(accounts.c.agency_id.in_(ids))
            if query:
                needle = f"%{fold(query)}%"
                stmt = stmt.where(or_(accounts.c.name_fold.like(needle), accounts.c.address.like(needle)))
            stmt = stmt.order_by(accounts.c.name_key, accounts.c.address).offset(offset)
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = list(conn.execute(stmt))
            roles = self._roles(conn, [r.id for r in rows])
            return [self._to_account(r, roles.get(r.id, ())) for r in rows]

    # -- creating ----------------------------------------------------------------------------------------------

    def propose_address(self, conn: Connection, full_name: str, *, agency_short: str | None = None,
                        taken: set[str] | None = None) -> str:
        """The first free address by the installation's naming pattern (``vinhtv@…`` by default)."""
        suffix = to_ascii_slug(agency_short) if agency_short else None
        candidates = local_part_candidates(full_name, self.ctx.naming_pattern, suffix=suffix)
        if taken is None:
            taken = addresses.taken_addresses(conn, self.ctx.now())
        return addresses.first_free(candidates, self.ctx.domain, taken)

    def insert_person(self, conn: Connection, *, full_name: str, agency_id: int | None, address: str,
                      unit: str | None, position: str | None, phone: str | None, password: str | None,
                      kind: AccountKind = AccountKind.PERSON, import_id: int | None = None) -> int:
        """Insert an already validated account and claim its address (no checks beyond the registry's)."""
        now = self.ctx.now()
        account_id = int(conn.execute(insert(accounts).values(
            address=address, kind=kind.value, full_name=full_name, name_fold=fold(full_name),
            name_key=name_sort_key(full_name), agency_id=agency_id, unit=unit, position=position, phone=phone,
            status="active", password_hash=hash_password(password) if password else None,
            created_at=now, updated_at=now, last_import_id=import_id,
        )).inserted_primary_key[0])
        addresses.claim(conn, self.ctx, address, "account", account_id)
        return account_id

    def add(self, *, full_name: str, agency: str | None, address: str | None = None, unit: str | None = None,
            position: str | None = None, phone: str | None = None, password: str | None = None,
            roles: Sequence[str] = (), kind: AccountKind = AccountKind.PERSON, allow_reserved: bool = False,
            actor: str = "system") -> NewAccount:
        name = clean_line(full_name, field="Họ và tên")
        unit_clean = optional_line(unit, "Phòng")
        position_clean = optional_line(position, "Chức vụ")
        phone_clean = validate_phone(phone)
        if password is not None:
            check_strength(password)
        generated = None
        with self.ctx.db.begin() as conn:
            agency_obj = self.agencies.get(conn, agency) if agency else None
            if agency_obj is None and kind == AccountKind.PERSON:
                raise InvalidInput("Cần chỉ ra cơ quan của cán bộ (--agency).", field="agency")
            if agency_obj is not None and agency_obj.status != "active":
                raise InvalidInput(f"Cơ quan «{agency_obj.name}» đã bị xoá.", field="agency")
            if address:
                chosen = addresses.normalise_local_address(self.ctx, address, allow_reserved=allow_reserved)
                reason = addresses.holder(conn, chosen, self.ctx.now())
                if reason:
                    raise Conflict(reason, field="address")
            else:
                chosen = self.propose_address(conn, name,
                                              agency_short=agency_obj.short_name if agency_obj else None)
            if password is None:
                generated = password = generate_password()
            account_id = self.insert_person(conn, full_name=name, agency_id=agency_obj.id if agency_obj else None,
                                            address=chosen, unit=unit_clean, position=position_clean,
                                            phone=phone_clean, password=password, kind=kind)
            for role in roles:
                self._grant(conn, account_id, parse_role(role), agency_obj.id if agency_obj else None)
            self.ctx.audit(conn, actor, "account.add", chosen,
                           {"name": name, "agency": agency_obj.code if agency_obj else None})
            return NewAccount(self.get(conn, chosen), generated)

    # -- status ------------------------------------------------------------------------------------------------

    def _set_status(self, address: str, status: AccountStatus, reason: str | None, actor: str, *,
                    moved_to: str | None = None) -> Account:
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            account = self.get(conn, address)
            if account.status == AccountStatus.REMOVED:
                raise Conflict(f"Tài khoản «{account.address}» đã bị xoá; không thể thay đổi trạng thái.")
            if account.status == status:
                raise Conflict(f"Tài khoản «{account.address}» đã ở trạng thái này.")
            values: dict[str, object] = dict(status=status.value, status_reason=reason, status_changed_at=now,
                                             updated_at=now)
            if status == AccountStatus.REMOVED:
                retention = self.ctx.retention_end(now)
                values["retention_until"] = retention
                values["moved_to"] = moved_to
                addresses.release(conn, account.address, at=now, reusable_after=retention)
                # Access to other mailboxes ends with the person's duties; their own mail stays.
                conn.execute(delete(mailbox_delegates)
                             .where(mailbox_delegates.c.delegate_account_id == account.id))
                conn.execute(delete(account_roles).where(account_roles.c.account_id == account.id))
            conn.execute(update(accounts).where(accounts.c.id == account.id).values(**values))
            self.ctx.audit(conn, actor, f"account.{status.value}", account.address,
                           {"reason": reason, **({"moved_to": moved_to} if moved_to else {})})
            return self.get(conn, account.address)

    def disable(self, address: str, *, reason: str | None = None, actor: str = "system") -> Account:
        return self._set_status(address, AccountStatus.DISABLED,
                                clean_line(reason, field="Lý do") if reason else None, actor)

    def enable(self, address: str, *, actor: str = "system") -> Account:
        return self._set_status(address, AccountStatus.ACTIVE, None, actor)

    def remove(self, address: str, *, reason: str, actor: str = "system", moved_to: str | None = None) -> Account:
        """Close the account; its mail is kept until retention ends. With ``moved_to`` (the person's new address,
        here or elsewhere), mail to the old address is refused with that address to try instead (SMTP 551)."""
        new = self._moved_to(address, moved_to) if moved_to and moved_to.strip() else None
        return self._set_status(address, AccountStatus.REMOVED, clean_line(reason, field="Lý do"), actor,
                                moved_to=new)

    def _moved_to(self, address: str, moved_to: str) -> str:
        new = normalise_target(self.ctx, moved_to)
        old = address.strip().lower()
        if new.lower() in (old, f"{old}@{self.ctx.domain}"):
            raise InvalidInput("Địa chỉ mới phải khác địa chỉ cũ.", message_en="The new address must differ from the "
                               "old one.", field="moved_to")
        return new

    # -- passwords and sign-in ---------------------------------------------------------------------------------

    def reset_password(self, address: str, *, password: str | None = None, actor: str = "system") -> str | None:
        """Set a new password; returns it when it was generated here (shown once), else None."""
        generated = None
        if password is None:
            generated = password = generate_password()
        else:
            check_strength(password)
        with self.ctx.db.begin() as conn:
            account = self.get(conn, address)
            if account.status == AccountStatus.REMOVED:
                raise Conflict(f"Tài khoản «{account.address}» đã bị xoá.")
            conn.execute(update(accounts).where(accounts.c.id == account.id)
                         .values(password_hash=hash_password(password), updated_at=self.ctx.now()))
            self.ctx.audit(conn, actor, "account.reset_password", account.address)
        return generated

    def authenticate(self, address: str, password: str, *, verified: VerifiedSecretCache | None = None
                     ) -> Account | None:
        """The account if the password is right and the account may sign in; None otherwise. With ``verified``,
        a success within its lifetime against the same stored hash is taken without hashing again."""
        with self.ctx.db.read() as conn:
            row = conn.execute(select(accounts.c.address, accounts.c.password_hash, accounts.c.status)
                               .where(accounts.c.address == address.strip().lower())).first()
        # The hash is checked with no connection held: it takes a core for tens of milliseconds, and a burst of
        # sign-ins holding connections meanwhile would leave every other request waiting for one.
        if row is None or row.status != "active":
            return None
        subject = f"account:{row.address}"
        if verified is None or not verified.knows(subject, row.password_hash, password):
            if not verify_password(row.password_hash, password):
                return None
            if verified is not None:
                verified.remember(subject, row.password_hash, password)
        with self.ctx.db.read() as conn:
            return self.get(conn, row.address)

    def record_login(self, account_id: int, at: datetime | None = None) -> None:
        with self.ctx.db.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(last_login_at=at or self.ctx.now()))

    # -- roles -------------------------------------------------------------------------------------------------

    def _grant(self, conn: Connection, account_id: int, role: Role, agency_id: int | None) -> None:
        if role == Role.USER:
            return
        if role in AGENCY_SCOPED_ROLES and agency_id is None:
            raise InvalidInput(f"Vai trò «{role.value}» cần một cơ quan (--agency).", field="role")
        scope = agency_id if role in AGENCY_SCOPED_ROLES else None
        exists = conn.execute(select(account_roles.c.id).where(
            account_roles.c.account_id == account_id, account_roles.c.role == role.value,
            account_roles.c.agency_id.is_(None) if scope is None else account_roles.c.agency_id == scope)).first()
        if exists is None:
            conn.execute(insert(account_roles).values(account_id=account_id, role=role.value, agency_id=scope))
        if role == Role.CLERK and scope is not None:
            self._delegate(conn, scope, account_id)

    def _delegate(self, conn: Connection, agency_id: int, account_id: int) -> None:
        for (mailbox_id,) in conn.execute(select(accounts.c.id).where(accounts.c.agency_id == agency_id,
                                                                      accounts.c.kind == "agency")):
            exists = conn.execute(select(mailbox_delegates.c.rights).where(
                mailbox_delegates.c.mailbox_account_id == mailbox_id,
                mailbox_delegates.c.delegate_account_id == account_id)).first()
            if exists is None:
                conn.execute(insert(mailbox_delegates).values(mailbox_account_id=mailbox_id,
                                                              delegate_account_id=account_id,
                                                              rights=CLERK_RIGHTS, created_at=self.ctx.now()))

    def grant(self, address: str, role: str, *, agency: str | None = None, actor: str = "system") -> Account:
        parsed = parse_role(role)
        with self.ctx.db.begin() as conn:
            account = self.get(conn, address)
            if account.status != AccountStatus.ACTIVE:
                raise Conflict(f"Tài khoản «{account.address}» không hoạt động.")
            agency_ref = agency or account.agency_code
            agency_id = self.agencies.get(conn, agency_ref).id if agency_ref else None
            self._grant(conn, account.id, parsed, agency_id)
            self.ctx.audit(conn, actor, "account.grant", account.address, {"role": parsed.value,
                                                                          "agency": agency_ref})
            return self.get(conn, account.address)

    def revoke(self, address: str, role: str, *, agency: str | None = None, actor: str = "system") -> Account:
        parsed = parse_role(role)
        with self.ctx.db.begin() as conn:
            account = self.get(conn, address)
            stmt = delete(account_roles).where(account_roles.c.account_id == account.id,
                                               account_roles.c.role == parsed.value)
            agency_id = self.agencies.get(conn, agency).id if agency else None
            if agency_id is not None:
                stmt = stmt.where(account_roles.c.agency_id == agency_id)
            if conn.execute(stmt).rowcount == 0:
                raise NotFound(f"Tài khoản «{account.address}» không có vai trò «{parsed.value}».", field="role")
            if parsed == Role.CLERK:
                mailboxes = select(accounts.c.id).where(accounts.c.kind == "agency")
                if agency_id is not None:
                    mailboxes = mailboxes.where(accounts.c.agency_id == agency_id)
                conn.execute(delete(mailbox_delegates).where(
                    mailbox_delegates.c.delegate_account_id == account.id,
                    mailbox_delegates.c.mailbox_account_id.in_(mailboxes)))
            self.ctx.audit(conn, actor, "account.revoke", account.address, {"role": parsed.value,
                                                                           "agency": agency})
            return self.get(conn, account.address)

    # -- changes as staff move ---------------------------------------------------------------------------------

    def edit(self, address: str, *, full_name: str | None = None, agency: str | None = None,
             unit: str | None = None, position: str | None = None, phone: str | None = None,
             actor: str = "system") -> Account:
        """Change a person's details; moving them to another agency ends their agency-scoped roles there."""
        values: dict[str, object] = {}
        if full_name is not None:
            name = clean_line(full_name, field="Họ và tên")
            values.update(full_name=name, name_fold=fold(name), name_key=name_sort_key(name))
        if unit is not None:
            values["unit"] = optional_line(unit, "Phòng")
        if position is not None:
            values["position"] = optional_line(position, "Chức vụ")
        if phone is not None:
            values["phone"] = validate_phone(phone)
        with self.ctx.db.begin() as conn:
            account = self.get(conn, address)
            if account.status == AccountStatus.REMOVED:
                raise Conflict(f"Tài khoản «{account.address}» đã bị xoá.")
            if agency is not None:
                target = self.agencies.get(conn, agency)
                if target.status != "active":
                    raise InvalidInput(f"Cơ quan «{target.name}» đã bị xoá.", field="agency")
                if target.code != account.agency_code:
                    values["agency_id"] = target.id
                    old_roles = [g for g in account.roles if g.role in AGENCY_SCOPED_ROLES]
                    for grant in old_roles:
                        self_scope = self.agencies.get(conn, grant.agency_code).id if grant.agency_code else None
                        conn.execute(delete(account_roles).where(
                            account_roles.c.account_id == account.id, account_roles.c.role == grant.role.value,
                            account_roles.c.agency_id == self_scope))
                    conn.execute(delete(mailbox_delegates)
                                 .where(mailbox_delegates.c.delegate_account_id == account.id))
            if not values:
                return account
            values["updated_at"] = self.ctx.now()
            conn.execute(update(accounts).where(accounts.c.id == account.id).values(**values))
            self.ctx.audit(conn, actor, "account.edit", account.address,
                           {k: (v if not isinstance(v, int) else agency) for k, v in values.items()
                            if not k.endswith(("_fold", "_key", "_at"))})
            return self.get(conn, account.address)
