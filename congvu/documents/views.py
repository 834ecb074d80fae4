"""The JSON shapes of documents, one definition for every adapter: ``congvu doc … --json`` and ``/api/v1/documents``
answer with the same objects (plain dicts and lists, dates and times in ISO 8601).

The CLI contract (``doc incoming``: ``arrival_number``, ``arrival_date``, ``number``, ``from``, ``subject``,
``status``; ``doc status``: ``agency``, ``status``, ``status_name``, ``at`` per recipient) lives here; fields are
only ever added.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from congvu.documents.models import (
    DocumentLink,
    FileView,
    IncomingEntry,
    OutgoingDocument,
    RecipientView,
    SignatureView,
    Signer,
)
from congvu.documents.search import Dashboard, Page

JsonObject = dict[str, Any]


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def signer_view(s: Signer) -> JsonObject:
    return {"name": s.name, "position": s.position, "competence": s.competence}


def file_view(f: FileView) -> JsonObject:
    return {"id": f.id, "role": f.role, "name": f.name, "content_type": f.content_type, "sha256": f.sha256,
            "size": f.size}


def signature_view(s: SignatureView) -> JsonObject:
    return {"file": s.file, "signer_name": s.signer_name, "issuer": s.issuer, "signing_time": iso(s.signing_time),
            "intact": s.intact, "valid": s.valid, "trusted": s.trusted, "covers_whole_file": s.covers_whole_file,
            "summary": s.summary}


def link_view(link: DocumentLink) -> JsonObject:
    return {"kind": link.kind, "document_id": link.document_id, "entry_id": link.entry_id, "reason": link.reason,
            "at": iso(link.at)}


def recipient_view(r: RecipientView) -> JsonObject:
    """Where an outgoing document stands at one recipient (``doc status``: a list of these)."""
    return {"agency": r.agency, "name": r.name, "status": r.status, "status_name": r.status_name,
            "at": iso(r.at), "sent_at": iso(r.sent_at), "transport": r.transport, "purpose": r.purpose,
            "description": r.description, "paper_required": r.paper_required, "paper_note": r.paper_note}


def outgoing_view(d: OutgoingDocument) -> JsonObject:
    return {"id": d.id, "document_id": d.document_id, "number": d.number, "agency": d.agency,
            "state": d.state.value, "type": d.doc_type, "type_name": d.type_name, "subject": d.subject,
            "place": d.place, "issued_on": iso(d.issued_on), "signer": signer_view(d.signer), "urgency": d.urgency,
            "due_date": iso(d.due_date), "signed": d.signed, "kinh_gui": list(d.kinh_gui),
            "noi_nhan": list(d.noi_nhan), "response_for": list(d.response_for), "replaces": d.replaces,
            "recipients": [recipient_view(r) for r in d.recipients], "files": [file_view(f) for f in d.files],
            "recalled_at": iso(d.recalled_at), "warnings": list(d.warnings)}


def incoming_view(e: IncomingEntry) -> JsonObject:
    """One entry of the incoming register (``doc incoming``: a list of these)."""
    return {"id": e.id, "agency": e.agency, "document_id": e.document_id, "arrival_number": e.arrival_number,
            "arrival_date": iso(e.arrival_date), "number": e.number, "from": e.from_agency,
            "from_name": e.from_name, "type_name": e.type_name, "subject": e.subject,
            "promulgation_date": iso(e.promulgation_date), "urgency": e.urgency, "due_date": iso(e.due_date),
            "arrived_at": iso(e.arrived_at), "status": e.status, "status_name": e.status_name,
            "status_at": iso(e.status_at), "handler": e.handler,
            "handling_deadline": iso(e.handling_deadline), "paper": e.paper,
            "signature_summary": e.signature_summary, "warnings": list(e.warnings), "cancelled": e.cancelled,
            "replaced_by": e.replaced_by, "links": [link_view(link) for link in e.links],
            "files": [file_view(f) for f in e.files], "signatures": [signature_view(s) for s in e.signatures]}


def incoming_page(page: Page[IncomingEntry]) -> JsonObject:
    return {"items": [incoming_view(e) for e in page.items], "total": page.total, "offset": page.offset,
            "limit": page.limit}


def outgoing_page(page: Page[OutgoingDocument]) -> JsonObject:
    return {"items": [outgoing_view(d) for d in page.items], "total": page.total, "offset": page.offset,
            "limit": page.limit}


def dashboard_view(board: Dashboard) -> JsonObject:
    return {"agency": board.agency, "year": board.year, "incoming_total": board.incoming_total,
            "incoming_by_status": dict(board.incoming_by_status), "waiting_registration": board.waiting_registration,
            "open_incoming": board.open_incoming, "overdue": board.overdue,
            "due_within_3_days": board.due_within_3_days, "outgoing_issued": board.outgoing_issued,
            "outgoing_drafts": board.outgoing_drafts, "recipients_pending": board.recipients_pending,
            "by_month": [{"month": m, "incoming": i, "outgoing": o} for m, i, o in board.by_month]}
