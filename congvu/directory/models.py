"""Values of the directory, as services hand them to adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class AgencyLevel(StrEnum):
    """Levels of the provincial tree (province → sở/ban/ngành, huyện → phòng, xã/phường/thị trấn)."""

    PROVINCE = "province"  # UBND tỉnh / the province itself
    DEPARTMENT = "department"  # sở, ban, ngành cấp tỉnh
    DISTRICT = "district"  # UBND huyện, thị xã, thành phố thuộc tỉnh
    DIVISION = "division"  # phòng, đơn vị thuộc sở hoặc thuộc UBND huyện
    COMMUNE = "commune"  # UBND xã, phường, thị trấn


LEVEL_NAMES_VI: dict[AgencyLevel, str] = {
    AgencyLevel.PROVINCE: "Cấp tỉnh",
    AgencyLevel.DEPARTMENT: "Sở, ban, ngành",
    AgencyLevel.DISTRICT: "Huyện, thị xã, thành phố",
    AgencyLevel.DIVISION: "Phòng, đơn vị trực thuộc",
    AgencyLevel.COMMUNE: "Xã, phường, thị trấn",
}

# Which levels a parent of each level may have (None: a root).
ALLOWED_PARENTS: dict[AgencyLevel, frozenset[AgencyLevel | None]] = {
    AgencyLevel.PROVINCE: frozenset({None}),
    AgencyLevel.DEPARTMENT: frozenset({AgencyLevel.PROVINCE}),
    AgencyLevel.DISTRICT: frozenset({AgencyLevel.PROVINCE}),
    AgencyLevel.DIVISION: frozenset({AgencyLevel.DEPARTMENT, AgencyLevel.DISTRICT, AgencyLevel.PROVINCE,
                                     AgencyLevel.DIVISION}),
    AgencyLevel.COMMUNE: frozenset({AgencyLevel.DISTRICT}),
}


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    REMOVED = "removed"


class AccountKind(StrEnum):
    PERSON = "person"
    AGENCY = "agency"  # the agency's official mailbox, read by its clerk(s)
    SYSTEM = "system"


class Role(StrEnum):
    PROVINCE_ADMIN = "province_admin"
    AGENCY_ADMIN = "agency_admin"
    CLERK = "clerk"  # văn thư: reads and sends as the agency mailbox
    LEADER = "leader"
    USER = "user"


ROLE_NAMES_VI: dict[Role, str] = {
    Role.PROVINCE_ADMIN: "Quản trị cấp tỉnh",
    Role.AGENCY_ADMIN: "Quản trị cơ quan",
    Role.CLERK: "Văn thư",
    Role.LEADER: "Lãnh đạo",
    Role.USER: "Người dùng",
}

AGENCY_SCOPED_ROLES = frozenset({Role.AGENCY_ADMIN, Role.CLERK, Role.LEADER})


@dataclass(frozen=True)
class Agency:
    id: int
    code: str
    legacy_code: str | None
    name: str
    short_name: str
    level: AgencyLevel
    parent_code: str | None
    mailbox: str | None
    wave: int | None
    status: str
    depth: int = 0


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    agency_code: str | None


@dataclass(frozen=True)
class Account:
    id: int
    address: str
    kind: AccountKind
    full_name: str
    agency_code: str | None
    agency_name: str | None
    unit: str | None
    position: str | None
    phone: str | None
    status: AccountStatus
    status_reason: str | None
    status_changed_at: datetime | None
    retention_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    roles: tuple[RoleGrant, ...] = field(default=())
    moved_to: str | None = None  # a removed account's new address (mail to the old one is answered with it)


@dataclass(frozen=True)
class Alias:
    id: int
    address: str
    targets: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class GroupRule:
    """Members chosen by the tree: every active agency of the given levels (under one agency, if set)."""

    levels: tuple[AgencyLevel, ...]
    under: str | None = None
    target: str = "agency_mailbox"  # agency_mailbox | people


@dataclass(frozen=True)
class Group:
    id: int
    address: str
    name: str
    kind: str  # static | rule
    rule: GroupRule | None
    members: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class Wave:
    number: int
    name: str
    starts_on: date | None
