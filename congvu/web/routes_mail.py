"""The webmail: folders, message lists, reading, attachments, and what is done to messages.

Messages are addressed as ``/thu/muc/<folder id>/<uid>``; every call goes through the mail store with the
viewer's id, so a folder of another person or agency answers 404 (RFC 4314 §6: its existence does not leak)
and one seen without the needed right 403. Opening one's own inbox counts as a mailbox check (usage event
``inbox_check``), as an IMAP SELECT does.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from congvu.errors import CongVuError, InvalidInput, NotFound
from congvu.mail.sections import fetch_binary
from congvu.mailstore.api import FLAGGED, INBOX, SEEN, FlagMode, SpecialUse
from congvu.web import routes_mail_folders
from congvu.web.context import ViewerDep, web_of
from congvu.web.forms import ViewerForm, text
from congvu.web.mail_pages import folder_label, mail_page, message_csp
from congvu.web.rendering import redirect
from congvu.web.security import safe_next
from congvu.webmail.actions import Action, apply, parse_action
from congvu.webmail.filenames import content_disposition, safe_filename
from congvu.webmail.folders import is_protected
from congvu.webmail.mailboxes import SortBy, inbox_of, message_page
from congvu.webmail.reading import INLINE_IMAGE_TYPES, find_span, read_message

router = APIRouter(prefix="/thu")

DONE = {
    Action.MOVE: ("Đã chuyển thư.", "Moved."),
    Action.DELETE: ("Đã chuyển thư vào Thùng rác.", "Moved to Trash."),
    Action.JUNK: ("Đã đánh dấu là thư rác.", "Marked as junk."),
    Action.NOT_JUNK: ("Đã chuyển về Hộp thư đến.", "Moved back to the Inbox."),
    Action.ARCHIVE: ("Đã lưu trữ thư.", "Archived."),
    Action.READ: ("Đã đánh dấu đã đọc.", "Marked as read."),
    Action.UNREAD: ("Đã đánh dấu chưa đọc.", "Marked as unread."),
    Action.FLAG: ("Đã gắn cờ.", "Flagged."),
    Action.UNFLAG: ("Đã bỏ cờ.", "Flag removed."),
}


def _uid(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 2**32:
        raise InvalidInput("Thư không hợp lệ.", message_en="Invalid message.", field="uid")
    return int(value)


@router.get("")
def mail_home(request: Request, viewer: ViewerDep) -> Response:
    inbox = inbox_of(web_of(request).inst.mailstore, viewer.account.id)
    return RedirectResponse(f"/thu/muc/{inbox.id}", status_code=303)


@router.get("/muc/{folder_id}", response_class=HTMLResponse)
def folder_page(request: Request, viewer: ViewerDep, folder_id: int,
                q: str = Query(default="", max_length=200), sort: SortBy = SortBy.DATE,
                order: str = Query(default="desc", pattern="^(asc|desc)$"),
                page: int = Query(default=1, ge=1, le=100000)) -> HTMLResponse:
    web = web_of(request)
    store = web.inst.mailstore
    me = viewer.account.id
    folder = store.get_folder(me, folder_id)
    listed = message_page(store, me, folder_id, query=q, sort=sort, reverse=order == "desc", page=page)
    if folder.name == INBOX and not folder.shared and page == 1 and not q:
        web.inst.usage.record("inbox_check", account_id=me, protocol="web")
    folders = store.list_folders(me)
    targets = [f for f in folders if f.owner_id == folder.owner_id and f.id != folder.id and "i" in f.rights]

    def page_url(number: int) -> str:
        params = {k: v for k, v in (("q", q), ("sort", sort.value if sort != SortBy.DATE else ""),
                                    ("order", order if order != "desc" else ""), ("page", str(number)))
                  if v and not (k == "page" and number == 1)}
        return f"/thu/muc/{folder_id}" + (f"?{urlencode(params)}" if params else "")

    sent_like = folder.special_use in (SpecialUse.SENT.value, SpecialUse.DRAFTS.value)
    return mail_page(request, viewer, "mail/list.html", folder_id=folder_id, folders=folders, folder=folder,
                     listed=listed, q=q,
                     sort=sort.value, order=order, targets=targets, page_url=page_url, sent_like=sent_like,
                     is_drafts=folder.special_use == SpecialUse.DRAFTS.value and not folder.shared,
                     is_trash=folder.special_use == SpecialUse.TRASH.value,
                     is_junk=folder.special_use == SpecialUse.JUNK.value, back=page_url(listed.page),
                     manageable=not folder.shared and not is_protected(folder))


@router.get("/muc/{folder_id}/{uid}", response_class=HTMLResponse)
def read_page(request: Request, viewer: ViewerDep, folder_id: int, uid: str,
              images: int = Query(default=0, ge=0, le=1)) -> HTMLResponse:
    web = web_of(request)
    store = web.inst.mailstore
    me = viewer.account.id
    number = _uid(uid)
    folder = store.get_folder(me, folder_id)
    found = store.fetch(me, folder_id, [number])
    if not found:
        raise NotFound("Không có thư này (có thể đã bị chuyển hoặc xoá).",
                       message_en="No such message (it may have been moved or deleted).")
    stored = found[0]
    raw = store.read_blob(stored.content.sha256)
    view = read_message(raw, stored.content.parts, allow_remote=bool(images),
                        part_url=lambda part: f"/thu/muc/{folder_id}/{number}/tep/{part}?inline=1")
    if SEEN not in stored.summary.flags and "s" in folder.rights:
        store.store_flags(me, folder_id, [number], FlagMode.ADD, [SEEN])
    folders = store.list_folders(me)
    targets = [f for f in folders if f.owner_id == folder.owner_id and f.id != folder.id and "i" in f.rights]
    back = safe_next(request.query_params.get("back"), f"/thu/muc/{folder_id}")
    response = mail_page(request, viewer, "mail/read.html", folder_id=folder_id, folders=folders, folder=folder,
                         uid=number,
                         view=view, stored=stored, targets=targets, back=back, images=bool(images),
                         folder_name=folder_label(folder), flagged=FLAGGED in stored.summary.flags,
                         is_trash=folder.special_use == SpecialUse.TRASH.value,
                         is_junk=folder.special_use == SpecialUse.JUNK.value)
    response.headers["Content-Security-Policy"] = message_csp(bool(images))
    return response


@router.get("/muc/{folder_id}/{uid}/tep/{part}")
def download_part(request: Request, viewer: ViewerDep, folder_id: int, uid: str, part: str,
                  inline: int = Query(default=0, ge=0, le=1)) -> Response:
    store = web_of(request).inst.mailstore
    me = viewer.account.id
    number = _uid(uid)
    found = store.fetch(me, folder_id, [number])
    if not found or not all(n.isdigit() for n in part.split(".")):
        raise NotFound("Không có tệp này.", message_en="No such attachment.")
    stored = found[0]
    span = find_span(stored.content.parts, part)
    if span is None or span.is_multipart:
        raise NotFound("Không có tệp này.", message_en="No such attachment.")
    data = fetch_binary(store.read_blob(stored.content.sha256), stored.content.parts,
                        tuple(int(n) for n in part.split(".")))
    name = safe_filename(span.filename or (f"thu-dinh-kem-{part}.eml" if span.is_message else f"tep-{part}"))
    # Only raster pictures are ever shown inline: anything else (HTML, SVG, PDF…) is a download, so a file in
    # a message can never run as a page of this site.
    show = bool(inline) and span.content_type in INLINE_IMAGE_TYPES
    media = span.content_type if show else "application/octet-stream"
    return Response(data, media_type=media, headers={
        "Content-Disposition": content_disposition(name, inline=show), "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.get("/muc/{folder_id}/{uid}/goc")
def download_raw(request: Request, viewer: ViewerDep, folder_id: int, uid: str) -> Response:
    store = web_of(request).inst.mailstore
    number = _uid(uid)
    raw = store.read_raw(viewer.account.id, folder_id, number)
    return Response(raw, media_type="message/rfc822", headers={
        "Content-Disposition": content_disposition(f"thu-{folder_id}-{number}.eml"),
        "Cache-Control": "private, no-store", "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.post("/muc/{folder_id}/thao-tac")
def act(request: Request, form: ViewerForm, viewer: ViewerDep, folder_id: int) -> Response:
    web = web_of(request)
    back = safe_next(text(form, "back"), f"/thu/muc/{folder_id}")
    try:
        action = parse_action(text(form, "action"))
        uids = [_uid(str(v)) for v in form.getlist("uid")]
        target = text(form, "target")
        moved_to = apply(web.inst.mailstore, web.inst.usage, viewer.account.id, folder_id, uids, action,
                         target_id=int(target) if target.isdigit() else None)
    except CongVuError as exc:
        return redirect(back, error=exc)
    if text(form, "single") == "1" and (moved_to is not None or action in (Action.DELETE, Action.UNREAD)):
        back = f"/thu/muc/{folder_id}"  # the message left this folder (or was put aside): back to the list
    return redirect(back, ok=DONE[action])


router.include_router(routes_mail_folders.router)  # /thu/thu-muc: the person's own folders
