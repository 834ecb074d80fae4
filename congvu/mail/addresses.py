"""A tolerant reader of RFC 5322 address lists, keeping every part as written.

RFC 5322 §3.4 (mailbox, name-addr, angle-addr, group), §3.2 (quoted strings, comments, CFWS) and §4.4
(obsolete routes ``<@a,@b:user@host>``). The reader serves two masters: the IMAP ENVELOPE, which wants each
address split into name, route, local part and domain with RFC 5322 quoting removed but nothing else decoded
(RFC 9051 §7.5.2), and the search and display fields, which decode the same pieces afterwards.

It works on ``str``; callers that must give back the exact octets read the header as Latin-1 (one character
per octet) and encode the pieces the same way. It never raises: stray specials are skipped, an unclosed quote,
comment or angle bracket ends at the end of the value, a group left open is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["GroupEnd", "GroupStart", "Mailbox", "parse_address_list"]

_SPECIALS = frozenset('()<>[]:;@\\,."')
_WSP = frozenset(" \t\r\n")


@dataclass(frozen=True)
class Mailbox:
    """One mailbox. ``domain`` is ``None`` when the address had no ``@``."""

    name: str | None
    route: str | None
    local: str
    domain: str | None


@dataclass(frozen=True)
class GroupStart:
    """The start of an RFC 5322 group (``name:``)."""

    name: str


@dataclass(frozen=True)
class GroupEnd:
    """The end of a group (``;``)."""


AddressItem = Mailbox | GroupStart | GroupEnd


@dataclass(frozen=True)
class _Token:
    kind: str  # "atom", "quoted", "comment", "literal" or "special"
    text: str
    spaced: bool  # white space (or a comment) came before it


def _read_delimited(value: str, pos: int, close: str, nests: bool) -> tuple[str, int]:
    """Read a quoted string, comment or domain literal whose opening character is at ``pos``."""
    opening = value[pos]
    depth = 1
    out: list[str] = []
    pos += 1
    while pos < len(value):
        char = value[pos]
        if char == "\\" and pos + 1 < len(value):
            out.append(value[pos + 1])
            pos += 2
            continue
        if nests and char == opening:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return "".join(out), pos + 1
        if char not in "\r\n":
            out.append(char)
        pos += 1
    return "".join(out), pos


def _tokenize(value: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    spaced = False
    while pos < len(value):
        char = value[pos]
        if char in _WSP:
            spaced = True
            pos += 1
        elif char == '"':
            text, pos = _read_delimited(value, pos, '"', nests=False)
            tokens.append(_Token("quoted", text, spaced))
            spaced = False
        elif char == "(":
            text, pos = _read_delimited(value, pos, ")", nests=True)
            tokens.append(_Token("comment", text, spaced))
            spaced = True
        elif char == "[":
            text, pos = _read_delimited(value, pos, "]", nests=False)
            tokens.append(_Token("literal", "[" + text + "]", spaced))
            spaced = False
        elif char in _SPECIALS:
            tokens.append(_Token("special", char, spaced))
            spaced = False
            pos += 1
        else:
            end = pos
            while end < len(value) and value[end] not in _SPECIALS and value[end] not in _WSP:
                end += 1
            tokens.append(_Token("atom", value[pos:end], spaced))
            spaced = False
            pos = end
    return tokens


def _phrase(tokens: list[_Token]) -> str | None:
    """Words of a display name with quoting removed, one space where the original had white space."""
    words = [t for t in tokens if t.kind != "comment" and not (t.kind == "special" and t.text in "<>,;:@")]
    if not words:
        return None
    text = words[0].text
    for token in words[1:]:
        text += (" " if token.spaced else "") + token.text
    text = text.strip()
    return text or None


def _comment_name(tokens: list[_Token]) -> str | None:
    for token in tokens:
        if token.kind == "comment" and token.text.strip():
            return " ".join(token.text.split())
    return None


def _addr_spec(tokens: list[_Token]) -> tuple[str, str | None]:
    """Split an addr-spec at its last ``@``, dropping white space and comments (RFC 5322 §3.4.1)."""
    parts = [t for t in tokens if t.kind != "comment"]
    at = max((i for i, t in enumerate(parts) if t.kind == "special" and t.text == "@"), default=-1)
    if at < 0:
        return "".join(t.text for t in parts), None
    local = "".join(t.text for t in parts[:at])
    domain = "".join(t.text for t in parts[at + 1 :] if not (t.kind == "special" and t.text == "@"))
    return local, domain


def _mailbox(tokens: list[_Token]) -> Mailbox | None:
    opening = next((i for i, t in enumerate(tokens) if t.kind == "special" and t.text == "<"), -1)
    if opening < 0:
        spec = [t for t in tokens if not (t.kind == "special" and t.text in "<>")]
        if not any(t.kind != "comment" for t in spec):
            return None
        local, domain = _addr_spec(spec)
        return Mailbox(_comment_name(tokens), None, local, domain)
    closing = next(
        (i for i in range(opening + 1, len(tokens)) if tokens[i].kind == "special" and tokens[i].text == ">"),
        len(tokens),
    )
    name = _phrase(tokens[:opening]) or _comment_name(tokens[:opening] + tokens[closing + 1 :])
    inner = tokens[opening + 1 : closing]
    route: str | None = None
    if inner and inner[0].kind == "special" and inner[0].text == "@":
        colon = next((i for i, t in enumerate(inner) if t.kind == "special" and t.text == ":"), -1)
        if colon >= 0:
            route = "".join(t.text for t in inner[:colon] if t.kind != "comment") or None
            inner = inner[colon + 1 :]
    local, domain = _addr_spec(inner)
    return Mailbox(name, route, local, domain)


REMEMBERED_LENGTH = 1024  # address lists up to this long are remembered (the items are immutable)


def parse_address_list(value: str) -> list[AddressItem]:
    """Read an address list (RFC 5322 §3.4 ``address-list``), groups marked by start and end items."""
    if len(value) <= REMEMBERED_LENGTH:
        # The same From and To come back with every message of a correspondence, and one message's fields are
        # read by its ENVELOPE, its search fields and the checks on arrival.
        return list(_remembered(value))
    return _parse_address_list(value)


@lru_cache(maxsize=4096)
def _remembered(value: str) -> tuple[AddressItem, ...]:
    return tuple(_parse_address_list(value))


def _parse_address_list(value: str) -> list[AddressItem]:
    items: list[AddressItem] = []
    in_group = False
    chunk: list[_Token] = []
    angle = False

    def flush() -> None:
        mailbox = _mailbox(chunk)
        if mailbox is not None:
            items.append(mailbox)
        chunk.clear()

    for token in _tokenize(value):
        if token.kind == "special":
            if token.text == "<":
                angle = True
            elif token.text == ">":
                angle = False
            elif token.text == "," and not angle:
                flush()
                continue
            elif token.text == ";" and not angle:
                flush()
                if in_group:
                    items.append(GroupEnd())
                    in_group = False
                continue
            elif token.text == ":" and not angle and not in_group:
                has_address = any(t.kind == "special" and t.text in "<@" for t in chunk)
                if not has_address:
                    items.append(GroupStart(_phrase(chunk) or ""))
                    in_group = True
                    chunk.clear()
                    continue
        chunk.append(token)
    flush()
    if in_group:
        items.append(GroupEnd())
    return items
