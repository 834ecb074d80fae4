"""The JSON shapes of ``/api/v1`` (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from congvu.directory.models import Account, Agency


class ErrorBody(BaseModel):
    message: str = Field(description="Vietnamese message")
    message_en: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class AgencyOut(BaseModel):
    code: str = Field(description="Mã định danh (QĐ 20/2020/QĐ-TTg) or legacy QCVN 102 code")
    legacy_code: str | None
    name: str
    short_name: str
    level: str
    parent_code: str | None
    mailbox: str | None
    wave: int | None
    status: str
    depth: int

    @classmethod
    def of(cls, agency: Agency) -> AgencyOut:
        return cls(code=agency.code, legacy_code=agency.legacy_code, name=agency.name,
                   short_name=agency.short_name, level=agency.level.value, parent_code=agency.parent_code,
                   mailbox=agency.mailbox, wave=agency.wave, status=agency.status, depth=agency.depth)


class RoleOut(BaseModel):
    role: str
    agency_code: str | None


class AccountOut(BaseModel):
    id: int
    address: str
    kind: str
    full_name: str
    agency_code: str | None
    agency_name: str | None
    unit: str | None
    position: str | None
    phone: str | None
    status: str
    status_reason: str | None
    moved_to: str | None = None
    created_at: datetime
    last_login_at: datetime | None
    roles: list[RoleOut]

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(id=account.id, address=account.address, kind=account.kind.value, full_name=account.full_name,
                   agency_code=account.agency_code, agency_name=account.agency_name, unit=account.unit,
                   position=account.position, phone=account.phone, status=account.status.value,
                   status_reason=account.status_reason, moved_to=account.moved_to, created_at=account.created_at,
                   last_login_at=account.last_login_at,
                   roles=[RoleOut(role=g.role.value, agency_code=g.agency_code) for g in account.roles])


class AccountPage(BaseModel):
    items: list[AccountOut]
    limit: int
    offset: int
    has_more: bool


class AccountCreate(BaseModel):
    full_name: str = Field(max_length=300)
    agency: str = Field(max_length=300, description="agency code, or its full or short name")
    unit: str | None = Field(default=None, max_length=300)
    position: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=320, description="default: proposed by the naming rule")


class AccountCreated(BaseModel):
    account: AccountOut
    password: str | None = Field(description="the generated password, returned once")


class AccountEdit(BaseModel):
    full_name: str | None = Field(default=None, max_length=300)
    agency: str | None = Field(default=None, max_length=300, description="transfer to this agency")
    unit: str | None = Field(default=None, max_length=300)
    position: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)


class StatusChange(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class RemoveRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    moved_to: str | None = Field(default=None, max_length=320,
                                 description="the person's new address: mail to the old one is answered with it")
