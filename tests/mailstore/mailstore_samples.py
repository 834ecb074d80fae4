"""Sample messages and the accounts the mail store tests use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from congvu.mailstore.service import MailStore


@dataclass(frozen=True)
class People:
    store: MailStore
    an: int  # a person
    binh: int  # another person, the clerk (delegate) of the agency mailbox
    agency: int  # the agency mailbox (account kind "agency")
    agency_address: str
    binh_address: str


def message(subject: str, body: str = "Nội dung thư.", *, sender: str = "Lê Văn Cường <lvcuong@dongnai.gov.vn>",
            to: str = "nvan@dongnai.gov.vn", date: str = "Mon, 03 Mar 2025 09:15:00 +0700",
            extra: str = "") -> bytes:
    """A UTF-8 text/plain message (8-bit headers, as RFC 6532 allows)."""
    token = hashlib.sha1(f"{subject}|{body}|{extra}|{date}".encode()).hexdigest()[:16]
    text = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <{token}@dongnai.gov.vn>\r\n{extra}"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"\r\n{body}\r\n")
    return text.encode("utf-8")
