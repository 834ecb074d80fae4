"""The FETCH renderer (RFC 9051 §6.4.5 and §7.5.2; RFC 3501 §6.4.5 for RFC822.*; BINARY of RFC 3516; MODSEQ of
RFC 7162 §3.1.4): which data a FETCH needs from the store, and the response items for one message.

ENVELOPE, BODY and BODYSTRUCTURE were serialised once at delivery (:mod:`congvu.mail.index`); body sections
are cut from the raw message with the stored part table (:mod:`congvu.mail.sections`), so a FETCH never
re-parses a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from congvu.errors import InvalidInput, NotFound
from congvu.imap import wire
from congvu.imap.fetch import FetchAttribute, FetchBinary, FetchBinarySize, FetchBody, FetchSimple, Partial
from congvu.mail.content import UnknownTransferEncoding
from congvu.mail.sections import SectionSpec, binary_size, fetch_binary, fetch_section
from congvu.mailstore.api import MessageContent, MessageSummary

# INTERNALDATE is shown in Viet Nam time (UTC+07:00, no daylight saving); clients convert it as they like.
VIETNAM_TIME = timezone(timedelta(hours=7))
SUMMARY_ITEMS = frozenset({"FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "MODSEQ"})
CONTENT_ITEMS = frozenset({"ENVELOPE", "BODY", "BODYSTRUCTURE"})
RAW_ITEMS = frozenset({"RFC822", "RFC822.HEADER", "RFC822.TEXT"})
_RFC822_SECTIONS = {"RFC822": None, "RFC822.HEADER": "HEADER", "RFC822.TEXT": "TEXT"}


class UnknownCte(InvalidInput):
    """BINARY of a part whose transfer encoding cannot be undone: ``NO [UNKNOWN-CTE]`` (RFC 3516 §4.3)."""


@dataclass(frozen=True)
class FetchPlan:
    """The attributes to answer, in order, with UID and MODSEQ added where the protocol requires them."""

    items: tuple[FetchAttribute, ...]
    needs_content: bool
    needs_raw: bool
    sets_seen: bool

    @property
    def wants_flags(self) -> bool:
        return any(isinstance(item, FetchSimple) and item.name == "FLAGS" for item in self.items)


def plan_fetch(attributes: tuple[FetchAttribute, ...], *, uid: bool, modseq: bool) -> FetchPlan:
    """``uid``: UID FETCH, whose responses always carry UID (RFC 9051 §6.4.9); ``modseq``: CHANGEDSINCE was
    given, which implies MODSEQ (RFC 7162 §3.1.4.1)."""
    items = list(dict.fromkeys(attributes))
    names = {item.name for item in items if isinstance(item, FetchSimple)}
    if uid and "UID" not in names:
        items.insert(0, FetchSimple("UID"))
    if modseq and "MODSEQ" not in names:
        items.append(FetchSimple("MODSEQ"))
    needs_content = any(isinstance(item, FetchSimple) and item.name in CONTENT_ITEMS for item in items)
    needs_raw = any(not isinstance(item, FetchSimple) or item.name in RAW_ITEMS for item in items)
    return FetchPlan(tuple(items), needs_content, needs_raw, any(item.sets_seen for item in items))


def _partial(data: bytes, partial: Partial | None) -> bytes:
    if partial is None:
        return data
    return data[partial.offset : partial.offset + partial.length]


def _body(raw: bytes, content: MessageContent, item: FetchBody) -> bytes:
    section = item.section
    spec = SectionSpec(section.part, section.text.value if section.text else None, section.fields)
    try:
        data = fetch_section(raw, content.parts, spec)
    except (NotFound, InvalidInput):
        # A part that does not exist, or HEADER/TEXT of a part that is not a message: no data.
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


def render_items(plan: FetchPlan, summary: MessageSummary, content: MessageContent | None, raw: bytes | None,
                 *, flags: bytes, add_flags: bool) -> list[tuple[str, bytes]]:
    """The ``(label, value)`` pairs of one FETCH response; ``add_flags`` appends FLAGS when the fetch set
    \\Seen and the client did not ask for FLAGS (RFC 9051 §6.4.5: the change should be reported)."""
    out: list[tuple[str, bytes]] = []
    for item in plan.items:
        if isinstance(item, FetchSimple):
            out.append((item.label, _simple(item.name, summary, content, raw, flags)))
            continue
        if content is None or raw is None:
            raise ValueError("body sections need the raw message and its part table")
        if isinstance(item, FetchBody):
            out.append((item.label, _body(raw, content, item)))
        elif isinstance(item, FetchBinary):
            out.append((item.label, _binary(raw, content, item)))
        else:
            out.append((item.label, _binary_size(raw, content, item)))
    if add_flags:
        out.append(("FLAGS", flags))
    return out
