"""What an administrator may manage: the whole province (``province_admin``), or the agencies they administer
(``agency_admin``) with everything under them. Every administrative page and API call goes through this check.

Out-of-scope objects are refused with :class:`PermissionDenied` naming the reason, so that an agency's
administrator learns why a colleague of another agency cannot be changed; objects that do not exist raise
:class:`NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from congvu.directory.accounts import AccountService
from congvu.directory.agencies import AgencyService
from congvu.directory.context import DirectoryContext
from congvu.directory.models import Account, Agency, Role
from congvu.errors import NotFound, PermissionDenied
from congvu.store.schema import accounts


@dataclass(frozen=True)
class AdminScope:
    address: str
    province: bool
    agency_ids: frozenset[int]  # every agency managed (unused when ``province``)
    root_codes: tuple[str, ...]  # the agencies granted, roots of the managed subtrees

    @property
    def is_admin(self) -> bool:
        return self.province or bool(self.agency_ids)

    @property
    def limit(self) -> set[int] | None:
        """None for the whole province, else the agency ids (for service calls that filter by agency)."""
        return None if self.province else set(self.agency_ids)

    def covers(self, agency_id: int | None) -> bool:
        return self.province or (agency_id is not None and agency_id in self.agency_ids)


NO_SCOPE_MESSAGE = "Bạn không có quyền quản trị."


class ScopeService:
    def __init__(self, ctx: DirectoryContext, agency_service: AgencyService, account_service: AccountService) -> None:
        self.ctx = ctx
        self.agencies = agency_service
        self.accounts = account_service

    def for_account(self, account: Account) -> AdminScope:
        province = any(g.role == Role.PROVINCE_ADMIN for g in account.roles)
        roots = tuple(g.agency_code for g in account.roles if g.role == Role.AGENCY_ADMIN and g.agency_code)
        ids: set[int] = set()
        if roots and not province:
            with self.ctx.db.read() as conn:
                for code in roots:
                    root = self.agencies.get(conn, code)
                    if root.status == "active":
                        ids |= self.agencies.descendants(conn, root.id)
        return AdminScope(account.address, province, frozenset(ids), roots)

    def require_admin(self, scope: AdminScope) -> None:
        if not scope.is_admin:
            raise PermissionDenied(NO_SCOPE_MESSAGE, message_en="You are not an administrator.")

    def require_province(self, scope: AdminScope) -> None:
        if not scope.province:
            raise PermissionDenied("Chỉ quản trị cấp tỉnh được làm việc này.",
                                   message_en="Only a province administrator may do this.")

    def address_of(self, ref: str) -> str:
        """An account's address from an address, a local part or a numeric id."""
        text = ref.strip().lower()
        if text.isdigit():
            with self.ctx.db.read() as conn:
                address = conn.execute(select(accounts.c.address).where(accounts.c.id == int(text))).scalar()
            if address is None:
                raise NotFound(f"Không có tài khoản số {text}.", message_en=f"No account #{text}.")
            return str(address)
        return text if "@" in text else f"{text}@{self.ctx.domain}"

    def account(self, scope: AdminScope, ref: str, *, for_change: bool = False) -> Account:
        """The account if the administrator manages it (its agency is in scope).

        ``for_change``: an agency administrator may not change a province administrator's account, even one
        working in their agency (resetting its password would hand them the whole province).
        """
        self.require_admin(scope)
        with self.ctx.db.read() as conn:
            account = self.accounts.get(conn, self.address_of(ref))
            agency_id = self.agencies.get(conn, account.agency_code).id if account.agency_code else None
        if not scope.covers(agency_id):
            raise PermissionDenied(
                f"Tài khoản «{account.address}» thuộc cơ quan ngoài phạm vi bạn quản trị.",
                message_en=f"The account {account.address} belongs to an agency outside your administration.")
        if for_change and not scope.province and any(g.role == Role.PROVINCE_ADMIN for g in account.roles):
            raise PermissionDenied(
                f"Tài khoản «{account.address}» là quản trị cấp tỉnh; chỉ quản trị cấp tỉnh được thay đổi.",
                message_en=f"{account.address} is a province administrator; only the province may change it.")
        return account

    def agency(self, scope: AdminScope, ref: str) -> Agency:
        self.require_admin(scope)
        agency = self.agencies.show(ref)
        if not scope.covers(agency.id):
            raise PermissionDenied(f"Cơ quan «{agency.name}» nằm ngoài phạm vi bạn quản trị.",
                                   message_en=f"The agency {agency.code} is outside your administration.")
        return agency

    def is_root(self, scope: AdminScope, agency: Agency) -> bool:
        """True for an agency administrator's own agency (which they may edit but not move)."""
        return not scope.province and agency.code in scope.root_codes
