"""Mail in the JSON API (``/api/v1/mail``): folders, message lists, reading, sending.

A token acts as the account that made it, on that account's own mailbox and the agency mailboxes delegated to
it, with the same rights as on the web (the mail store checks them on every call). Sending applies the rules of
SMTP submission (:class:`congvu.webmail.send.WebMailer`). Reading returns the sanitised HTML the webmail shows,
never the raw markup.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from congvu.directory.models import Account, AccountStatus
from congvu.errors import InvalidInput, NotFound
from congvu.mail.compose import Attachment
from congvu.mailstore.api import FLAGGED, INBOX, SEEN
from congvu.web.api import ERRORS, bearer
from congvu.web.context import SignInRequired, web_of
from congvu.webmail.addressing import parse_recipients
from congvu.webmail.filenames import safe_filename
from congvu.webmail.mailboxes import SortBy, mailbox_groups, message_page
from congvu.webmail.reading import read_message
from congvu.webmail.send import Outgoing, WebMailer

router = APIRouter(prefix="/mail", tags=["mail"])
MAX_API_ATTACHMENTS = 20


def mail_account(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Account:
    web = web_of(request)
    token = web.access.api_tokens.authenticate(credentials.credentials) if credentials else None
    if token is None:
        raise SignInRequired("Thiếu token API hoặc token không hợp lệ.", message_en="Missing or invalid API token.")
    try:
        account = web.directory.accounts.show(token.created_by)
    except NotFound:
        account = None
    if account is None or account.status != AccountStatus.ACTIVE:
        raise SignInRequired("Tài khoản của token không còn hoạt động.",
                             message_en="The token's account is no longer active.")
    return account


MailAccount = Annotated[Account, Depends(mail_account)]


class FolderOut(BaseModel):
    id: int
    path: str = Field(description="As IMAP names it: INBOX, Sent… or Shared/<agency address>/INBOX")
    name: str
    special_use: str | None
    mailbox: str = Field(description="The address of the mailbox the folder belongs to")
    shared: bool
    messages: int
    unseen: int


class MessageItem(BaseModel):
    uid: int
    subject: str
    from_: str = Field(alias="from")
    to: str
    date: str
    size: int
    seen: bool
    flagged: bool
    has_attachments: bool

    model_config = {"populate_by_name": True}


class MessageList(BaseModel):
    items: list[MessageItem]
    total: int
    page: int
    pages: int


class AddressOut(BaseModel):
    name: str
    address: str


class AttachmentOut(BaseModel):
    part: str
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(BaseModel):
    uid: int
    folder_id: int
    subject: str
    from_: list[AddressOut] = Field(alias="from")
    to: list[AddressOut]
    cc: list[AddressOut]
    date: str | None
    message_id: str | None
    text: str
    html: str = Field(description="Sanitised HTML (scripts removed, pictures from other sites blocked)")
    attachments: list[AttachmentOut]

    model_config = {"populate_by_name": True}


class AttachmentIn(BaseModel):
    filename: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    data_base64: str


class SendIn(BaseModel):
    from_: str | None = Field(default=None, alias="from", description="Own address (default) or an agency mailbox")
    to: list[str] = Field(default_factory=list, max_length=500)
    cc: list[str] = Field(default_factory=list, max_length=500)
    bcc: list[str] = Field(default_factory=list, max_length=500)
    subject: str = Field(default="", max_length=900)
    text: str = Field(default="", max_length=2_000_000)
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: list[str] = Field(default_factory=list, max_length=100)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_API_ATTACHMENTS)

    model_config = {"populate_by_name": True}


class SendOut(BaseModel):
    message_id: str
    local_mailboxes: int
    remote: list[str]
    held: list[str]
    sent_folder_id: int | None
    sent_uid: int | None


def _pairs(addresses: tuple[tuple[str, str], ...]) -> list[AddressOut]:
    return [AddressOut(name=name, address=address) for name, address in addresses]


@router.get("/folders", response_model=list[FolderOut], responses=ERRORS)
def folders(request: Request, account: MailAccount) -> list[FolderOut]:
    groups = mailbox_groups(web_of(request).inst.mailstore, account.id)
    return [FolderOut(id=e.folder.id, path=e.folder.path, name=e.folder.name, special_use=e.folder.special_use,
                      mailbox=g.owner_address, shared=g.shared, messages=e.messages, unseen=e.unseen)
            for g in groups for e in g.folders]


@router.get("/folders/{folder_id}/messages", response_model=MessageList, responses=ERRORS)
def messages(request: Request, account: MailAccount, folder_id: int, q: str = Query(default="", max_length=200),
             sort: SortBy = SortBy.DATE, order: str = Query(default="desc", pattern="^(asc|desc)$"),
             page: int = Query(default=1, ge=1), size: int = Query(default=50, ge=1, le=200)) -> MessageList:
    web = web_of(request)
    store = web.inst.mailstore
    folder = store.get_folder(account.id, folder_id)
    listed = message_page(store, account.id, folder_id, query=q, sort=sort, reverse=order == "desc", page=page,
                          size=size)
    if folder.name == INBOX and not folder.shared:
        web.inst.usage.record("inbox_check", account_id=account.id, protocol="api")
    return MessageList(items=[MessageItem(uid=m.uid, subject=m.subject, from_=m.from_, to=m.to,
                                          date=m.date.isoformat(), size=m.size, seen=SEEN in m.flags,
                                          flagged=FLAGGED in m.flags, has_attachments=m.has_attachments)
                              for m in listed.items], total=listed.total, page=listed.page, pages=listed.pages)


@router.get("/folders/{folder_id}/messages/{uid}", response_model=MessageOut, responses=ERRORS)
def message(request: Request, account: MailAccount, folder_id: int, uid: int) -> MessageOut:
    store = web_of(request).inst.mailstore
    found = store.fetch(account.id, folder_id, [uid])
    if not found:
        raise NotFound("Không có thư này.", message_en="No such message.")
    stored = found[0]

    def url(part: str) -> str:
        return f"/thu/muc/{folder_id}/{uid}/tep/{part}"

    view = read_message(store.read_blob(stored.content.sha256), stored.content.parts, part_url=url)
    return MessageOut(uid=uid, folder_id=folder_id, subject=view.subject, from_=_pairs(view.from_),
                      to=_pairs(view.to), cc=_pairs(view.cc), date=view.date.isoformat() if view.date else None,
                      message_id=view.message_id, text=view.text, html=view.html, attachments=[
                          AttachmentOut(part=a.part, filename=a.filename, content_type=a.content_type, size=a.size,
                                        url=url(a.part)) for a in view.attachments])


@router.post("/send", response_model=SendOut, status_code=201, responses=ERRORS)
def send(request: Request, account: MailAccount, body: SendIn) -> SendOut:
    web = web_of(request)
    domain = web.inst.settings.domain
    files = []
    for item in body.attachments:
        try:
            data = base64.b64decode(item.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"Tệp «{item.filename}» không phải base64 hợp lệ.",
                               message_en=f"{item.filename!r} is not valid base64.", field="attachments") from None
        files.append(Attachment(safe_filename(item.filename), item.content_type.strip().lower(), data))
    message = Outgoing(
        from_addr=body.from_ or account.address, to=parse_recipients(", ".join(body.to), domain=domain, field="to"),
        cc=parse_recipients(", ".join(body.cc), domain=domain, field="cc"),
        bcc=parse_recipients(", ".join(body.bcc), domain=domain, field="bcc"), subject=body.subject, text=body.text,
        attachments=tuple(files), in_reply_to=body.in_reply_to, references=tuple(body.references))
    receipt = WebMailer(web.inst, queue=web.outbound, protocol="api").send(account, message,
                                                       client_ip=request.client.host if request.client else None)
    return SendOut(message_id=receipt.message_id, local_mailboxes=receipt.local_mailboxes, remote=list(receipt.remote),
                   held=list(receipt.held), sent_folder_id=receipt.sent_folder_id, sent_uid=receipt.sent_uid)
