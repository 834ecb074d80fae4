"""edXML packages carried by official mail: the message sent to an agency's official address, and recognising one
on arrival.

Provinces have long exchanged documents through the official mailboxes (Chỉ thị 34/2008/CT-TTg; Gia Lai Công
văn 1468/UBND-VHXH: "hộp thư điện tử của cơ quan do nhân viên văn thư quản lý để nhận và gửi văn bản điện tử").
A package travels as one attachment ``<số-ký-hiệu>.edxml`` (``application/xml``) of an ordinary MIME message
(RFC 5322, RFC 2045–2049) addressed to the recipient agency's official mailbox; a short Vietnamese text part says
what it is for a person who opens it in a mail client.

Hooks for the mail server: :func:`recognise_incoming_mail` tells whether a message delivered to an agency
mailbox carries a package and returns its bytes; :func:`accept_mail` hands it to the same arrival entry point as
every other transport (:class:`congvu.documents.mail_intake.MailIntake` is what the SMTP server calls after a
local delivery). :class:`MailTransport` sends through the outbound queue (:class:`MailOutbox`, met by
:class:`congvu.delivery.queue.OutboundQueue`), from the issuing agency's official mailbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from typing import Protocol

from congvu.documents.context import DocContext
from congvu.documents.mail_agencies import MailAgencyBook
from congvu.documents.models import Arrival
from congvu.documents.transport import OutgoingPackage, PackageKind, TransportError
from congvu.edxml.model import NAMESPACE
from congvu.errors import CongVuError

EDXML_MEDIA_TYPES = frozenset({"application/xml", "text/xml", "application/edxml+xml", "application/octet-stream"})
MAX_PACKAGE_BYTES = 64 * 1024 * 1024
_NAMESPACE_BYTES = NAMESPACE.encode("ascii")
_UNSAFE = re.compile(r"[^0-9A-Za-z.-]+")

Submit = Callable[[str, list[str], bytes], None]


class MailOutbox(Protocol):
    """The durable outbound queue as the mail transport uses it (``enqueue`` returns once the mail is stored)."""

    def enqueue(self, *, mail_from: str, recipients: Sequence[str], raw: bytes, submitted_by: int | None) -> int: ...


def outbox_submit(outbox: Callable[[], MailOutbox]) -> Submit:
    """A :data:`Submit` over the queue ``outbox()`` returns (called at the first package, so a service that never
    sends by mail never opens the queue)."""

    def submit(sender: str, recipients: list[str], raw: bytes) -> None:
        outbox().enqueue(mail_from=sender, recipients=recipients, raw=raw, submitted_by=None)

    return submit


def _looks_like_edxml(data: bytes) -> bool:
    head = data[:4096]
    return b"<" in head and _NAMESPACE_BYTES in head


def recognise_incoming_mail(raw: bytes) -> bytes | None:
    """The edXML package a message carries (an ``.edxml`` or XML part in the QCVN 102 namespace), or None."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except (ValueError, TypeError, IndexError):
        return None
    for part in message.walk():
        if part.is_multipart():
            continue
        name = (part.get_filename() or "").lower()
        media = part.get_content_type()
        if not name.endswith((".edxml", ".xml")) and media not in EDXML_MEDIA_TYPES - {"application/octet-stream"}:
            continue
        try:
            payload = part.get_payload(decode=True)
        except (ValueError, TypeError):
            continue
        if isinstance(payload, bytes) and len(payload) <= MAX_PACKAGE_BYTES and _looks_like_edxml(payload):
            return payload
    return None


def package_filename(document_id: str, kind: PackageKind) -> str:
    code = document_id.rsplit(",", 1)[-1] if "," in document_id else document_id
    stem = _UNSAFE.sub("-", code.replace("/", "-")).strip("-") or "van-ban"
    return f"{stem}.edxml" if kind is PackageKind.EDOC else f"trang-thai-{stem}.edxml"


def compose_package_mail(package: bytes, *, kind: PackageKind, document_id: str, sender_address: str,
                         recipient_address: str, domain: str = "") -> bytes:
    """The message carrying a package to an agency's official address."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender_address
    message["To"] = recipient_address
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain or sender_address.rpartition("@")[2] or None)
    what = "Văn bản điện tử" if kind is PackageKind.EDOC else "Trạng thái xử lý văn bản"
    message["Subject"] = f"{what} {document_id}"
    message.set_content(
        f"{what} theo chuẩn edXML (QCVN 102:2016/BTTTT), mã văn bản {document_id}.\n"
        "Tệp đính kèm dành cho phần mềm quản lý văn bản của cơ quan nhận; văn thư không cần mở tệp này.\n")
    message.add_attachment(package, maintype="application", subtype="xml",
                           filename=package_filename(document_id, kind))
    return message.as_bytes()


class MailTransport:
    """The ``mail`` transport: the package goes to the recipient agency's official address."""

    name = "mail"

    def __init__(self, ctx: DocContext, submit: Submit, *,
                 address_for: Callable[[str], str | None] | None = None) -> None:
        self.ctx = ctx
        self.submit = submit
        self.address_for = address_for
        self.book = MailAgencyBook(ctx)

    def _address(self, organ_id: str) -> str | None:
        """An agency's official address: ours from the directory, an outside one from the mail agency book."""
        if self.address_for is not None:
            found = self.address_for(organ_id)
            if found:
                return found
        with self.ctx.db.read() as conn:
            agency = self.ctx.find_agency(conn, organ_id)
            if agency is not None:
                return agency.mailbox
            outside = self.book.for_code(conn, organ_id)
        return outside.address if outside is not None else None

    def deliver(self, package: OutgoingPackage) -> None:
        to = self._address(package.recipient_organ_id)
        sender = self._address(package.sender_organ_id)
        if not to or not sender:
            raise TransportError(f"Không biết hộp thư cơ quan của {package.recipient_organ_id} "
                                 f"hoặc {package.sender_organ_id}")
        raw = compose_package_mail(package.data, kind=package.kind, document_id=package.document_id,
                                   sender_address=sender, recipient_address=to)
        try:
            self.submit(sender, [to], raw)
        except CongVuError as error:
            raise TransportError(f"Không chuyển được thư: {error.message}") from None


def accept_mail(receive: Callable[..., Arrival], raw: bytes, *, for_agency: str | None = None) -> Arrival | None:
    """Hand a delivered message's package to the arrival entry point; None when the message carries none.

    ``receive`` is :meth:`DocumentService.receive`.
    """
    package = recognise_incoming_mail(raw)
    if package is None:
        return None
    result = receive(package, transport="mail", for_agency=for_agency)
    assert isinstance(result, Arrival)
    return result
