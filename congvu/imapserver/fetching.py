"""The FETCH renderer (RFC 9051 §6.4.5 and §7.5.2; RFC 3501 §6.4.5 for RFC822.*; BINARY of RFC 3516; MODSEQ of
RFC 7162 §3.1.4): which data a FETCH needs from the store, and the response items for one message.

ENVELOPE, BODY and BODYSTRUCTURE were serialised once at delivery (:mod:`congvu.mail.index`); body sections
are cut from the raw message with the stored part table (:mod:`congvu.mail.sections`), so a FETCH never
re-parses a message. The header sections of a message itself (``BODY[HEADER]``, ``BODY[HEADER.FIELDS (…)]``,
what every message list asks for) are kept once cut (:class:`SectionCache`), so the next FETCH of the same
fields reads neither the message nor its header again.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import lru_cache

from congvu.errors import InvalidInput, NotFound
from congvu.imap import response, wire
from congvu.imap.fetch import (
    FetchAttribute,
    FetchBinary,
    FetchBinarySize,
    FetchBody,
    FetchSimple,
    Partial,
    SectionText,
)
from congvu.mail.content import UnknownTransferEncoding
from congvu.mail.sections import SectionSpec, binary_size, fetch_binary, fetch_section
from congvu.mailstore.api import MessageContent, MessageSummary

# INTERNALDATE is shown in Viet Nam time (UTC+07:00, no daylight saving); clients convert it as they like.
VIETNAM_TIME = timezone(timedelta(hours=7))
SUMMARY_ITEMS = frozenset({"FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "MODSEQ"})
CONTENT_ITEMS = frozenset({"ENVELOPE", "BODY", "BODYSTRUCTURE"})
RAW_ITEMS = frozenset({"RFC822", "RFC822.HEADER", "RFC822.TEXT"})
_RFC822_SECTIONS = {"RFC822": None, "RFC822.HEADER": "HEADER", "RFC822.TEXT": "TEXT"}
_HEADER_TEXTS = frozenset({SectionText.HEADER, SectionText.HEADER_FIELDS, SectionText.HEADER_FIELDS_NOT})
SECTION_CACHE_BYTES = 4 * 1024 * 1024

# A header section of the message itself: the text specifier and the field names, compared without case
# (RFC 9051 §6.4.5), so that the order or spelling of the names in a request does not matter.
HeaderKey = tuple[str, frozenset[str]]
_MISSING = object()


def header_key(item: FetchAttribute) -> HeaderKey | None:
    """The cache key of ``item`` when it is a header section of the message itself, else None."""
    if not isinstance(item, FetchBody):
        return None
    section = item.section
    if section.part or section.text not in _HEADER_TEXTS:
        return None
    return (section.text.value, frozenset(name.lower() for name in section.fields))


class SectionCache:
    """Header sections already cut, by content SHA-256 and :data:`HeaderKey`; ``None`` records a section that
    does not exist (answered NIL). A content is named by the hash of its bytes, so an entry never goes stale;
    the oldest entries go once ``max_bytes`` of sections are held. Shared by every connection (and the threads
    that read messages for them)."""

    def __init__(self, max_bytes: int = SECTION_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: dict[tuple[str, HeaderKey], bytes | None] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def find(self, sha256: str, keys: tuple[HeaderKey, ...]) -> dict[HeaderKey, bytes | None] | None:
        """Every section of ``keys``, or None as soon as one is not held."""
        found: dict[HeaderKey, bytes | None] = {}
        with self._lock:
            for key in keys:
                data = self._entries.get((sha256, key), _MISSING)
                if data is _MISSING:
                    return None
                found[key] = data  # type: ignore[assignment]
        return found

    def put(self, sha256: str, key: HeaderKey, data: bytes | None) -> None:
        size = len(data) if data is not None else 0
        if size > self.max_bytes // 64:
            return  # a huge header would push out hundreds of ordinary ones
        with self._lock:
            if (sha256, key) in self._entries:
                return
            self._entries[(sha256, key)] = data
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                oldest = next(iter(self._entries))
                dropped = self._entries.pop(oldest)
                self._bytes -= len(dropped) if dropped is not None else 0


class UnknownCte(InvalidInput):
    """BINARY of a part whose transfer encoding cannot be undone: ``NO [UNKNOWN-CTE]`` (RFC 3516 §4.3)."""


@dataclass(frozen=True)
class FetchPlan:
    """The attributes to answer, in order, with UID and MODSEQ added where the protocol requires them.

    ``labels`` are the items' response labels (None when one is not ASCII: then they are encoded per response,
    as before); ``header_keys`` the cache keys of the items that need the raw message when each of them is a
    header section of the message itself (a message whose sections are all cached is then not read), else None.
    """

    items: tuple[FetchAttribute, ...]
    needs_content: bool
    needs_raw: bool
    sets_seen: bool
    labels: tuple[bytes, ...] | None = None
    keys: tuple[HeaderKey | None, ...] = ()
    header_keys: tuple[HeaderKey, ...] | None = None

    @property
    def wants_flags(self) -> bool:
        return any(isinstance(item, FetchSimple) and item.name == "FLAGS" for item in self.items)


@lru_cache(maxsize=256)
def plan_fetch(attributes: tuple[FetchAttribute, ...], *, uid: bool, modseq: bool) -> FetchPlan:
    """``uid``: UID FETCH, whose responses always carry UID (RFC 9051 §6.4.9); ``modseq``: CHANGEDSINCE was
    given, which implies MODSEQ (RFC 7162 §3.1.4.1). Plans are kept: clients repeat a few attribute lists."""
    items = list(dict.fromkeys(attributes))
    names = {item.name for item in items if isinstance(item, FetchSimple)}
    if uid and "UID" not in names:
        items.insert(0, FetchSimple("UID"))
    if modseq and "MODSEQ" not in names:
        items.append(FetchSimple("MODSEQ"))
    needs_content = any(isinstance(item, FetchSimple) and item.name in CONTENT_ITEMS for item in items)
    raw_items = [item for item in items if not isinstance(item, FetchSimple) or item.name in RAW_ITEMS]
    keys = tuple(header_key(item) for item in items)
    raw_keys = [header_key(item) for item in raw_items]
    header_keys = tuple(dict.fromkeys(k for k in raw_keys if k is not None)) if None not in raw_keys else None
    try:
        labels: tuple[bytes, ...] | None = tuple(item.label.encode("ascii") for item in items)
    except UnicodeEncodeError:
        labels = None
    return FetchPlan(tuple(items), needs_content, bool(raw_items), any(item.sets_seen for item in items),
                     labels, keys, header_keys)


# How a summary item is written into a response template (see :func:`summary_template`).
_TEMPLATE_SLOTS = {"UID": b"%d", "FLAGS": b"%s", "MODSEQ": b"(%d)", "RFC822.SIZE": b"%d", "INTERNALDATE": b"%s"}


def summary_template(plan: FetchPlan) -> tuple[bytes, tuple[str, ...]] | None:
    """For a plan of summary items only (FETCH FLAGS of a whole folder, say): a ``%``-template of the whole
    response, filled with the message number then the items' values (:func:`summary_values`), and the items'
    names; None for any other plan. The bytes are those of :func:`render_line`."""
    if plan.needs_content or plan.needs_raw or plan.labels is None:
        return None
    names: list[str] = []
    pieces: list[bytes] = []
    for item, label in zip(plan.items, plan.labels, strict=True):
        if not isinstance(item, FetchSimple) or item.name not in _TEMPLATE_SLOTS:
            return None
        names.append(item.name)
        pieces.append(label.replace(b"%", b"%%") + b" " + _TEMPLATE_SLOTS[item.name])
    return b"* %d FETCH (" + b" ".join(pieces) + b")\r\n", tuple(names)


def summary_values(names: tuple[str, ...], summary: MessageSummary, flags: bytes) -> tuple[int | bytes, ...]:
    """The values of :func:`summary_template`'s items for one message."""
    values: list[int | bytes] = []
    for name in names:
        if name == "UID":
            values.append(summary.uid)
        elif name == "FLAGS":
            values.append(flags)
        elif name == "MODSEQ":
            values.append(summary.modseq)
        elif name == "RFC822.SIZE":
            values.append(summary.size)
        else:
            values.append(wire.date_time(summary.internal_date.astimezone(VIETNAM_TIME)))
    return tuple(values)


def _partial(data: bytes, partial: Partial | None) -> bytes:
    if partial is None:
        return data
    return data[partial.offset : partial.offset + partial.length]


def _section(raw: bytes | None, content: MessageContent, item: FetchBody) -> bytes | None:
    if raw is None:
        raise ValueError("body sections need the raw message and its part table")
    section = item.section
    spec = SectionSpec(section.part, section.text.value if section.text else None, section.fields)
    try:
        return fetch_section(raw, content.parts, spec)
    except (NotFound, InvalidInput):
        # A part that does not exist, or HEADER/TEXT of a part that is not a message: no data.
        return None


def _body(raw: bytes | None, content: MessageContent, item: FetchBody, key: HeaderKey | None,
          cached: Mapping[HeaderKey, bytes | None] | None, sections: SectionCache | None) -> bytes:
    if key is not None and cached is not None and key in cached:
        data = cached[key]
    else:
        data = _section(raw, content, item)
        if key is not None and sections is not None:
            sections.put(content.sha256, key, data)
    if data is None:
        return b"NIL"
    return wire.literal(_partial(data, item.partial))


def _binary(raw: bytes, content: MessageContent, item: FetchBinary) -> bytes:
    try:
        data = fetch_binary(raw, content.parts, item.part)
    except NotFound:
        return b"NIL"
    except UnknownTransferEncoding as error:
        raise UnknownCte(error.message, message_en=error.message_en) from error
    data = _partial(data, item.partial)
    # RFC 3516 §4.2: literal8 only where the data needs it (NUL octets).
    return wire.literal(data, binary=b"\x00" in data)


def _binary_size(raw: bytes, content: MessageContent, item: FetchBinarySize) -> bytes:
    try:
        return str(binary_size(raw, content.parts, item.part)).encode("ascii")
    except NotFound:
        return b"NIL"
    except UnknownTransferEncoding as error:
        raise UnknownCte(error.message, message_en=error.message_en) from error


def _simple(name: str, summary: MessageSummary, content: MessageContent | None, raw: bytes | None,
            flags: bytes) -> bytes:
    if name == "FLAGS":
        return flags
    if name == "UID":
        return str(summary.uid).encode("ascii")
    if name == "INTERNALDATE":
        return wire.date_time(summary.internal_date.astimezone(VIETNAM_TIME))
    if name == "RFC822.SIZE":
        return str(summary.size).encode("ascii")
    if name == "MODSEQ":
        return f"({summary.modseq})".encode("ascii")
    if content is None:
        raise ValueError(f"{name} needs the message's content index")
    if name == "ENVELOPE":
        return content.envelope_wire
    if name == "BODY":
        return content.body_wire
    if name == "BODYSTRUCTURE":
        return content.bodystructure_wire
    if raw is None:
        raise ValueError(f"{name} needs the raw message")
    text = _RFC822_SECTIONS[name]
    data = raw if text is None else fetch_section(raw, content.parts, SectionSpec((), text))
    return wire.literal(data)


def _values(plan: FetchPlan, summary: MessageSummary, content: MessageContent | None, raw: bytes | None,
            flags: bytes, cached: Mapping[HeaderKey, bytes | None] | None,
            sections: SectionCache | None) -> list[bytes]:
    out: list[bytes] = []
    keys = plan.keys or (None,) * len(plan.items)
    for item, key in zip(plan.items, keys, strict=True):
        if isinstance(item, FetchSimple):
            out.append(_simple(item.name, summary, content, raw, flags))
            continue
        if content is None or (raw is None and (key is None or cached is None)):
            raise ValueError("body sections need the raw message and its part table")
        if isinstance(item, FetchBody):
            out.append(_body(raw, content, item, key, cached, sections))
        elif raw is None:
            raise ValueError("BINARY needs the raw message")
        elif isinstance(item, FetchBinary):
            out.append(_binary(raw, content, item))
        else:
            out.append(_binary_size(raw, content, item))
    return out


def render_items(plan: FetchPlan, summary: MessageSummary, content: MessageContent | None, raw: bytes | None,
                 *, flags: bytes, add_flags: bool, cached: Mapping[HeaderKey, bytes | None] | None = None,
                 sections: SectionCache | None = None) -> list[tuple[str, bytes]]:
    """The ``(label, value)`` pairs of one FETCH response; ``add_flags`` appends FLAGS when the fetch set
    \\Seen and the client did not ask for FLAGS (RFC 9051 §6.4.5: the change should be reported). ``cached``
    holds header sections found in ``sections`` (the raw message may then be None); sections cut here are
    added to ``sections``."""
    values = _values(plan, summary, content, raw, flags, cached, sections)
    out = [(item.label, value) for item, value in zip(plan.items, values, strict=True)]
    if add_flags:
        out.append(("FLAGS", flags))
    return out


def render_line(number: int, plan: FetchPlan, summary: MessageSummary, content: MessageContent | None,
                raw: bytes | None, *, flags: bytes, add_flags: bool,
                cached: Mapping[HeaderKey, bytes | None] | None = None, sections: SectionCache | None = None) -> bytes:
    """The whole ``* n FETCH (…)`` response of :func:`render_items` (``response.fetch`` of its items)."""
    labels = plan.labels
    if labels is None:
        return response.fetch(number, render_items(plan, summary, content, raw, flags=flags, add_flags=add_flags,
                                                   cached=cached, sections=sections))
    values = _values(plan, summary, content, raw, flags, cached, sections)
    body = b" ".join([label + b" " + value for label, value in zip(labels, values, strict=True)])
    if add_flags:
        body += b" FLAGS " + flags
    return b"* %d FETCH (%s)\r\n" % (number, body)
