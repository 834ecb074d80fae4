"""Storage-level search and sort criteria: what :meth:`MailStore.search` and :meth:`MailStore.sort` evaluate.

These are independent of the IMAP wire: message sequence numbers, the saved result ``$`` (RFC 5182) and the
session-only ``\\Recent`` flag are turned into explicit UID sets by the caller
(:func:`congvu.mailstore.imapsearch.from_imap` does that for the IMAP server). The webmail builds the same
values directly.

Text criteria are substring matches (RFC 9051 §6.4.4) made insensitive to case and Vietnamese diacritics: the
needle and the stored text are both put through :func:`congvu.vntext.fold.fold` ("cong van" finds "Công văn",
"đ" matches "d"), and the database's text index finds the candidates (see :mod:`congvu.mailstore.textsearch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TextField(StrEnum):
    """Where a text criterion looks."""

    SUBJECT = "subject"  # SUBJECT
    FROM = "from"  # FROM: display names and addresses of From
    TO = "to"  # TO
    CC = "cc"  # CC
    BCC = "bcc"  # BCC
    HEADERS = "headers"  # any header field (trace and signature fields are not indexed)
    BODY = "body"  # BODY: the text of the body parts
    TEXT = "text"  # TEXT: headers or body


class DateField(StrEnum):
    INTERNAL = "internal"  # BEFORE, ON, SINCE: the INTERNALDATE
    SENT = "sent"  # SENTBEFORE, SENTON, SENTSINCE: the Date header field


class DateCompare(StrEnum):
    BEFORE = "before"
    ON = "on"
    SINCE = "since"


@dataclass(frozen=True)
class MatchAll:
    """Every message (IMAP ALL)."""


@dataclass(frozen=True)
class HasFlag:
    """A system flag (``\\Seen``, ``\\Answered``, ``\\Flagged``, ``\\Deleted``, ``\\Draft``) or a keyword set
    (``present``) or not set. ``\\Seen`` is the viewer's own (per-user \\Seen on shared mailboxes)."""

    flag: str
    present: bool = True


@dataclass(frozen=True)
class TextContains:
    """``value`` occurs in ``field`` (folded substring match; an empty value matches every message)."""

    field: TextField
    value: str


@dataclass(frozen=True)
class HeaderContains:
    """Header field ``name`` contains ``value``; an empty value matches every message that has the field
    (RFC 9051 §6.4.4 HEADER)."""

    name: str
    value: str


@dataclass(frozen=True)
class DateMatch:
    """A day comparison, disregarding time (RFC 9051 §6.4.4); days are those of the store's time zone for the
    internal date and of the Date header's own zone for the sent date."""

    field: DateField
    compare: DateCompare
    day: date


@dataclass(frozen=True)
class SizeMatch:
    """LARGER (``larger=True``) or SMALLER than ``size`` octets."""

    size: int
    larger: bool


@dataclass(frozen=True)
class UidIn:
    """UIDs inside the given inclusive ranges (``(low, high)`` pairs, any order)."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, uids: tuple[int, ...] | list[int] | frozenset[int] | set[int]) -> UidIn:
        return cls(tuple((uid, uid) for uid in sorted(uids)))


@dataclass(frozen=True)
class ModSeqAtLeast:
    """Messages whose mod-sequence is at least ``modseq`` (RFC 7162 §3.1.5)."""

    modseq: int


@dataclass(frozen=True)
class Not:
    criterion: Criterion


@dataclass(frozen=True)
class AnyOf:
    """OR of the criteria (an empty tuple matches nothing)."""

    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class AllOf:
    """AND of the criteria (an empty tuple matches everything)."""

    criteria: tuple[Criterion, ...]


Criterion = (
    MatchAll
    | HasFlag
    | TextContains
    | HeaderContains
    | DateMatch
    | SizeMatch
    | UidIn
    | ModSeqAtLeast
    | Not
    | AnyOf
    | AllOf
)


MATCH_ALL = MatchAll()


class SortKey(StrEnum):
    """RFC 5256 §3 sort keys, and DISPLAYFROM / DISPLAYTO of RFC 5957."""

    ARRIVAL = "arrival"  # internal date
    DATE = "date"  # sent date, the internal date when there is none
    FROM = "from"  # addr-mailbox of the first From address
    TO = "to"
    CC = "cc"
    SUBJECT = "subject"  # base subject (RFC 5256 §2.1)
    SIZE = "size"
    DISPLAYFROM = "displayfrom"  # display name of the first From address, else its address
    DISPLAYTO = "displayto"


@dataclass(frozen=True)
class SortOrder:
    key: SortKey
    reverse: bool = False


def needs_body_text(criterion: Criterion) -> bool:
    """Whether ``criterion`` looks at body text (BODY, TEXT): such a search may first fold and index the bodies
    its folder still has waiting (congvu.mailstore.textbacklog), a write."""
    if isinstance(criterion, TextContains):
        return criterion.field in (TextField.BODY, TextField.TEXT)
    if isinstance(criterion, Not):
        return needs_body_text(criterion.criterion)
    if isinstance(criterion, AnyOf | AllOf):
        return any(needs_body_text(item) for item in criterion.criteria)
    return False
