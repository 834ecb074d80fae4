"""Delivery status notifications: the report sent to the sender when recipients fail for good.

RFC 3464 (``message/delivery-status``: per-message fields, then per-recipient ``Final-Recipient``, ``Action``,
``Status``, ``Remote-MTA``, ``Diagnostic-Code``, ``Last-Attempt-Date``) inside RFC 6522 ``multipart/report``,
with a human-readable part in Vietnamese and English and the original header section as
``text/rfc822-headers`` (RFC 6522 §4; the body is not returned, so a large attachment is not bounced back).
Status codes are RFC 3463's. The report has a null reverse-path and ``Auto-Submitted: auto-replied``
(RFC 3834 §5) so that it is never answered or bounced in turn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from congvu.mail.compose import make_message_id
from congvu.mail.encoders import fold, mailbox_words, quoted_printable_body, unstructured_words
from congvu.mail.fields import split_header
from congvu.mail.headers import decode_header_value

REPORTER_NAME = "Hệ thống thư điện tử công vụ"


@dataclass(frozen=True)
class FailedRecipient:
    recipient: str
    status: str  # RFC 3463 code, e.g. 5.1.1
    diagnostic: str  # the remote reply ("550 5.1.1 …") or our own reason
    remote_mta: str | None
    last_attempt: datetime | None
    from_remote: bool  # diagnostic is an SMTP reply (Diagnostic-Code type smtp)
    expired: bool = False  # given up after retrying until the queue lifetime ran out


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


def _text_part(original_subject: str, failures: Sequence[FailedRecipient], hostname: str) -> bytes:
    lines = [
        f"Đây là thông báo tự động của máy chủ thư {hostname}.",
        "",
        "Thư của bạn không gửi được tới những người nhận dưới đây. Thư sẽ không được gửi lại.",
        f"Tiêu đề thư: {original_subject}" if original_subject else "",
        "",
    ]
    for failure in failures:
        lines.append(f"<{failure.recipient}>: {failure.diagnostic}")
        if failure.expired:
            lines.append("    (đã thử gửi lại nhiều lần đến hết thời hạn — delivery time expired)")
    lines += [
        "",
        "-- ",
        f"This is an automatic message from the mail server {hostname}.",
        "Your message could not be delivered to the recipients above and will not be retried.",
    ]
    return quoted_printable_body("\n".join(lines) + "\n")


def _clean(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def _status_part(*, hostname: str, arrival: datetime, envelope_id: str | None,
                 failures: Sequence[FailedRecipient]) -> bytes:
    per_message = [f"Reporting-MTA: dns; {hostname}"]
    if envelope_id:
        per_message.append(f"Original-Envelope-Id: {envelope_id}")
    per_message.append(f"Arrival-Date: {format_datetime(arrival)}")
    blocks = ["\r\n".join(per_message)]
    for failure in failures:
        lines = [f"Final-Recipient: rfc822; {failure.recipient}", "Action: failed", f"Status: {failure.status}"]
        if failure.remote_mta:
            lines.append(f"Remote-MTA: dns; {failure.remote_mta}")
        if failure.from_remote:
            diagnostic = "smtp; " + _clean(failure.diagnostic).encode("ascii", "replace").decode("ascii")
        else:
            diagnostic = "X-CongVu; " + own_diagnostic(failure.status)
        lines.append(fold("Diagnostic-Code", diagnostic.split()))
        if failure.last_attempt:
            lines.append(f"Last-Attempt-Date: {format_datetime(failure.last_attempt)}")
        blocks.append("\r\n".join(lines))
    return ("\r\n\r\n".join(blocks) + "\r\n").encode("ascii")


def build_dsn(*, original: bytes, sender: str, hostname: str, postmaster: str, arrival: datetime, now: datetime,
              failures: Sequence[FailedRecipient], envelope_id: str | None = None) -> bytes:
    """The ``multipart/report`` message to ``sender`` about ``failures``."""
    header = split_header(original)
    subject_raw = header.value("subject")
    subject = decode_header_value(subject_raw.decode("utf-8", "replace")) if subject_raw else ""
    headers_only = original[header.start:header.end].rstrip(b"\r\n") + b"\r\n"
    headers_only = headers_only.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    text = _text_part(subject, failures, hostname)
    status = _status_part(hostname=hostname, arrival=arrival, envelope_id=envelope_id, failures=failures)
    parts = [
        (b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable", text),
        (b"Content-Type: message/delivery-status", status),
        (b"Content-Type: text/rfc822-headers" + (b"" if headers_only.isascii() else
                                                 b"\r\nContent-Transfer-Encoding: 8bit"), headers_only),
    ]
    boundary = "=_dsn" + hashlib.sha256(original + status).hexdigest()[:24]
    body = b"".join(f"--{boundary}\r\n".encode() + head + b"\r\n\r\n" + content + b"\r\n"
                    for head, content in parts) + f"--{boundary}--\r\n".encode()
    title = "Thư không gửi được" + (f": {subject}" if subject else "") + " (Undelivered mail)"
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


__all__ = ["FailedRecipient", "build_dsn", "status_for"]
