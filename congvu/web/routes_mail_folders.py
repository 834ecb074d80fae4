"""Managing one's own folders in the webmail: the list, create, rename or move inside another folder, and delete
after a confirmation that says how many messages go with the folder.

The work is :mod:`congvu.webmail.folders` (the mail store's CREATE, RENAME, DELETE); a refusal (a special
folder, a taken name, another person's folder) comes back to the folder page as a message.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from congvu.errors import CongVuError, InvalidInput
from congvu.web.context import ViewerDep, web_of
from congvu.web.forms import ViewerForm, text
from congvu.web.mail_pages import folder_label, mail_page
from congvu.web.rendering import redirect
from congvu.webmail import folders

router = APIRouter(prefix="/thu-muc")  # inside the webmail's router: /thu/thu-muc
HOME = "/thu/thu-muc"


def _parent(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("Thư mục không hợp lệ.", message_en="Invalid folder.", field="parent")
    return int(value)


@router.get("", response_class=HTMLResponse)
def folders_page(request: Request, viewer: ViewerDep) -> HTMLResponse:
    listed = folders.own_folders(web_of(request).inst.mailstore, viewer.account.id)
    parents = [f for f in listed if not f.protected]
    return mail_page(request, viewer, "mail/folders.html", listed=listed, parents=parents)


@router.post("")
def create_folder(request: Request, form: ViewerForm, viewer: ViewerDep) -> Response:
    try:
        made = folders.create(web_of(request).inst.mailstore, viewer.account.id, text(form, "name"),
                              parent_id=_parent(text(form, "parent")))
    except CongVuError as exc:
        return redirect(HOME, error=exc)
    name = folder_label(made)
    return redirect(HOME, ok=(f"Đã tạo thư mục «{name}».", f"Folder '{name}' created."))


@router.post("/{folder_id}/doi-ten")
def rename_folder(request: Request, form: ViewerForm, viewer: ViewerDep, folder_id: int) -> Response:
    try:
        renamed = folders.rename(web_of(request).inst.mailstore, viewer.account.id, folder_id, text(form, "name"),
                                 parent_id=_parent(text(form, "parent")), keep_place="parent" not in form)
    except CongVuError as exc:
        return redirect(HOME, error=exc)
    name = folder_label(renamed)
    return redirect(HOME, ok=(f"Đã lưu thư mục «{name}».", f"Folder '{name}' saved."))


@router.get("/{folder_id}/xoa", response_class=HTMLResponse)
def delete_page(request: Request, viewer: ViewerDep, folder_id: int) -> Response:
    try:
        plan = folders.deletion_plan(web_of(request).inst.mailstore, viewer.account.id, folder_id)
    except CongVuError as exc:
        return redirect(HOME, error=exc)
    return mail_page(request, viewer, "mail/folder_delete.html", plan=plan)


@router.post("/{folder_id}/xoa")
def delete_folder(request: Request, form: ViewerForm, viewer: ViewerDep, folder_id: int) -> Response:
    if text(form, "confirm") != "1":
        return redirect(f"{HOME}/{folder_id}/xoa", error=InvalidInput(
            "Hãy xác nhận việc xoá thư mục.", message_en="Confirm that the folder is to be deleted.",
            field="confirm"))
    try:
        plan = folders.delete(web_of(request).inst.mailstore, viewer.account.id, folder_id)
    except CongVuError as exc:
        return redirect(HOME, error=exc)
    name = folder_label(plan.folder)
    return redirect(HOME, ok=(f"Đã xoá thư mục «{name}» cùng {plan.messages} thư trong đó.",
                              f"Folder '{name}' deleted with its {plan.messages} message(s)."))
