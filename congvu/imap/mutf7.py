"""Modified UTF-7, the mailbox-name encoding of IMAP (RFC 3501 §5.1.3, kept by RFC 9051 §5.1.3 for clients
that do not enable UTF8=ACCEPT).

Printable US-ASCII stands for itself, ``&`` is written ``&-``, and every other run of characters is UTF-16BE
in base64 with ``,`` in place of ``/``, without padding, between ``&`` and ``-``.
Decoding is strict so that one name has exactly one encoding: a client cannot create "Văn bản đến" twice
under two spellings.
"""

from __future__ import annotations

import base64
import binascii
import re

from congvu.errors import InvalidInput

_BASE64_RUN = re.compile(r"&([A-Za-z0-9+,]*)-")


def _is_direct(char: str) -> bool:
    # RFC 3501 §5.1.3: characters 0x20-0x7e represent themselves; "&" is the shift character.
    return " " <= char <= "~"


def _encode_run(run: str) -> str:
    raw = run.encode("utf-16-be", "surrogatepass")
    return "&" + base64.b64encode(raw, altchars=b"+,").decode("ascii").rstrip("=") + "-"


def encode(name: str) -> str:
    """Encode a mailbox name (any Unicode) into its modified UTF-7 wire form (ASCII)."""
    out: list[str] = []
    run: list[str] = []
    for char in name:
        if _is_direct(char):
            if run:
                out.append(_encode_run("".join(run)))
                run.clear()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    if run:
        out.append(_encode_run("".join(run)))
    return "".join(out)


def _invalid(name: str, why_vi: str, why_en: str) -> InvalidInput:
    return InvalidInput(
        f"Tên hộp thư không đúng UTF-7 sửa đổi ({why_vi}): {name!r}",
        message_en=f"Mailbox name is not valid modified UTF-7 ({why_en}): {name!r}",
        field="mailbox",
    )


def _decode_run(name: str, b64: str) -> str:
    if len(b64) % 4 == 1:
        raise _invalid(name, "độ dài base64 sai", "bad base64 length")
    padded = b64 + "=" * (-len(b64) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"+,", validate=True)
    except binascii.Error as exc:
        raise _invalid(name, "base64 sai", "bad base64") from exc
    if len(raw) % 2:
        raise _invalid(name, "UTF-16 lẻ byte", "odd UTF-16 length")
    # Non-zero padding bits would give a second spelling of the same name.
    if base64.b64encode(raw, altchars=b"+,").decode("ascii").rstrip("=") != b64:
        raise _invalid(name, "bit đệm khác 0", "non-zero padding bits")
    try:
        text = raw.decode("utf-16-be")
    except UnicodeDecodeError as exc:
        raise _invalid(name, "UTF-16 sai", "bad UTF-16") from exc
    if any(_is_direct(char) for char in text):
        raise _invalid(name, "ký tự ASCII bị mã hoá", "printable ASCII inside base64")
    return text


def decode(name: str | bytes) -> str:
    """Decode a modified UTF-7 mailbox name; raise :class:`InvalidInput` for anything not canonical."""
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    out: list[str] = []
    pos = 0
    previous_was_run = False
    while pos < len(text):
        char = text[pos]
        if char != "&":
            if not _is_direct(char):
                raise _invalid(text, "ký tự ngoài ASCII in được", "character outside printable ASCII")
            out.append(char)
            pos += 1
            previous_was_run = False
            continue
        match = _BASE64_RUN.match(text, pos)
        if match is None:
            raise _invalid(text, "thiếu dấu '-' kết thúc", "unterminated '&' sequence")
        b64 = match.group(1)
        if not b64:
            out.append("&")
            previous_was_run = False
        else:
            if previous_was_run:
                # RFC 3501 §5.1.3: adjacent runs must be merged into one.
                raise _invalid(text, "hai đoạn mã hoá liền nhau", "two adjacent encoded runs")
            out.append(_decode_run(text, b64))
            previous_was_run = True
        pos = match.end()
    return "".join(out)
