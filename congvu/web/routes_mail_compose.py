"""Writing mail on the web: the compose page (new, reply, reply to all, forward, a draft), sending, saving a
draft (the button, and the page's autosave), and recipient suggestions from the directory.

Sending goes through :class:`congvu.webmail.send.WebMailer`, which applies the rules of SMTP submission. A reply
marks its parent \\Answered and a forward sets ``$Forwarded`` (RFC 5788 keyword registry). Errors bring the form
back as it was typed, with the reason; uploaded files must then be chosen again (browsers never refill file
fields).
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from congvu.errors import CongVuError
from congvu.mailstore.api import ANSWERED, FlagMode
from congvu.web.context import Viewer, ViewerDep, web_of
from congvu.web.errors import status_of
from congvu.web.i18n import error_text, language, translate
from congvu.web.mail_compose import (
    MODES,
    ComposeForm,
    ComposeState,
    kept_files,
    outgoing,
    state_from_form,
    too_large_error,
    upload_limit,
    uploads,
    with_kept,
)
from congvu.web.mail_pages import mail_page
from congvu.web.rendering import VIETNAM, redirect
from congvu.web.security import client_ip, is_https
from congvu.webmail.addressing import format_entries
from congvu.webmail.mailboxes import inbox_of
from congvu.webmail.reading import read_message
from congvu.webmail.replies import Mode, forward, reply
from congvu.webmail.send import WebMailer
from congvu.webmail.suggestions import suggest

router = APIRouter(prefix="/thu")
FORWARDED = "$Forwarded"


def _mailer(request: Request) -> WebMailer:
    web = web_of(request)
    return WebMailer(web.inst, queue=web.outbound)


def _compose_page(request: Request, viewer: Viewer, state: ComposeState, *, error: CongVuError | None = None,
                  http_status: int = 200) -> HTMLResponse:
    mailer = _mailer(request)
    return mail_page(request, viewer, "mail/compose.html", folder_id=None, http_status=http_status, state=state,
                     identities=mailer.identities(viewer.account), error=error_text(error, language(request))
                     if error else None, limit_mb=upload_limit(request) // 1048576)


@router.get("/soan", response_class=HTMLResponse)
def compose(request: Request, viewer: ViewerDep, mode: str = Query(default=Mode.NEW, max_length=20),
            folder: int | None = Query(default=None, ge=1), uid: int | None = Query(default=None, ge=1),
            to: str = Query(default="", max_length=2000)) -> HTMLResponse:
    store = web_of(request).inst.mailstore
    me = viewer.account.id
    if mode not in MODES or (mode != Mode.NEW and (folder is None or uid is None)):
        mode = Mode.NEW
    state = ComposeState(from_addr=viewer.address, to=to.strip())
    if mode != Mode.NEW and folder is not None and uid is not None:
        source = store.get_folder(me, folder)
        found = store.fetch(me, folder, [uid])
        if found:
            raw = store.read_blob(found[0].content.sha256)
            view = read_message(raw, found[0].content.parts, part_url=lambda part: "")
            lang = language(request)
            sender = source.owner_address if source.shared and any(
                i.address == source.owner_address for i in _mailer(request).identities(viewer.account)) \
                else viewer.address
            if mode in (Mode.REPLY, Mode.REPLY_ALL):
                pre = reply(view, me={viewer.address, source.owner_address}, to_all=mode == Mode.REPLY_ALL,
                            lang=lang)
                state = ComposeState(from_addr=sender, to=pre.to, cc=pre.cc, subject=pre.subject, body=pre.body,
                                     mode=mode, source_folder=folder, source_uid=uid, in_reply_to=pre.in_reply_to,
                                     references=pre.references)
            elif mode == Mode.FORWARD:
                pre = forward(view, lang)
                state = ComposeState(from_addr=sender, subject=pre.subject, body=pre.body, mode=mode,
                                     source_folder=folder, source_uid=uid, references=pre.references,
                                     kept=kept_files(folder, uid, view.attachments))
            else:
                state = ComposeState(
                    from_addr=view.from_[0][1] if view.from_ else viewer.address, to=format_entries(view.to),
                    cc=format_entries(view.cc), bcc=format_entries(view.bcc), subject=view.subject, body=view.text,
                    mode=Mode.DRAFT, draft_uid=uid, in_reply_to=view.in_reply_to or "",
                    references=" ".join(view.references), kept=kept_files(folder, uid, view.attachments))
    return _compose_page(request, viewer, state)


@router.post("/soan", response_class=HTMLResponse)
def compose_submit(request: Request, posted: ComposeForm, viewer: ViewerDep) -> Response:
    web = web_of(request)
    store = web.inst.mailstore
    me = viewer.account.id
    if posted.form is None:
        return _compose_page(request, viewer, ComposeState(from_addr=viewer.address),
                             error=too_large_error(posted.limit), http_status=413)
    form = posted.form
    refs = [str(v) for v in form.getlist("keep")]
    state = with_kept(state_from_form(form), store, me, refs)
    if posted.too_large:
        return _compose_page(request, viewer, state, error=too_large_error(posted.limit), http_status=413)
    intent = str(form.get("intent") or "send")
    mailer = _mailer(request)
    try:
        if intent == "discard":
            if state.draft_uid is not None:
                mailer.discard_draft(viewer.account, state.draft_uid)
            return redirect("/thu", ok=("Đã bỏ thư nháp.", "Draft discarded."))
        message = outgoing(state, uploads(form), store=store, viewer_id=me, refs=refs,
                           domain=web.inst.settings.domain)
        if intent == "save":
            saved = mailer.save_draft(viewer.account, message, replace_uid=state.draft_uid)
            return redirect(f"/thu/soan?mode=draft&folder={saved.folder_id}&uid={saved.uid}",
                            ok=("Đã lưu thư nháp.", "Draft saved."))
        receipt = mailer.send(viewer.account, message, client_ip=client_ip(request), secure=is_https(request))
    except CongVuError as exc:
        return _compose_page(request, viewer, state, error=exc, http_status=status_of(exc))
    if state.draft_uid is not None:
        with contextlib.suppress(CongVuError):
            mailer.discard_draft(viewer.account, state.draft_uid)
    if state.source_folder is not None and state.source_uid is not None and state.mode != Mode.NEW:
        flag = FORWARDED if state.mode == Mode.FORWARD else ANSWERED
        with contextlib.suppress(CongVuError):
            store.store_flags(me, state.source_folder, [state.source_uid], FlagMode.ADD, [flag])
    vi, en = "Đã gửi thư.", "Message sent."
    if receipt.held:
        vi += f" Thư tới {', '.join(receipt.held)} được giữ lại chờ quản trị viên duyệt theo quy định của tỉnh."
        en += f" Mail to {', '.join(receipt.held)} is held for review under the province's policy."
    elif receipt.warned_domains:
        vi += (f" Lưu ý: thư đã gửi tới hộp thư miễn phí ({', '.join(receipt.warned_domains)}); trao đổi công "
               "việc nên dùng hộp thư công vụ.")
        en += f" Note: it went to free webmail ({', '.join(receipt.warned_domains)}); use official mailboxes."
    back = f"/thu/muc/{state.source_folder}" if state.source_folder else f"/thu/muc/{inbox_of(store, me).id}"
    return redirect(back, ok=(vi, en))


@router.post("/soan/luu-nhap")
def autosave(request: Request, posted: ComposeForm, viewer: ViewerDep) -> JSONResponse:
    """The page's periodic save (files chosen but not yet sent are not included)."""
    web = web_of(request)
    store = web.inst.mailstore
    lang = language(request)
    if posted.form is None or posted.too_large:
        return JSONResponse({"error": error_text(too_large_error(posted.limit), lang)}, status_code=413)
    form = posted.form
    refs = [str(v) for v in form.getlist("keep")]
    state = state_from_form(form)
    mailer = _mailer(request)
    try:
        message = outgoing(state, [], store=store, viewer_id=viewer.account.id, refs=refs,
                           domain=web.inst.settings.domain)
        saved = mailer.save_draft(viewer.account, message, replace_uid=state.draft_uid)
        found = store.fetch(viewer.account.id, saved.folder_id, [saved.uid])
        listed = read_message(store.read_blob(found[0].content.sha256), found[0].content.parts,
                              part_url=lambda part: "").attachments if found else ()
    except CongVuError as exc:
        return JSONResponse({"error": error_text(exc, lang)}, status_code=status_of(exc))
    kept = kept_files(saved.folder_id, saved.uid, listed)
    return JSONResponse({"draft_uid": saved.uid, "saved_at": datetime.now(VIETNAM).strftime("%H:%M"),
                         "keep": [{"ref": k.ref, "name": k.name, "size": k.size} for k in kept]})


@router.get("/goi-y")
def suggestions(request: Request, viewer: ViewerDep, q: str = Query(default="", max_length=100)) -> JSONResponse:
    found = suggest(web_of(request).directory, q)
    lang = language(request)
    kinds = {"group": translate("Nhóm thư", lang), "alias": translate("Bí danh", lang),
             "agency": translate("Hộp thư cơ quan", lang)}
    return JSONResponse({"items": [{
        "address": s.address, "name": s.name, "kind": s.kind, "agency": s.agency, "position": s.position,
        "detail": " · ".join(p for p in (s.position, s.agency if s.kind == "person" else None, kinds.get(s.kind))
                             if p)} for s in found]}, headers={"Cache-Control": "private, no-store"})
