"""Administration of aliases and distribution groups (installation-wide, so for province administrators)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from congvu.directory.models import LEVEL_NAMES_VI, AgencyLevel
from congvu.errors import CongVuError
from congvu.web.context import AdminDep, Viewer, web_of
from congvu.web.forms import AdminForm, optional, text
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri")


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").replace(";", "\n").splitlines() if part.strip()]


def _full(request: Request, address: str) -> str:
    """Forms accept the local part alone (``tocongtac``) for an address of the main domain."""
    text_ = address.strip().lower()
    return text_ if "@" in text_ or not text_ else f"{text_}@{web_of(request).inst.settings.domain}"


def _province(request: Request, viewer: Viewer) -> None:
    web_of(request).access.scope.require_province(viewer.scope)


@router.get("/bi-danh", response_class=HTMLResponse)
def aliases_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    _province(request, viewer)
    return page(request, "admin/aliases.html", viewer=viewer, aliases=web_of(request).directory.aliases.list())


@router.post("/bi-danh")
def alias_add(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    _province(request, viewer)
    try:
        alias = web_of(request).directory.aliases.add(_full(request, text(form, "address")),
                                                      [_full(request, t) for t in _lines(text(form, "targets"))],
                                                      description=optional(form, "description"),
                                                      actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/bi-danh", error=exc)
    return redirect("/quan-tri/bi-danh", ok=(f"Đã tạo bí danh {alias.address}.", f"Alias {alias.address} created."))


@router.post("/bi-danh/{address}/xoa")
def alias_remove(request: Request, form: AdminForm, viewer: AdminDep, address: str) -> Response:
    _province(request, viewer)
    try:
        web_of(request).directory.aliases.remove(address, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/bi-danh", error=exc)
    return redirect("/quan-tri/bi-danh", ok=("Đã xoá bí danh; địa chỉ được giữ trong thời hạn lưu.",
                                            "Alias removed; the address stays reserved for the retention period."))


@router.get("/nhom", response_class=HTMLResponse)
def groups_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    _province(request, viewer)
    web = web_of(request)
    return page(request, "admin/groups.html", viewer=viewer, groups=web.directory.groups.list(),
                levels=[(lv.value, LEVEL_NAMES_VI[lv]) for lv in AgencyLevel], agencies=web.directory.agencies.list())


@router.post("/nhom")
def group_add(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    _province(request, viewer)
    rule = None
    levels = [v for v in form.getlist("level") if isinstance(v, str) and v]
    if text(form, "kind") == "rule":
        rule = "level=" + ",".join(levels) if levels else "level="
        if text(form, "under"):
            rule += f";under={text(form, 'under')}"
        if text(form, "target") == "people":
            rule += ";target=people"
    try:
        group = web_of(request).directory.groups.add(
            _full(request, text(form, "address")), text(form, "name"),
            members=[] if rule else [_full(request, m) for m in _lines(text(form, "members"))],
            rule=rule, description=optional(form, "description"), actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/nhom", error=exc)
    return redirect(f"/quan-tri/nhom/{quote(group.address)}", ok=(f"Đã tạo nhóm {group.address}.",
                                                                  f"Group {group.address} created."))


@router.get("/nhom/{address}", response_class=HTMLResponse)
def group_detail(request: Request, viewer: AdminDep, address: str) -> HTMLResponse:
    _province(request, viewer)
    group = web_of(request).directory.groups.show(address)
    return page(request, "admin/group_detail.html", viewer=viewer, group=group, level_names={
        lv: LEVEL_NAMES_VI[lv] for lv in AgencyLevel})


@router.post("/nhom/{address}/thanh-vien")
def group_members(request: Request, form: AdminForm, viewer: AdminDep, address: str) -> Response:
    _province(request, viewer)
    back = f"/quan-tri/nhom/{quote(address)}"
    try:
        web_of(request).directory.groups.change_members(
            address, add=[_full(request, m) for m in _lines(text(form, "add"))],
            remove=[_full(request, m) for m in _lines(text(form, "remove"))], actor=viewer.address)
    except CongVuError as exc:
        return redirect(back, error=exc)
    return redirect(back, ok=("Đã cập nhật thành viên.", "Members updated."))


@router.post("/nhom/{address}/xoa")
def group_remove(request: Request, form: AdminForm, viewer: AdminDep, address: str) -> Response:
    _province(request, viewer)
    try:
        web_of(request).directory.groups.remove(address, actor=viewer.address)
    except CongVuError as exc:
        return redirect(f"/quan-tri/nhom/{quote(address)}", error=exc)
    return redirect("/quan-tri/nhom", ok=("Đã xoá nhóm.", "Group removed."))
