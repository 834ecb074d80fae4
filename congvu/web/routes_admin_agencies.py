"""Administration of agencies: the tree, adding, editing, moving, removing, and roll-out waves.

An agency administrator works inside the subtree of their agency: they may add and edit agencies under it and
edit their own agency's details, but not move or remove their own agency, and waves belong to the province.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from congvu.errors import CongVuError, InvalidInput, PermissionDenied
from congvu.store.schema import accounts
from congvu.web.admin_scope import LEVEL_CHOICES, scoped_agencies
from congvu.web.context import AdminDep, Viewer, web_of
from congvu.web.forms import AdminForm, optional, text
from congvu.web.rendering import page, redirect

router = APIRouter(prefix="/quan-tri")


def _int_or_none(value: str | None, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput(f"«{value}» không phải là số.", message_en=f"{value!r} is not a number.",
                           field=field) from exc


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, viewer: AdminDep) -> HTMLResponse:
    web = web_of(request)
    tree = scoped_agencies(request, viewer.scope)
    ids = [a.id for a in tree]
    with web.inst.db.read() as conn:
        counts = dict(conn.execute(select(accounts.c.status, func.count()).where(
            accounts.c.kind == "person", accounts.c.agency_id.in_(ids)).group_by(accounts.c.status)).all())
    review = web.access.review.run(agency_ids=viewer.scope.limit, idle_days=90)
    return page(request, "admin/dashboard.html", viewer=viewer, agency_count=len(tree), counts=counts,
                review=review, recent=web.access.audit.page(agency_ids=viewer.scope.limit, limit=8))


@router.get("/co-quan", response_class=HTMLResponse)
def agency_tree(request: Request, viewer: AdminDep) -> HTMLResponse:
    web = web_of(request)
    tree = scoped_agencies(request, viewer.scope)
    with web.inst.db.read() as conn:
        people = dict(conn.execute(select(accounts.c.agency_id, func.count()).where(
            accounts.c.kind == "person", accounts.c.status == "active").group_by(accounts.c.agency_id)).all())
    return page(request, "admin/agencies.html", viewer=viewer, tree=tree, people=people,
                waves={w.number: w.name for w in web.directory.agencies.waves()})


@router.get("/co-quan/them", response_class=HTMLResponse)
def agency_add_page(request: Request, viewer: AdminDep, parent: str | None = None) -> HTMLResponse:
    return page(request, "admin/agency_add.html", viewer=viewer, parents=scoped_agencies(request, viewer.scope),
                levels=LEVEL_CHOICES, waves=web_of(request).directory.agencies.waves(),
                values={"parent": parent or ""}, error=None)


@router.post("/co-quan/them", response_class=HTMLResponse)
def agency_add(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    web = web_of(request)
    values = {k: text(form, k) for k in ("code", "name", "short_name", "level", "parent", "mailbox", "wave",
                                         "legacy_code")}
    try:
        if values["parent"]:
            web.access.scope.agency(viewer.scope, values["parent"])
        elif not viewer.scope.province:
            raise PermissionDenied("Hãy chọn cơ quan cấp trên trong phạm vi bạn quản trị.",
                                   message_en="Choose a parent agency within your administration.")
        wave = _int_or_none(values["wave"], "wave") if viewer.scope.province else None
        agency = web.directory.agencies.add(
            code=values["code"], name=values["name"], short_name=values["short_name"], level=values["level"],
            parent=values["parent"] or None, mailbox=values["mailbox"] or None, wave=wave,
            legacy_code=values["legacy_code"] or None, actor=viewer.address)
    except CongVuError as exc:
        return page(request, "admin/agency_add.html", viewer=viewer, http_status=400,
                    parents=scoped_agencies(request, viewer.scope), levels=LEVEL_CHOICES,
                    waves=web.directory.agencies.waves(), values=values, error=exc)
    return redirect(f"/quan-tri/co-quan/{quote(agency.code)}",
                    ok=(f"Đã thêm «{agency.name}»; hộp thư cơ quan: {agency.mailbox}.",
                        f"Added {agency.name}; agency mailbox: {agency.mailbox}."))


@router.get("/co-quan/{code}", response_class=HTMLResponse)
def agency_detail(request: Request, viewer: AdminDep, code: str) -> HTMLResponse:
    web = web_of(request)
    agency = web.access.scope.agency(viewer.scope, code)
    is_root = web.access.scope.is_root(viewer.scope, agency)
    subtree = web.directory.agencies.list(under=agency.code)
    excluded = {a.code for a in subtree}
    parents = [a for a in scoped_agencies(request, viewer.scope) if a.code not in excluded]
    people = web.directory.accounts.list(agency=agency.code, limit=20) if agency.status == "active" else []
    return page(request, "admin/agency_detail.html", viewer=viewer, agency=agency, is_root=is_root,
                children=subtree[1:], parents=parents, people=people, waves=web.directory.agencies.waves())


def _agency_action(request: Request, viewer: Viewer, code: str, *, allow_root: bool) -> str:
    web = web_of(request)
    agency = web.access.scope.agency(viewer.scope, code)
    if not allow_root and web.access.scope.is_root(viewer.scope, agency):
        raise PermissionDenied("Không thể chuyển hoặc xoá chính cơ quan bạn quản trị; hãy nhờ quản trị cấp tỉnh.",
                               message_en="You cannot move or remove the agency you administer; ask the province.")
    return agency.code


@router.post("/co-quan/{code}/sua")
def agency_edit(request: Request, form: AdminForm, viewer: AdminDep, code: str) -> Response:
    web = web_of(request)
    target = _agency_action(request, viewer, code, allow_root=True)
    try:
        wave = text(form, "wave")
        web.directory.agencies.edit(
            target, name=optional(form, "name"), short_name=optional(form, "short_name"),
            legacy_code=optional(form, "legacy_code"),
            sort_order=_int_or_none(optional(form, "sort_order"), "sort_order"),
            wave=_int_or_none(wave, "wave") if viewer.scope.province and wave else None,
            clear_wave=viewer.scope.province and "wave" in form and not wave, actor=viewer.address)
    except CongVuError as exc:
        return redirect(f"/quan-tri/co-quan/{quote(target)}", error=exc)
    return redirect(f"/quan-tri/co-quan/{quote(target)}", ok=("Đã lưu thay đổi.", "Changes saved."))


@router.post("/co-quan/{code}/chuyen")
def agency_move(request: Request, form: AdminForm, viewer: AdminDep, code: str) -> Response:
    web = web_of(request)
    target = _agency_action(request, viewer, code, allow_root=False)
    try:
        parent = web.access.scope.agency(viewer.scope, text(form, "parent"))
        web.directory.agencies.move(target, parent.code, actor=viewer.address)
    except CongVuError as exc:
        return redirect(f"/quan-tri/co-quan/{quote(target)}", error=exc)
    return redirect(f"/quan-tri/co-quan/{quote(target)}", ok=(f"Đã chuyển sang «{parent.name}».",
                                                              f"Moved under {parent.name}."))


@router.post("/co-quan/{code}/xoa")
def agency_remove(request: Request, form: AdminForm, viewer: AdminDep, code: str) -> Response:
    web = web_of(request)
    target = _agency_action(request, viewer, code, allow_root=False)
    try:
        web.directory.agencies.remove(target, reason=text(form, "reason"), actor=viewer.address)
    except CongVuError as exc:
        return redirect(f"/quan-tri/co-quan/{quote(target)}", error=exc)
    return redirect("/quan-tri/co-quan", ok=("Đã xoá cơ quan (lịch sử và hộp thư được giữ).",
                                            "Agency removed (history and mailbox kept)."))


@router.get("/dot-trien-khai", response_class=HTMLResponse)
def waves_page(request: Request, viewer: AdminDep) -> HTMLResponse:
    web = web_of(request)
    web.access.scope.require_province(viewer.scope)
    tree = web.directory.agencies.list()
    counts: dict[int, int] = {}
    for agency in tree:
        if agency.wave is not None:
            counts[agency.wave] = counts.get(agency.wave, 0) + 1
    return page(request, "admin/waves.html", viewer=viewer, waves=web.directory.agencies.waves(), counts=counts)


@router.post("/dot-trien-khai")
def wave_set(request: Request, form: AdminForm, viewer: AdminDep) -> Response:
    web = web_of(request)
    web.access.scope.require_province(viewer.scope)
    try:
        number = _int_or_none(text(form, "number"), "number")
        if number is None or number < 1:
            raise InvalidInput("Số đợt phải là số nguyên dương.", message_en="The wave number must be positive.",
                               field="number")
        starts = text(form, "starts_on")
        try:
            starts_on = date.fromisoformat(starts) if starts else None
        except ValueError as exc:
            raise InvalidInput(f"Ngày «{starts}» không hợp lệ (YYYY-MM-DD).", field="starts_on") from exc
        web.directory.agencies.set_wave(number, name=text(form, "name"), starts_on=starts_on, actor=viewer.address)
    except CongVuError as exc:
        return redirect("/quan-tri/dot-trien-khai", error=exc)
    return redirect("/quan-tri/dot-trien-khai", ok=("Đã lưu đợt triển khai.", "Wave saved."))
