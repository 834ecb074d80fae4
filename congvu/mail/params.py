"""Content-Type and Content-Disposition values: media type, disposition and their parameters.

RFC 2045 §5.1 (``type "/" subtype *(";" parameter)``), RFC 2183 §2 (Content-Disposition) and RFC 2231
(parameter continuations ``name*0``, ``name*1``… and charset-tagged values ``name*=charset'lang'%XX``).

Parameters are kept as written (quoting removed) for the IMAP BODYSTRUCTURE, with continuations joined the way
widely deployed servers do: a value split into ``name*0``, ``name*1`` becomes one ``name`` value, and one with
an extended (``*``) segment becomes one ``name*`` value still in RFC 2231 form, so clients decode it as usual.
For display and search, :func:`param_text` decodes RFC 2231 values, the RFC 2047 encoded-words many mailers
put in quoted file names, and raw UTF-8.

Reading is tolerant: unquoted values with spaces run to the next ``;``, an unclosed quote runs to the end,
junk between parameters is skipped.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from congvu.mail.charsets import decode_text
from congvu.mail.headers import decode_header_value

__all__ = ["MediaType", "Param", "merged_params", "param_text", "parse_disposition", "parse_media_type"]

_TOKEN_END = frozenset(' \t;()"/<>@,:\\[]?=')
_SECTION = re.compile(r"^(.+?)\*(\d{1,3})(\*?)$")
# RFC 2231 §7: attribute-char, the octets an extended value may carry without %-encoding.
_ATTRIBUTE_CHARS = frozenset(
    "!#$&+-.^_`|~" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@dataclass(frozen=True)
class Param:
    """One parameter as written: lower-case name (``*`` marks kept), value without its quotes."""

    name: str
    value: bytes


@dataclass(frozen=True)
class MediaType:
    """A media type with lower-case type and subtype and its parameters."""

    maintype: str
    subtype: str
    params: tuple[Param, ...]

    @property
    def full(self) -> str:
        """``type/subtype``."""
        return f"{self.maintype}/{self.subtype}"


def _skip_cfws(text: str, pos: int) -> int:
    while pos < len(text):
        if text[pos] in " \t\r\n":
            pos += 1
        elif text[pos] == "(":
            depth = 0
            while pos < len(text):
                if text[pos] == "\\":
                    pos += 2
                    continue
                depth += {"(": 1, ")": -1}.get(text[pos], 0)
                pos += 1
                if depth == 0:
                    break
        else:
            break
    return pos


def _token(text: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(text) and text[end] not in _TOKEN_END:
        end += 1
    return text[pos:end], end


def _params(text: str, pos: int) -> tuple[Param, ...]:
    params: list[Param] = []
    while pos < len(text):
        pos = _skip_cfws(text, pos)
        if pos < len(text) and text[pos] == ";":
            pos += 1
            continue
        name_end = pos
        while name_end < len(text) and text[name_end] not in "=;":
            name_end += 1
        name = text[pos:name_end].strip().lower()
        if name_end >= len(text) or text[name_end] == ";" or not name or " " in name:
            pos = name_end + 1
            continue
        pos = _skip_cfws(text, name_end + 1)
        if pos < len(text) and text[pos] == '"':
            out: list[str] = []
            pos += 1
            while pos < len(text) and text[pos] != '"':
                if text[pos] == "\\" and pos + 1 < len(text):
                    pos += 1
                if text[pos] not in "\r\n":
                    out.append(text[pos])
                pos += 1
            value = "".join(out)
            pos += 1
        else:
            end = text.find(";", pos)
            end = len(text) if end < 0 else end
            value = text[pos:end].strip()
            if value.endswith(")") and "(" in value:
                value = value[: value.index("(")].rstrip()
            pos = end
        params.append(Param(name, value.encode("latin-1")))
    return tuple(params)


def parse_media_type(value: bytes) -> MediaType | None:
    """Read a Content-Type value; ``None`` when it names no ``type/subtype`` (RFC 2045 §5.2 then applies)."""
    text = value.decode("latin-1")
    pos = _skip_cfws(text, 0)
    maintype, pos = _token(text, pos)
    pos = _skip_cfws(text, pos)
    if not maintype or pos >= len(text) or text[pos] != "/":
        return None
    subtype, pos = _token(text, _skip_cfws(text, pos + 1))
    if not subtype:
        return None
    return MediaType(maintype.lower(), subtype.lower(), _params(text, pos))


def parse_disposition(value: bytes) -> tuple[str, tuple[Param, ...]] | None:
    """Read a Content-Disposition value (RFC 2183 §2): lower-case type and parameters, or ``None``."""
    text = value.decode("latin-1")
    kind, pos = _token(text, _skip_cfws(text, 0))
    if not kind:
        return None
    return kind.lower(), _params(text, pos)


def _percent_encode(value: bytes) -> bytes:
    return b"".join(
        bytes([octet]) if chr(octet) in _ATTRIBUTE_CHARS else b"%%%02X" % octet for octet in value
    )


def merged_params(params: tuple[Param, ...]) -> tuple[tuple[str, bytes], ...]:
    """Parameters with RFC 2231 §3 continuations joined, each name once (first wins), as written otherwise."""
    sections: dict[str, dict[int, tuple[bool, bytes]]] = {}
    order: list[str] = []
    plain: dict[str, bytes] = {}
    for param in params:
        match = _SECTION.match(param.name)
        if match:
            base, index, extended = match.group(1), int(match.group(2)), bool(match.group(3))
            key = base + "\x00"
            sections.setdefault(key, {}).setdefault(index, (extended, param.value))
        else:
            key = param.name
            plain.setdefault(key, param.value)
        if key not in order:
            order.append(key)
    merged: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for key in order:
        if key in plain:
            name, value = key, plain[key]
        else:
            parts = sections[key]
            run = []
            index = 0
            while index in parts:
                run.append(parts[index])
                index += 1
            if not run:
                continue
            base = key[:-1]
            if any(extended for extended, _ in run):
                first_extended, first_value = run[0]
                head = first_value if first_extended else b"''" + _percent_encode(first_value)
                tail = [v if ext else _percent_encode(v) for ext, v in run[1:]]
                name, value = base + "*", head + b"".join(tail)
            else:
                name, value = base, b"".join(v for _, v in run)
        if name in seen:
            continue
        seen.add(name)
        merged.append((name, value))
    return tuple(merged)


def _decode_extended(value: bytes) -> str:
    """Decode an RFC 2231 §4 value ``charset'language'%XX…``."""
    text = value.decode("latin-1")
    charset: str | None = None
    if text.count("'") >= 2:
        charset, _language, text = text.split("'", 2)
    data = urllib.parse.unquote_to_bytes(text)
    return decode_text(data, charset or "utf-8")


def param_text(params: tuple[Param, ...], name: str) -> str | None:
    """The decoded value of parameter ``name`` (lower-case), or ``None`` when it is absent.

    An RFC 2231 value wins over a plain one of the same name (RFC 2231 §4 fallbacks come second).
    """
    values = dict(merged_params(params))
    if name + "*" in values:
        return decode_header_value(_decode_extended(values[name + "*"]))
    if name in values:
        return decode_header_value(values[name])
    return None
