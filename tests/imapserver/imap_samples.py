"""Sample messages for the IMAP server tests; each carries a unique token so tests can find their own."""

from __future__ import annotations

import base64
import secrets


def token() -> str:
    return secrets.token_hex(6)


def simple(subject: str, body: str = "Nội dung công văn.", *, tag: str | None = None,
           sender: str = "Lê Văn Cường <lvcuong@dongnai.gov.vn>", to: str = "nvan@dongnai.gov.vn",
           date: str = "Mon, 03 Mar 2025 09:15:00 +0700", references: str = "") -> bytes:
    """A UTF-8 text/plain message with 8-bit header and body (RFC 6532)."""
    mark = tag or token()
    refs = f"References: {references}\r\nIn-Reply-To: {references.split()[-1]}\r\n" if references else ""
    text = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <{mark}@dongnai.gov.vn>\r\n{refs}MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"\r\n{body}\r\nMã: {mark}\r\n")
    return text.encode("utf-8")


def nested_multipart(mark: str) -> bytes:
    """multipart/mixed holding multipart/alternative (8-bit text, quoted-printable HTML), a PDF, a forwarded
    message/rfc822 that is itself multipart, and a part of raw 8-bit octets; encoded-word subject."""
    pdf = base64.encodebytes(b"%PDF-1.4\n" + bytes(range(256)) * 4).decode("ascii").replace("\n", "\r\n")
    subject = "=?UTF-8?B?" + base64.b64encode("Công văn số 15/STTTT-VP về chuyển đổi số".encode()).decode() + "?="
    inner = (
        "From: =?UTF-8?Q?Tr=E1=BA=A7n_V=C4=83n_Vinh?= <vinhtv@dongnai.gov.vn>\r\n"
        "Subject: =?UTF-8?Q?B=C3=A1o_c=C3=A1o_th=C3=A1ng?=\r\n"
        "Date: Sun, 02 Mar 2025 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="inner-b"\r\n\r\n'
        "--inner-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Báo cáo tình hình thực hiện.\r\n"
        "--inner-b\r\nContent-Type: text/csv; charset=utf-8; name=\"so-lieu.csv\"\r\n"
        "Content-Disposition: attachment; filename=\"so-lieu.csv\"\r\n\r\n"
        "Đơn vị,Số lượng\r\nSở TT&TT,12\r\n"
        "--inner-b--\r\n"
    )
    text = (
        "From: =?UTF-8?Q?V=C4=83n_th=C6=B0?= <stttt@dongnai.gov.vn>\r\n"
        "To: nvan@dongnai.gov.vn\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 03 Mar 2025 10:00:00 +0700\r\n"
        f"Message-ID: <{mark}@dongnai.gov.vn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="outer-b"\r\n\r\n'
        "Phần mở đầu (preamble) không hiển thị.\r\n"
        "--outer-b\r\n"
        'Content-Type: multipart/alternative; boundary="alt-b"\r\n\r\n'
        "--alt-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"Kính gửi các đơn vị, đề nghị triển khai. Mã {mark}\r\n"
        "--alt-b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "<p>K=C3=ADnh g=E1=BB=ADi c=C3=A1c =C4=91=C6=A1n v=E1=BB=8B</p>\r\n"
        "--alt-b--\r\n"
        "--outer-b\r\n"
        'Content-Type: application/pdf; name="=?UTF-8?Q?c=C3=B4ng_v=C4=83n.pdf?="\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename*=UTF-8\'\'c%C3%B4ng%20v%C4%83n.pdf\r\n\r\n'
        f"{pdf}"
        "--outer-b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"{inner}"
        "--outer-b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
    ).encode()
    return text + b"\x01\x02\xff\xfe\x80 raw 8-bit octets\r\n--outer-b--\r\nEpilogue.\r\n"
