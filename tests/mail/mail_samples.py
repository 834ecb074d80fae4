"""Sample messages for the mail tests, written out line by line so their octets can be counted by hand."""

from __future__ import annotations


def crlf(*lines: str) -> bytes:
    """Join lines with CRLF (no line break after the last one)."""
    return "\r\n".join(lines).encode("utf-8")


# RFC 3501 §6.4.5 / §7.4.2 example message: the RFC prints its ENVELOPE, so the expected value is the RFC's.
SIMPLE = crlf(
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
    "From: Terry Gray <gray@cac.washington.edu>",
    "Subject: IMAP4rev1 WG mtg summary and minutes",
    "To: imap@cac.washington.edu",
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
    "Message-Id: <B27397-0100000@cac.washington.edu>",
    "MIME-Version: 1.0",
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
    "",
    "Hello Joe, do you think we can meet at 3:30 tomorrow?",
    "",
)

# Vietnamese: RFC 2047 Q in From, B in Subject, raw UTF-8 display name (RFC 6532), 8-bit UTF-8 body.
VIETNAMESE = crlf(
    "From: =?UTF-8?Q?Nguy=E1=BB=85n_V=C4=83n_An?= <an@dongnai.gov.vn>",
    'To: "Phòng Tổng hợp" <tonghop@dongnai.gov.vn>',
    "Subject: =?UTF-8?B?Q8O0bmcgdsSDbiBz4buRIDEyMw==?=",
    "Date: Tue, 05 Mar 2024 09:00:00 +0700",
    "Message-ID: <vn1@dongnai.gov.vn>",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Kính gửi Ủy ban nhân dân tỉnh Đồng Nai.",
    "",
)

# multipart/mixed holding multipart/alternative and two attachments, one with an RFC 2231 Vietnamese name.
NESTED = crlf(
    "From: a@b.vn",
    "To: c@d.vn",
    "Subject: Bao cao",
    "Date: Mon, 04 Mar 2024 08:00:00 +0700",
    "Message-ID: <m3@b.vn>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "This is a multi-part message in MIME format.",
    "--outer",
    'Content-Type: multipart/alternative; boundary="inner"',
    "",
    "--inner",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Xin ch=C3=A0o",
    "--inner",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "<p>Xin ch=C3=A0o</p>",
    "--inner--",
    "",
    "--outer",
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    "JVBERi0xLjQK",
    "--outer",
    "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Content-Disposition: attachment;",
    " filename*=utf-8''B%C3%A1o%20c%C3%A1o.docx",
    "Content-Transfer-Encoding: base64",
    "",
    "UEsDBA==",
    "--outer--",
    "",
)

# A forwarded message as a message/rfc822 part.
FORWARD = crlf(
    "From: x@y.vn",
    "To: z@y.vn",
    "Subject: Fwd: hello",
    "Message-ID: <m4@y.vn>",
    'Content-Type: multipart/mixed; boundary="b4"',
    "",
    "--b4",
    "Content-Type: text/plain",
    "",
    "See attached.",
    "--b4",
    "Content-Type: message/rfc822",
    "",
    "From: Old <old@y.vn>",
    "Subject: hello",
    "Date: Sun, 03 Mar 2024 07:00:00 +0700",
    "",
    "Inner body",
    "line 2",
    "--b4--",
    "",
)

BARE_LF = (
    b"From: a@b\nSubject: lf\nContent-Type: multipart/mixed; boundary=x\n\n"
    b"--x\nContent-Type: text/plain\n\nhello\nworld\n--x--\n"
)

BROKEN_BOUNDARY = crlf(
    "From: a@b.vn",
    'Content-Type: multipart/mixed; boundary="abc"',
    "",
    "--xyz",
    "Content-Type: text/plain",
    "",
    "Nội dung vẫn tìm được",
    "--xyz--",
    "",
)

NO_CONTENT_TYPE = crlf(
    "From: a@b.vn",
    "Subject: plain",
    "",
    "one",
    "two",
    "",
)

ALL = {
    "simple": SIMPLE,
    "vietnamese": VIETNAMESE,
    "nested": NESTED,
    "forward": FORWARD,
    "bare_lf": BARE_LF,
    "broken_boundary": BROKEN_BOUNDARY,
    "no_content_type": NO_CONTENT_TYPE,
}
