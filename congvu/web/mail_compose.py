"""The compose form: reading it (with the upload limit checked before the body is parsed), the state it shows
again after an error, and the files it carries.

Files come two ways: uploaded with the form, or kept from a stored message (the parts of the message being
forwarded, or of the draft being edited), named ``<folder>:<uid>:<part>`` and read back through the mail store
with the viewer's rights, so a reference to someone else's message finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from congvu.errors import InvalidInput, NotFound
from congvu.mail.compose import Attachment
from congvu.mail.sections import fetch_binary
from congvu.mailstore.api import MailStoreApi
from congvu.smtpserver.settings import load_limits
from congvu.web.context import ViewerDep, web_of
from congvu.web.forms import ForgedForm
from congvu.web.security import CSRF_FIELD, same_origin, tokens_match
from congvu.webmail.addressing import parse_recipients
from congvu.webmail.filenames import safe_filename
from congvu.webmail.reading import AttachmentView
from congvu.webmail.replies import Mode
from congvu.webmail.send import Outgoing

MAX_FILES = 50
MAX_TEXT_PART = 4 * 1024 * 1024
_MEDIA = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*\Z")
_REF = re.compile(r"(\d{1,12}):(\d{1,10}):(\d+(?:\.\d+)*)\Z")
MODES = (Mode.NEW, Mode.REPLY, Mode.REPLY_ALL, Mode.FORWARD, Mode.DRAFT)


@dataclass(frozen=True)
class KeptFile:
    ref: str
    name: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ComposeState:
    from_addr: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    body: str = ""
    mode: str = Mode.NEW
    source_folder: int | None = None
    source_uid: int | None = None
    draft_uid: int | None = None
    in_reply_to: str = ""
    references: str = ""
    kept: tuple[KeptFile, ...] = field(default=())


@dataclass(frozen=True)
class ComposeInput:
    """The posted form, or ``None`` with ``too_large`` when the body was refused unread."""

    form: FormData | None
    too_large: bool
    limit: int


def upload_limit(request: Request) -> int:
    return load_limits(web_of(request).inst.settings.raw).max_message_bytes


def _forged() -> ForgedForm:
    return ForgedForm("Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang và thử lại.",
                      message_en="The form expired or is not valid; reload the page and try again.")


async def compose_input(request: Request, viewer: ViewerDep) -> ComposeInput:
    limit = upload_limit(request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + 1024 * 1024:
        return ComposeInput(None, True, limit)
    if not same_origin(request):
        raise _forged()
    form = await request.form(max_files=MAX_FILES, max_fields=500, max_part_size=MAX_TEXT_PART)
    if not tokens_match(viewer.session.csrf_token, form.get(CSRF_FIELD)):
        raise _forged()
    total = sum(v.size or 0 for v in form.getlist("files") if isinstance(v, UploadFile))
    return ComposeInput(form, total > limit, limit)


ComposeForm = Annotated[ComposeInput, Depends(compose_input)]


def too_large_error(limit: int) -> InvalidInput:
    mb = limit // 1048576
    return InvalidInput(f"Tệp đính kèm quá lớn: tổng dung lượng thư tối đa {mb} MB. Hãy bớt tệp, hoặc gửi tệp "
                        "lớn qua hệ thống quản lý văn bản.",
                        message_en=f"The attachments are too large: a message may be at most {mb} MB. Remove "
                                   "some files, or send large files through the document system.",
                        field="files")


def _text(form: FormData, name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value.replace("\r\n", "\n")


def _int(form: FormData, name: str) -> int | None:
    value = _text(form, name)
    return int(value) if value.isdigit() and len(value) < 12 else None


def state_from_form(form: FormData) -> ComposeState:
    mode = _text(form, "mode")
    return ComposeState(
        from_addr=_text(form, "from"), to=_text(form, "to"), cc=_text(form, "cc"), bcc=_text(form, "bcc"),
        subject=_text(form, "subject"), body=_text(form, "body", strip=False),
        mode=mode if mode in MODES else Mode.NEW, source_folder=_int(form, "source_folder"),
        source_uid=_int(form, "source_uid"), draft_uid=_int(form, "draft_uid"),
        in_reply_to=_text(form, "in_reply_to")[:998], references=_text(form, "references")[:8000])


def with_kept(state: ComposeState, store: MailStoreApi, viewer_id: int, refs: list[str]) -> ComposeState:
    """The state with the kept files the form named (those that still exist and the viewer may read)."""
    kept: list[KeptFile] = []
    for ref in dict.fromkeys(refs):
        try:
            _data, found = load_kept(store, viewer_id, ref)
        except (NotFound, InvalidInput):
            continue
        kept.append(found)
    return replace(state, kept=tuple(kept))


def kept_files(folder_id: int, uid: int, listed: tuple[AttachmentView, ...]) -> tuple[KeptFile, ...]:
    return tuple(KeptFile(f"{folder_id}:{uid}:{a.part}", a.filename, a.size, a.content_type) for a in listed)


def load_kept(store: MailStoreApi, viewer_id: int, ref: str) -> tuple[bytes, KeptFile]:
    match = _REF.match(ref)
    if match is None:
        raise InvalidInput("Tệp đính kèm không hợp lệ.", message_en="Invalid attachment reference.", field="keep")
    folder_id, uid, part = int(match.group(1)), int(match.group(2)), match.group(3)
    found = store.fetch(viewer_id, folder_id, [uid])
    span = next((s for s in found[0].content.parts if s.part == part), None) if found else None
    if not found or span is None or span.is_multipart:
        raise NotFound("Tệp đính kèm không còn nữa.", message_en="The attachment is gone.", field="keep")
    data = fetch_binary(store.read_blob(found[0].content.sha256), found[0].content.parts,
                        tuple(int(n) for n in part.split(".")))
    name = safe_filename(span.filename or (f"thu-chuyen-tiep-{part}.eml" if span.is_message else f"tep-{part}"))
    return data, KeptFile(ref, name, len(data), span.content_type)


def uploads(form: FormData) -> list[Attachment]:
    files: list[Attachment] = []
    for value in form.getlist("files"):
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        value.file.seek(0)
        data = value.file.read()
        media = (value.content_type or "").split(";")[0].strip().lower()
        files.append(Attachment(safe_filename(value.filename), media if _MEDIA.match(media) else
                                "application/octet-stream", data))
    return files


def outgoing(state: ComposeState, files: list[Attachment], *, store: MailStoreApi, viewer_id: int,
             refs: list[str], domain: str) -> Outgoing:
    attached: list[Attachment] = []
    for ref in dict.fromkeys(refs):
        data, kept = load_kept(store, viewer_id, ref)
        media = kept.content_type if _MEDIA.match(kept.content_type) else "application/octet-stream"
        attached.append(Attachment(kept.name, media, data))
    return Outgoing(
        from_addr=state.from_addr, to=parse_recipients(state.to, domain=domain, field="to"),
        cc=parse_recipients(state.cc, domain=domain, field="cc"),
        bcc=parse_recipients(state.bcc, domain=domain, field="bcc"), subject=state.subject, text=state.body,
        attachments=(*attached, *files), in_reply_to=state.in_reply_to or None,
        references=tuple(state.references.split()))
