"""Server responses (RFC 9051 §7): tagged and untagged status lines with response codes, continuation
requests, and the untagged data lines of the base protocol and its extensions (ENABLE, ESEARCH, SORT, THREAD,
QRESYNC VANISHED, NAMESPACE, ID, QUOTA, ACL, LIST-EXTENDED). Every function returns complete lines, CRLF
included, ready to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from congvu.imap import wire
from congvu.imap.mailbox import encode_name
from congvu.imap.sequence import SequenceSet
from congvu.imap.threading import ThreadNode

CRLF = b"\r\n"
STATUSES = frozenset({"OK", "NO", "BAD", "BYE", "PREAUTH"})


@dataclass(frozen=True)
class ResponseCode:
    """``[NAME argument]`` before the human-readable text (RFC 9051 §7.1)."""

    name: str
    argument: str | None = None

    def encode(self) -> bytes:
        text = self.name if self.argument is None else f"{self.name} {self.argument}"
        return b"[" + text.encode("utf-8") + b"]"


# Codes without arguments: RFC 9051 §7.1, RFC 5530, RFC 7162 (NOMODSEQ, CLOSED), RFC 4315 (UIDNOTSTICKY),
# RFC 4469 (TOOBIG), RFC 6154 (USEATTR).
ALERT = ResponseCode("ALERT")
PARSE = ResponseCode("PARSE")
READ_ONLY = ResponseCode("READ-ONLY")
READ_WRITE = ResponseCode("READ-WRITE")
TRYCREATE = ResponseCode("TRYCREATE")
NOMODSEQ = ResponseCode("NOMODSEQ")
CLOSED = ResponseCode("CLOSED")
UIDNOTSTICKY = ResponseCode("UIDNOTSTICKY")
UNAVAILABLE = ResponseCode("UNAVAILABLE")
AUTHENTICATIONFAILED = ResponseCode("AUTHENTICATIONFAILED")
AUTHORIZATIONFAILED = ResponseCode("AUTHORIZATIONFAILED")
EXPIRED = ResponseCode("EXPIRED")
PRIVACYREQUIRED = ResponseCode("PRIVACYREQUIRED")
CONTACTADMIN = ResponseCode("CONTACTADMIN")
NOPERM = ResponseCode("NOPERM")
INUSE = ResponseCode("INUSE")
EXPUNGEISSUED = ResponseCode("EXPUNGEISSUED")
CORRUPTION = ResponseCode("CORRUPTION")
SERVERBUG = ResponseCode("SERVERBUG")
CLIENTBUG = ResponseCode("CLIENTBUG")
CANNOT = ResponseCode("CANNOT")
LIMIT = ResponseCode("LIMIT")
OVERQUOTA = ResponseCode("OVERQUOTA")
ALREADYEXISTS = ResponseCode("ALREADYEXISTS")
NONEXISTENT = ResponseCode("NONEXISTENT")
NOTSAVED = ResponseCode("NOTSAVED")
HASCHILDREN = ResponseCode("HASCHILDREN")
UNKNOWN_CTE = ResponseCode("UNKNOWN-CTE")
TOOBIG = ResponseCode("TOOBIG")
USEATTR = ResponseCode("USEATTR")


def badcharset(charsets: Iterable[str] = ("UTF-8", "US-ASCII")) -> ResponseCode:
    return ResponseCode("BADCHARSET", "(" + " ".join(charsets) + ")")


def capability_code(capabilities: Iterable[str]) -> ResponseCode:
    return ResponseCode("CAPABILITY", " ".join(capabilities))


def permanent_flags(flags: Iterable[str]) -> ResponseCode:
    return ResponseCode("PERMANENTFLAGS", "(" + " ".join(flags) + ")")


def uidnext(value: int) -> ResponseCode:
    return ResponseCode("UIDNEXT", str(value))


def uidvalidity(value: int) -> ResponseCode:
    return ResponseCode("UIDVALIDITY", str(value))


def unseen(value: int) -> ResponseCode:
    return ResponseCode("UNSEEN", str(value))


def highestmodseq(value: int) -> ResponseCode:
    return ResponseCode("HIGHESTMODSEQ", str(value))


def appenduid(validity: int, uids: Iterable[int]) -> ResponseCode:
    """RFC 4315 §3; several UIDs after a MULTIAPPEND."""
    return ResponseCode("APPENDUID", f"{validity} {wire.sequence_set(uids, sort=False)}")


def copyuid(validity: int, source: Sequence[int], destination: Sequence[int]) -> ResponseCode:
    """RFC 4315 §3: the two sets pair up in order, so neither is re-sorted."""
    if len(source) != len(destination):
        raise ValueError("COPYUID needs as many destination UIDs as source UIDs")
    src = wire.sequence_set(source, sort=False)
    return ResponseCode("COPYUID", f"{validity} {src} {wire.sequence_set(destination, sort=False)}")


def modified(numbers: Iterable[int]) -> ResponseCode:
    """RFC 7162 §3.1.3: messages a conditional STORE left alone."""
    return ResponseCode("MODIFIED", wire.sequence_set(numbers))


def _text(text: str) -> bytes:
    # Response text is one line: a stray CR or LF would end the response early.
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8")


def _status(prefix: bytes, status: str, text: str, code: ResponseCode | None) -> bytes:
    status = status.upper()
    if status not in STATUSES:
        raise ValueError(f"unknown status {status}")
    parts = [prefix, b" ", status.encode("ascii"), b" "]
    if code is not None:
        parts += [code.encode(), b" "]
    parts += [_text(text or status), CRLF]
    return b"".join(parts)


def tagged(tag: str, status: str, text: str, code: ResponseCode | None = None) -> bytes:
    """``tag OK|NO|BAD [code] text``."""
    return _status(tag.encode("ascii"), status, text, code)


def untagged(status: str, text: str, code: ResponseCode | None = None) -> bytes:
    """``* OK|NO|BAD|BYE|PREAUTH [code] text``."""
    return _status(b"*", status, text, code)


def continuation(text: str = "Ready") -> bytes:
    return b"+ " + _text(text) + CRLF


def data(*parts: bytes | str) -> bytes:
    """``* `` followed by the parts joined with spaces: any untagged data line."""
    encoded = [p.encode("utf-8") if isinstance(p, str) else p for p in parts]
    return b"* " + b" ".join(encoded) + CRLF


def capability(capabilities: Iterable[str]) -> bytes:
    return data("CAPABILITY", " ".join(capabilities))


def enabled(capabilities: Iterable[str]) -> bytes:
    return data(" ".join(["ENABLED", *capabilities]))


def flags(flag_names: Iterable[str]) -> bytes:
    return data(b"FLAGS", wire.flag_list(flag_names))


def exists(count: int) -> bytes:
    return data(str(count), "EXISTS")


def recent(count: int) -> bytes:
    return data(str(count), "RECENT")


def expunge(number: int) -> bytes:
    return data(str(number), "EXPUNGE")


def vanished(uids: Iterable[int] | SequenceSet, *, earlier: bool = False) -> bytes:
    """RFC 7162 §3.2.10: ``* VANISHED [(EARLIER)] uid-set``."""
    text = str(uids) if isinstance(uids, SequenceSet) else wire.sequence_set(uids)
    return data("VANISHED (EARLIER)" if earlier else "VANISHED", text)


def list_line(
    attributes: Iterable[str],
    delimiter: str | None,
    name: str,
    *,
    utf8: bool = False,
    child_info: Sequence[str] = (),
    old_name: str | None = None,
    command: str = "LIST",
) -> bytes:
    """``* LIST (attrs) "/" name`` with the LIST-EXTENDED items CHILDINFO and OLDNAME (RFC 5258, RFC 9051)."""
    delim = b"NIL" if delimiter is None else wire.quoted(delimiter)
    parts = [command.encode("ascii"), wire.flag_list(attributes), delim, wire.mailbox(name, utf8=utf8)]
    extended: list[bytes] = []
    if child_info:
        extended.append(b"CHILDINFO (" + b" ".join(wire.quoted(i) for i in child_info) + b")")
    if old_name is not None:
        extended.append(b"OLDNAME (" + wire.mailbox(old_name, utf8=utf8) + b")")
    if extended:
        parts.append(b"(" + b" ".join(extended) + b")")
    return data(*parts)


def status(name: str, items: Mapping[str, int], *, utf8: bool = False) -> bytes:
    values = " ".join(f"{key} {value}" for key, value in items.items())
    return data(b"STATUS", wire.mailbox(name, utf8=utf8), f"({values})")


def search(numbers: Iterable[int], *, modseq: int | None = None) -> bytes:
    """``* SEARCH 2 3 6``; with CONDSTORE the highest mod-sequence follows (RFC 7162 §3.1.5)."""
    text = " ".join(["SEARCH", *(str(n) for n in numbers)])
    if modseq is not None:
        text += f" (MODSEQ {modseq})"
    return data(text)


def sort(numbers: Iterable[int], *, modseq: int | None = None) -> bytes:
    text = " ".join(["SORT", *(str(n) for n in numbers)])
    if modseq is not None:
        text += f" (MODSEQ {modseq})"
    return data(text)


def esearch(
    tag: str | None,
    *,
    uid: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
    all_numbers: Iterable[int] | None = None,
    count: int | None = None,
    modseq: int | None = None,
) -> bytes:
    """RFC 4731 §3.1: ``* ESEARCH (TAG "a1") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9``; absent parts are omitted."""
    parts: list[bytes] = [b"ESEARCH"]
    if tag is not None:
        parts.append(b"(TAG " + wire.quoted(tag) + b")")
    if uid:
        parts.append(b"UID")
    if minimum is not None:
        parts.append(f"MIN {minimum}".encode("ascii"))
    if maximum is not None:
        parts.append(f"MAX {maximum}".encode("ascii"))
    if all_numbers is not None:
        text = wire.sequence_set(all_numbers)
        if text:
            parts.append(f"ALL {text}".encode("ascii"))
    if count is not None:
        parts.append(f"COUNT {count}".encode("ascii"))
    if modseq is not None:
        parts.append(f"MODSEQ {modseq}".encode("ascii"))
    return data(*parts)


def thread_text(threads: Iterable[ThreadNode]) -> str:
    """RFC 5256 §4 thread-list syntax: ``(3 6 (4 23)(44 7 96))``; a placeholder root gives ``((1)(2))``."""
    out: list[str] = []
    stack: list[ThreadNode | str] = [*reversed(list(threads))]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        out.append("(")
        node = item
        members: list[str] = []
        while node.number is not None:
            members.append(str(node.number))
            if len(node.children) != 1:
                break
            node = node.children[0]
        out.append(" ".join(members))
        nested = node.children
        if nested and members:
            out.append(" ")
        stack.append(")")
        stack.extend(reversed(nested))
    return "".join(out)


def thread(threads: Iterable[ThreadNode]) -> bytes:
    text = thread_text(threads)
    return data(f"THREAD {text}" if text else "THREAD")


def namespace(
    personal: Sequence[tuple[str, str | None]] | None,
    other_users: Sequence[tuple[str, str | None]] | None,
    shared: Sequence[tuple[str, str | None]] | None,
    *,
    utf8: bool = False,
) -> bytes:
    """RFC 2342 / RFC 9051 §7.3.4: three lists of (prefix, delimiter), or NIL."""

    def encode(entries: Sequence[tuple[str, str | None]] | None) -> bytes:
        if not entries:
            return b"NIL"
        items = (
            b"("
            + wire.string(encode_name(prefix, utf8=utf8), utf8=utf8)
            + b" "
            + (b"NIL" if delim is None else wire.quoted(delim))
            + b")"
            for prefix, delim in entries
        )
        return b"(" + b"".join(items) + b")"

    return data(b"NAMESPACE", encode(personal), encode(other_users), encode(shared))


def id_line(parameters: Mapping[str, str | None] | None) -> bytes:
    """RFC 2971 §3.2: ``* ID ("name" "CôngVụ" …)`` or ``* ID NIL``."""
    if not parameters:
        return data("ID NIL")
    pairs = b" ".join(
        wire.quoted(key) + b" " + wire.nstring(value, utf8=True) for key, value in parameters.items()
    )
    return data(b"ID", b"(" + pairs + b")")


def quota(root: str, resources: Sequence[tuple[str, int, int]], *, utf8: bool = False) -> bytes:
    """RFC 9208 §5.1: ``* QUOTA root (STORAGE usage limit …)`` (STORAGE in units of 1024 octets)."""
    values = " ".join(f"{name} {usage} {limit}" for name, usage, limit in resources)
    return data(b"QUOTA", wire.astring(root, utf8=utf8), f"({values})")


def quotaroot(mailbox_name: str, roots: Iterable[str], *, utf8: bool = False) -> bytes:
    names = [wire.astring(root, utf8=utf8) for root in roots]
    return data(b"QUOTAROOT", wire.mailbox(mailbox_name, utf8=utf8), *names)


def acl(mailbox_name: str, entries: Iterable[tuple[str, str]], *, utf8: bool = False) -> bytes:
    """RFC 4314 §3.6: ``* ACL mailbox identifier rights …``."""
    parts = [b"ACL", wire.mailbox(mailbox_name, utf8=utf8)]
    for identifier, rights in entries:
        parts += [wire.astring(identifier, utf8=utf8), wire.astring(rights, utf8=utf8)]
    return data(*parts)


def listrights(
    mailbox_name: str, identifier: str, required: str, optional: Iterable[str], *, utf8: bool = False
) -> bytes:
    parts = [b"LISTRIGHTS", wire.mailbox(mailbox_name, utf8=utf8), wire.astring(identifier, utf8=utf8)]
    parts.append(wire.astring(required, utf8=utf8) if required else b'""')
    parts += [wire.astring(group, utf8=utf8) for group in optional]
    return data(*parts)


def myrights(mailbox_name: str, rights: str, *, utf8: bool = False) -> bytes:
    return data(b"MYRIGHTS", wire.mailbox(mailbox_name, utf8=utf8), wire.astring(rights) if rights else b'""')


def fetch(number: int, items: Sequence[tuple[str, bytes]]) -> bytes:
    """``* n FETCH (LABEL value …)``; values come already encoded (``wire.nstring``, ``wire.literal``, …)."""
    body = b" ".join(label.encode("ascii") + b" " + value for label, value in items)
    return data(str(number).encode("ascii"), b"FETCH (" + body + b")")
