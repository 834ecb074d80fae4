"""Finding documents in an agency's registers: filters, diacritic-insensitive search, the overdue list and the
figures of an agency's dashboard.

Registers hold a few thousand entries a year per agency, so the filters run over the register as the services
return it (already in register order) rather than in SQL: the same folding (:func:`congvu.vntext.fold.fold`) then
applies to every field, whatever the database. Web pages, the API and the CLI all search through here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from congvu.clerical.status_codes import StatusCode
from congvu.documents.models import IncomingEntry, OutgoingDocument, OutgoingState
from congvu.vntext.fold import fold

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService

# Incoming entries still in the clerk's or a handler's hands; anything else is closed (done, refused, recalled).
OPEN_STATUSES = frozenset({StatusCode.ARRIVED.value, StatusCode.ACCEPTED.value, StatusCode.ASSIGNED.value,
                           StatusCode.PROCESSING.value, StatusCode.RECALL_REFUSED.value})


@dataclass(frozen=True)
class RegisterQuery:
    """What to look for in one agency's register. ``q`` matches, without regard to diacritics or case, the
    number/symbol, the subject, the other agency's code and name and the handler; every word must match."""

    agency: str
    year: int | None = None
    q: str = ""
    status: str | None = None  # incoming: an edXML status code; outgoing: draft | issued | recalled
    from_date: date | None = None
    to_date: date | None = None
    limit: int = 200
    offset: int = 0


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


def _words(q: str) -> tuple[str, ...]:
    return tuple(w for w in fold(q).split() if w)


def _matches(words: Sequence[str], fields: Iterable[str | None]) -> bool:
    if not words:
        return True
    haystack = " ".join(fold(f) for f in fields if f)
    return all(w in haystack for w in words)


def _page(found: list[T], query: RegisterQuery) -> Page[T]:
    start = max(query.offset, 0)
    limit = max(min(query.limit, 1000), 1)
    return Page(items=tuple(found[start:start + limit]), total=len(found), offset=start, limit=limit)


def incoming_day(entry: IncomingEntry) -> date:
    """The day an entry counts for: its ĐẾN date once registered, its arrival otherwise."""
    return entry.arrival_date or entry.arrived_at.date()


def search_incoming(docs: DocumentService, query: RegisterQuery) -> Page[IncomingEntry]:
    words = _words(query.q)
    found = [e for e in docs.incoming.list(query.agency, year=query.year, status=query.status)
             if _matches(words, (e.number, e.subject, e.from_agency, e.from_name, e.type_name, e.handler,
                                 str(e.arrival_number or "")))
             and (query.from_date is None or incoming_day(e) >= query.from_date)
             and (query.to_date is None or incoming_day(e) <= query.to_date)]
    return _page(found, query)


def search_outgoing(docs: DocumentService, query: RegisterQuery) -> Page[OutgoingDocument]:
    words = _words(query.q)
    states = (OutgoingState(query.status),) if query.status else ()
    found = [d for d in docs.outgoing.list(query.agency, year=query.year, states=states)
             if _matches(words, (d.number, d.subject, d.type_name, d.drafting_unit, d.signer.name,
                                 *d.kinh_gui, *(r.agency for r in d.recipients), *(r.name for r in d.recipients)))
             and (query.from_date is None or (d.issued_on is not None and d.issued_on >= query.from_date))
             and (query.to_date is None or (d.issued_on is not None and d.issued_on <= query.to_date))]
    return _page(found, query)


def is_overdue(entry: IncomingEntry, today: date) -> bool:
    """Still open and past its handling deadline (set at assignment) or, lacking one, the document's own deadline."""
    deadline = entry.handling_deadline or entry.due_date
    return (not entry.cancelled and entry.status in OPEN_STATUSES and deadline is not None and deadline < today)


def _late(entries: Iterable[IncomingEntry], today: date) -> list[IncomingEntry]:
    late = [e for e in entries if is_overdue(e, today)]
    late.sort(key=lambda e: (e.handling_deadline or e.due_date or today, e.id))
    return late


def overdue(docs: DocumentService, agency: str, today: date) -> list[IncomingEntry]:
    """Open incoming documents past their deadline, the most late first."""
    return _late(docs.incoming.list(agency), today)


@dataclass(frozen=True)
class Dashboard:
    """An agency's document work at a glance."""

    agency: str
    year: int
    incoming_total: int
    incoming_by_status: dict[str, int]
    waiting_registration: int  # arrived, not yet given a số đến
    open_incoming: int
    overdue: int
    due_within_3_days: int
    outgoing_issued: int
    outgoing_drafts: int
    recipients_pending: int  # recipients of issued documents that have not yet reported "accepted" or beyond
    by_month: list[tuple[int, int, int]] = field(default_factory=list)  # (month, incoming, outgoing)
    late: tuple[IncomingEntry, ...] = ()  # the overdue list (every year), read with the rest


_ACKNOWLEDGED = frozenset({StatusCode.ACCEPTED.value, StatusCode.ASSIGNED.value, StatusCode.PROCESSING.value,
                           StatusCode.DONE.value, StatusCode.REJECTED.value, StatusCode.RECALL_ACCEPTED.value,
                           StatusCode.RECALL_REFUSED.value})


def dashboard(docs: DocumentService, agency: str, today: date) -> Dashboard:
    register = docs.incoming.list(agency)
    incoming = [e for e in register if incoming_day(e).year == today.year]
    outgoing = [d for d in docs.outgoing.list(agency)
                if (d.issued_on or today).year == today.year]
    by_status = Counter(e.status for e in incoming if not e.cancelled)
    open_entries = [e for e in incoming if not e.cancelled and e.status in OPEN_STATUSES]
    soon = 0
    for e in open_entries:
        deadline = e.handling_deadline or e.due_date
        if deadline is not None and today <= deadline and (deadline - today).days <= 3:
            soon += 1
    issued = [d for d in outgoing if d.state == OutgoingState.ISSUED]
    pending = sum(1 for d in issued for r in d.recipients if r.status not in _ACKNOWLEDGED)
    months_in: Counter[int] = Counter(incoming_day(e).month for e in incoming)
    months_out: Counter[int] = Counter(d.issued_on.month for d in issued if d.issued_on is not None)
    return Dashboard(
        agency=agency, year=today.year, incoming_total=len(incoming),
        incoming_by_status=dict(sorted(by_status.items())),
        waiting_registration=sum(1 for e in incoming if e.arrival_number is None and not e.cancelled
                                 and e.status == StatusCode.ARRIVED.value),
        open_incoming=len(open_entries), overdue=sum(1 for e in open_entries if is_overdue(e, today)),
        due_within_3_days=soon, outgoing_issued=len(issued),
        outgoing_drafts=sum(1 for d in outgoing if d.state == OutgoingState.DRAFT),
        recipients_pending=pending,
        by_month=[(m, months_in[m], months_out[m]) for m in range(1, today.month + 1)],
        late=tuple(_late(register, today)))
