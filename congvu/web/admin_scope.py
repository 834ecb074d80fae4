"""Helpers of the administration pages: the agencies an administrator may choose from, and scope checks that
turn into clear 403 pages."""

from __future__ import annotations

from fastapi import Request

from congvu.access.scope import AdminScope
from congvu.directory.models import LEVEL_NAMES_VI, ROLE_NAMES_VI, Agency, AgencyLevel, Role
from congvu.errors import PermissionDenied
from congvu.web.context import Viewer, web_of

# Roles an administrator hands out from the people pages (province_admin only by a province administrator).
GRANTABLE = (Role.CLERK, Role.LEADER, Role.AGENCY_ADMIN)
LEVEL_CHOICES = tuple((level.value, LEVEL_NAMES_VI[level]) for level in AgencyLevel)
ROLE_LABELS = {role.value: name for role, name in ROLE_NAMES_VI.items()}


def scoped_agencies(request: Request, scope: AdminScope) -> list[Agency]:
    """The agencies the administrator manages, in tree order (depth kept for indentation)."""
    agencies = web_of(request).directory.agencies
    if scope.province:
        return agencies.list()
    seen: set[str] = set()
    out: list[Agency] = []
    for root in scope.root_codes:
        for agency in agencies.list(under=root):
            if agency.code not in seen:
                seen.add(agency.code)
                out.append(agency)
    return out


def grantable_roles(viewer: Viewer) -> tuple[Role, ...]:
    return (*GRANTABLE, Role.PROVINCE_ADMIN) if viewer.scope.province else GRANTABLE


def require_grantable(viewer: Viewer, role: str) -> None:
    if role not in {r.value for r in grantable_roles(viewer)}:
        raise PermissionDenied(f"Bạn không thể giao vai trò «{ROLE_LABELS.get(role, role)}».",
                               message_en=f"You may not grant the role {role!r}.")


def not_self(viewer: Viewer, address: str) -> None:
    if address == viewer.address:
        raise PermissionDenied("Không thể tự khoá, xoá hoặc đổi vai trò của chính mình.",
                               message_en="You cannot disable, remove or change the roles of your own account.")
