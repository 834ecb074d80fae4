"""Delivery status notifications: the report sent to the sender when recipients fail for good, when their
mail is delayed, or when it was delivered and the sender asked to hear of it (RFC 3461 NOTIFY=SUCCESS).

RFC 3464 (``message/delivery-status``: per-message fields, ``Original-Envelope-Id`` when the sender gave
ENVID, then per-recipient ``Original-Recipient`` (ORCPT), ``Final-Recipient``, ``Action`` — failed, delayed,
delivered, relayed or expanded —, ``Status``, ``Remote-MTA``, ``Diagnostic-Code``, ``Last-Attempt-Date``,
``Will-Retry-Until``) inside RFC 6522 ``multipart/report``, with a human-readable part in Vietnamese and English
and the original header section as ``text/rfc822-headers`` (RFC 6522 §4; the body is not returned, so a large
attachment is not bounced back) — or the whole message as ``message/rfc822`` in a failure report when the sender
asked for it with RET=FULL (RFC 3461 §4.3).
Status codes are RFC 3463's. The report has a null reverse-path and ``Auto-Submitted: auto-replied``
(RFC 3834 §5) so that it is never answered or bounced in turn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from congvu.delivery.dsnparams import xtext_encode
from congvu.mail.compose import make_message_id
from congvu.mail.encoders import fold, mailbox_words, quoted_printable_body, unstructured_words
from congvu.mail.fields import split_header
from congvu.mail.headers import decode_header_value

REPORTER_NAME = "Hệ thống thư điện tử công vụ"


FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED = "failed", "delayed", "delivered", "relayed", "expanded"


@dataclass(frozen=True)
class RecipientReport:
    recipient: str
    status: str  # RFC 3463 code, e.g. 5.1.1
    diagnostic: str  # the remote reply ("550 5.1.1 …") or our own reason
    remote_mta: str | None
    last_attempt: datetime | None
    from_remote: bool  # diagnostic is an SMTP reply (Diagnostic-Code type smtp)
    expired: bool = False  # given up after retrying until the queue lifetime ran out
    action: str = FAILED  # RFC 3464 §2.3.3
    original_recipient: str | None = None  # ORCPT "addr-type;address" (RFC 3461 §4.2)
    will_retry_until: datetime | None = None  # delayed reports


FailedRecipient = RecipientReport


# RFC 3463 §3 texts for the codes this server gives itself (no remote reply to quote); the DSN's
# Diagnostic-Code is ASCII, the Vietnamese reason goes in the human-readable part.
_OWN_REASONS = {
    "5.1.2": "bad destination system address (domain does not exist or accepts no mail)",
    "5.1.10": "recipient domain publishes a null MX (RFC 7505)",
    "5.3.0": "message content lost",
    "5.3.4": "message too big for the receiving system",
    "5.6.7": "receiving system does not support internationalised addresses (SMTPUTF8)",
    "4.4.1": "no answer from host",
    "4.4.2": "bad connection",
    "4.4.3": "directory server failure (DNS)",
    "4.4.4": "unable to route",
    "4.4.7": "delivery time expired",
}


def own_diagnostic(status: str) -> str:
    return f"{status} {_OWN_REASONS.get(status, 'delivery failed')}"


def status_for(code: int | None, enhanced: str | None, *, expired: bool) -> str:
    """The RFC 3463 status of a failed recipient: the server's own code when it gave one."""
    if enhanced:
        return enhanced
    if expired:
        return "4.4.7"  # delivery time expired
    if code is not None and 500 <= code < 600:
        return "5.0.0"
    return "4.0.0" if code is not None else "5.0.0"


# Per kind of report: the subject, then what the human-readable part says (Vietnamese, English).
_WORDING = {
    FAILED: ("Thư không gửi được", "Undelivered mail",
             "Thư của bạn không gửi được tới những người nhận dưới đây. Thư sẽ không được gửi lại.",
             "Your message could not be delivered to the recipients above and will not be retried."),
    DELAYED: ("Thư đang chậm gửi", "Delayed mail",
              "Thư của bạn chưa gửi được tới những người nhận dưới đây. Máy chủ vẫn đang thử gửi lại; "
              "bạn không cần gửi lại thư.",
              "Your message has not been delivered to the recipients above yet. The server keeps trying; "
              "you need not send it again."),
    DELIVERED: ("Thư đã được gửi tới nơi", "Delivery report",
                "Thư của bạn đã được chuyển tới những người nhận dưới đây, như bạn đã yêu cầu.",
                "Your message was delivered to the recipients above, as you asked."),
}


def _kind(reports: Sequence[RecipientReport]) -> str:
    actions = {r.action for r in reports}
    if FAILED in actions:
        return FAILED
    return DELAYED if DELAYED in actions else DELIVERED


def _text_part(original_subject: str, reports: Sequence[RecipientReport], hostname: str) -> bytes:
    _subject_vi, _subject_en, text_vi, text_en = _WORDING[_kind(reports)]
    lines = [
        f"Đây là thông báo tự động của máy chủ thư {hostname}.",
        "",
        text_vi,
        f"Tiêu đề thư: {original_subject}" if original_subject else "",
        "",
    ]
    for report in reports:
        lines.append(f"<{report.recipient}>: {report.diagnostic}")
        if report.expired:
            lines.append("    (đã thử gửi lại nhiều lần đến hết thời hạn — delivery time expired)")
        if report.action == RELAYED:
            lines.append("    (đã chuyển tới máy chủ nhận; máy chủ đó không hỗ trợ báo tình trạng — relayed to a "
                         "server that does not support delivery notifications)")
    lines += [
        "",
        "-- ",
        f"This is an automatic message from the mail server {hostname}.",
        text_en,
    ]
    return quoted_printable_body("\n".join(lines) + "\n")


def _clean(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def _address_field(name: str, kind: str, address: str) -> str:
    """``Final-Recipient``/``Original-Recipient``: rfc822 for ASCII, utf-8 (RFC 6533 §3) otherwise."""
    if address.isascii() and kind == "rfc822":
        return f"{name}: rfc822; {address}"
    escaped = "".join(c if 0x21 <= ord(c) <= 0x7E and c not in "+=\\" else f"\\x{{{ord(c):X}}}"
                      for c in address)
    return f"{name}: {'utf-8' if kind in ('rfc822', 'utf-8') else kind}; {escaped}"


def _status_part(*, hostname: str, arrival: datetime, envelope_id: str | None,
                 reports: Sequence[RecipientReport]) -> bytes:
    per_message = [f"Reporting-MTA: dns; {hostname}"]
    if envelope_id:
        per_message.append(f"Original-Envelope-Id: {xtext_encode(envelope_id)}")  # RFC 3464 §2.2.1: xtext
    per_message.append(f"Arrival-Date: {format_datetime(arrival)}")
    blocks = ["\r\n".join(per_message)]
    for report in reports:
        lines = []
        if report.original_recipient:
            kind, _, address = report.original_recipient.partition(";")
            lines.append(_address_field("Original-Recipient", kind, address))
        lines += [_address_field("Final-Recipient", "rfc822", report.recipient), f"Action: {report.action}",
                  f"Status: {report.status}"]
        if report.remote_mta:
            lines.append(f"Remote-MTA: dns; {report.remote_mta}")
        if report.from_remote:
            diagnostic = "smtp; " + _clean(report.diagnostic).encode("ascii", "replace").decode("ascii")
            lines.append(fold("Diagnostic-Code", diagnostic.split()))
        elif report.action in (FAILED, DELAYED):
            lines.append(fold("Diagnostic-Code", ("X-CongVu; " + own_diagnostic(report.status)).split()))
        if report.last_attempt:
            lines.append(f"Last-Attempt-Date: {format_datetime(report.last_attempt)}")
        if report.will_retry_until:
            lines.append(f"Will-Retry-Until: {format_datetime(report.will_retry_until)}")
        blocks.append("\r\n".join(lines))
    return ("\r\n\r\n".join(blocks) + "\r\n").encode("ascii")


def build_dsn(*, original: bytes, sender: str, hostname: str, postmaster: str, arrival: datetime, now: datetime,
              failures: Sequence[RecipientReport], envelope_id: str | None = None, return_full: bool = False) -> bytes:
    """The ``multipart/report`` message to ``sender`` about ``failures`` (recipient reports of one kind: failed,
    delayed, or delivered/relayed/expanded). ``return_full`` (RET=FULL) returns the whole message in a failure
    report; any other report carries the header section only (RFC 3461 §4.3)."""
    header = split_header(original)
    subject_raw = header.value("subject")
    subject = decode_header_value(subject_raw.decode("utf-8", "replace")) if subject_raw else ""
    kind = _kind(failures)
    text = _text_part(subject, failures, hostname)
    status = _status_part(hostname=hostname, arrival=arrival, envelope_id=envelope_id, reports=failures)
    if return_full and kind == FAILED and header.end > header.start:
        returned = original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        returned_head = b"Content-Type: message/rfc822" + (b"" if returned.isascii() else
                                                            b"\r\nContent-Transfer-Encoding: 8bit")
    else:
        returned = original[header.start:header.end].rstrip(b"\r\n") + b"\r\n"
        returned = returned.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        returned_head = b"Content-Type: text/rfc822-headers" + (b"" if returned.isascii() else
                                                                 b"\r\nContent-Transfer-Encoding: 8bit")
    parts = [
        (b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable", text),
        (b"Content-Type: message/delivery-status", status),
        (returned_head, returned),
    ]
    boundary = "=_dsn" + hashlib.sha256(original + status).hexdigest()[:24]
    body = b"".join(f"--{boundary}\r\n".encode() + head + b"\r\n\r\n" + content + b"\r\n"
                    for head, content in parts) + f"--{boundary}--\r\n".encode()
    subject_vi, subject_en, _text_vi, _text_en = _WORDING[kind]
    title = subject_vi + (f": {subject}" if subject else "") + f" ({subject_en})"
    fields = [
        fold("From", mailbox_words(REPORTER_NAME, postmaster)),
        f"To: <{sender}>",
        fold("Subject", unstructured_words(title)),
        f"Date: {format_datetime(now)}",
        f"Message-ID: {make_message_id(postmaster.rpartition('@')[2])}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="{boundary}"',
    ]
    return ("\r\n".join(fields) + "\r\n\r\n").encode("ascii") + body


__all__ = ["DELAYED", "DELIVERED", "EXPANDED", "FAILED", "RELAYED", "FailedRecipient", "RecipientReport",
           "build_dsn", "status_for"]
