"""Decoding a body part's content: transfer encodings, charsets, and readable text out of HTML.

RFC 2045 §6 (Content-Transfer-Encoding: 7bit, 8bit, binary as they are; base64 §6.8; quoted-printable §6.7)
and RFC 3516 §4 (BINARY fetches return the decoded octets, and a server says UNKNOWN-CTE for encodings it
cannot undo). Base64 is read leniently (characters outside the alphabet skipped, missing padding supplied) and
quoted-printable keeps CRLF hard breaks and drops soft breaks whatever the line ending.

The text of a part is its decoded octets read in its declared charset (see :mod:`congvu.mail.charsets`); HTML
gives its visible text: tags, scripts, styles and comments removed, entities resolved, blocks on their own
lines. Every text is NFC with U+00D0 (Ð, eth, a legacy converters' stand-in) read as U+0110 (Đ), as TCVN
6909:2001 text must be.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from html.parser import HTMLParser

from congvu.errors import InvalidInput
from congvu.mail.charsets import decode_text

__all__ = [
    "IDENTITY_ENCODINGS",
    "UnknownTransferEncoding",
    "decode_transfer",
    "html_to_text",
    "normalise_text",
    "part_text",
]

IDENTITY_ENCODINGS = frozenset({"", "7bit", "8bit", "binary"})
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_SOFT_BREAK = re.compile(rb"=[ \t]*(?:\r?\n|\Z)")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_TRAILING_WSP = re.compile(rb"[ \t]+(?=\r?\n|\Z)")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")
_SPACES = re.compile(r"[ \t\u00a0\r\f\v]+")
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class UnknownTransferEncoding(InvalidInput):
    """The part's Content-Transfer-Encoding is not one this server can decode (RFC 3516 UNKNOWN-CTE)."""


def _base64(data: bytes) -> bytes:
    try:
        # Non-strict a2b_base64 already skips line breaks and characters outside the alphabet.
        return binascii.a2b_base64(data)
    except binascii.Error:
        pass
    data = _BASE64_JUNK.sub(b"", data)
    if len(data) % 4 == 1:
        data = data[:-1]
    return binascii.a2b_base64(data + b"=" * (-len(data) % 4)) if data else b""


def _quoted_printable(data: bytes) -> bytes:
    # RFC 2045 §6.7 rule 3: trailing white space on a line was added in transit and is dropped.
    data = _TRAILING_WSP.sub(b"", data)
    data = _SOFT_BREAK.sub(b"", data)
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo a Content-Transfer-Encoding; raises :class:`UnknownTransferEncoding` for one not known."""
    name = encoding.strip().lower()
    if name in IDENTITY_ENCODINGS:
        return data
    if name == "base64":
        return _base64(data)
    if name == "quoted-printable":
        return _quoted_printable(data)
    raise UnknownTransferEncoding(
        f"Không giải mã được kiểu mã hóa truyền tải '{encoding}'",
        message_en=f"Unknown Content-Transfer-Encoding '{encoding}'",
    )


def normalise_text(text: str) -> str:
    """NFC, with U+00D0 (Ð) read as U+0110 (Đ)."""
    return unicodedata.normalize("NFC", text).replace("\u00d0", "\u0110")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.hidden:
                self.chunks.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML document or fragment, one block per line."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):
        pass
    text = _SPACES.sub(" ", "".join(collector.chunks))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return normalise_text(_BLANK_LINES.sub("\n\n", text).strip())


def part_text(data: bytes, encoding: str, subtype: str, charset: str | None) -> str:
    """Readable text of a text/* part from its transferred octets; never raises."""
    try:
        decoded = decode_transfer(data, encoding)
    except UnknownTransferEncoding:
        decoded = data
    if subtype == "html":
        if charset is None:
            meta = _META_CHARSET.search(decoded[:4096])
            charset = meta.group(1).decode("ascii") if meta else None
        return html_to_text(decode_text(decoded, charset))
    text = decode_text(decoded, charset).replace("\r\n", "\n").replace("\x00", "")
    return normalise_text(text)
