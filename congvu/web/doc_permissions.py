"""Who may see and act on an agency's documents in the web.

An agency's documents are open to its clerks (văn thư) and leaders, to the administrators of the agency or of an
agency above it, and to the province's administrators; they may register, assign, handle, issue and recall. A
person to whom an incoming document was assigned (Chuyển … to them by name) may open that document and report
that they are working on it and that it is done, nothing else. Everyone else is refused with a page that names
the agency (agency names are public in the directory) but never shows a document: an incoming or outgoing
document of an agency the viewer may not act for answers "not found" whatever its id.
"""

from __future__ import annotations

from dataclasses import dataclass

from congvu.directory.models import Agency, Role
from congvu.documents.models import IncomingEntry, OutgoingDocument
from congvu.errors import NotFound, PermissionDenied
from congvu.web.context import Viewer, WebContext

ACTING_ROLES = frozenset({Role.CLERK, Role.LEADER})
MAX_LANDING_AGENCIES = 12


def person_label(full_name: str, address: str) -> str:
    """How a person is written as the handler of an assignment: ``Họ tên (địa chỉ)``; the address finds them."""
    return f"{full_name} ({address})"


def is_assignee(viewer: Viewer, entry: IncomingEntry) -> bool:
    return bool(entry.handler) and f"({viewer.address})" in (entry.handler or "")


def may_act(viewer: Viewer, agency: Agency) -> bool:
    if viewer.scope.province or viewer.scope.covers(agency.id):
        return True
    return any(g.role in ACTING_ROLES and g.agency_code == agency.code for g in viewer.account.roles)


def agency_or_404(web: WebContext, code: str) -> Agency:
    agency = web.directory.agencies.show(code)
    if agency.code != code.strip().upper():
        # Only the code addresses a register page: a name or short name would make many URLs for one page.
        raise NotFound(f"Không có cơ quan mã «{code}».", message_en=f"No agency with code {code!r}.")
    return agency


def require_agency(web: WebContext, viewer: Viewer, code: str) -> Agency:
    """The agency if the viewer may act for it; 404 for an unknown code, 403 naming the agency otherwise."""
    agency = agency_or_404(web, code)
    if not may_act(viewer, agency):
        raise PermissionDenied(
            f"Bạn không có quyền xem văn bản của «{agency.name}». Sổ văn bản chỉ mở cho văn thư, lãnh đạo và "
            "quản trị của cơ quan.",
            message_en=f"You may not see the documents of {agency.name}: registers are open to the agency's "
                       "clerks, leaders and administrators.")
    return agency


def _entry_not_found(entry_id: int) -> NotFound:
    return NotFound(f"Không có văn bản đến số {entry_id} trong sổ của cơ quan này, hoặc bạn không được giao xử lý.",
                    message_en=f"No incoming document {entry_id} in this agency's register, or it is not assigned "
                               "to you.")


@dataclass(frozen=True)
class EntryAccess:
    entry: IncomingEntry
    agency: Agency
    acts: bool  # clerk, leader or administrator of the agency: every step
    assignee: bool  # assigned to the viewer by name: may report progress and completion


def entry_access(web: WebContext, viewer: Viewer, code: str, entry_id: int) -> EntryAccess:
    """An incoming entry of ``code`` the viewer may open; 404 for anything else (its existence does not leak)."""
    agency = agency_or_404(web, code)
    try:
        entry = web.docs.incoming.get(entry_id)
    except NotFound:
        raise _entry_not_found(entry_id) from None
    if entry.agency != agency.code:
        raise _entry_not_found(entry_id)
    acts = may_act(viewer, agency)
    assignee = is_assignee(viewer, entry)
    if not acts and not assignee:
        raise _entry_not_found(entry_id)
    return EntryAccess(entry, agency, acts, assignee)


def require_acts(access: EntryAccess) -> None:
    if not access.acts:
        raise PermissionDenied("Chỉ văn thư, lãnh đạo hoặc quản trị của cơ quan được làm việc này; người được giao "
                               "xử lý chỉ báo đang xử lý và hoàn thành.",
                               message_en="Only the agency's clerks, leaders or administrators may do this; the "
                                          "person assigned only reports progress and completion.")


def outgoing_access(web: WebContext, viewer: Viewer, code: str, outgoing_id: int) -> tuple[Agency, OutgoingDocument]:
    agency = require_agency(web, viewer, code)
    try:
        doc = web.docs.outgoing.get_by_id(outgoing_id)
    except NotFound:
        doc = None
    if doc is None or doc.agency != agency.code:
        raise NotFound(f"Không có văn bản đi số {outgoing_id} trong sổ của «{agency.name}».",
                       message_en=f"No outgoing document {outgoing_id} in the register of {agency.name}.")
    return agency, doc


def acting_agencies(web: WebContext, viewer: Viewer) -> tuple[list[Agency], list[Agency]]:
    """The agencies shown on the landing page with their figures (where the viewer has a role, at most
    :data:`MAX_LANDING_AGENCIES`), and the other agencies they may open (an administrator's wider scope)."""
    agencies = web.directory.agencies
    primary_codes: list[str] = []
    for g in viewer.account.roles:
        if g.agency_code and g.role in (*ACTING_ROLES, Role.AGENCY_ADMIN) and g.agency_code not in primary_codes:
            primary_codes.append(g.agency_code)
    if viewer.scope.province and viewer.account.agency_code and viewer.account.agency_code not in primary_codes:
        primary_codes.append(viewer.account.agency_code)
    primary: list[Agency] = []
    for code in primary_codes:
        try:
            agency = agencies.show(code)
        except NotFound:
            continue
        if agency.status == "active" and may_act(viewer, agency):
            primary.append(agency)
    primary = primary[:MAX_LANDING_AGENCIES]
    shown = {a.code for a in primary}
    others: list[Agency] = []
    if viewer.scope.is_admin:
        if viewer.scope.province:
            pool = agencies.list()
        else:
            pool = [a for root in viewer.scope.root_codes for a in agencies.list(under=root)]
        seen: set[str] = set()
        for agency in pool:
            if agency.code not in shown and agency.code not in seen:
                seen.add(agency.code)
                others.append(agency)
    return primary, others


def assigned_to(web: WebContext, viewer: Viewer) -> list[IncomingEntry]:
    """Incoming documents assigned to the viewer by name, in their agency and the agencies above it."""
    code = viewer.account.agency_code
    found: list[IncomingEntry] = []
    agencies = web.directory.agencies
    while code:
        try:
            agency = agencies.show(code)
        except NotFound:
            break
        found.extend(e for e in web.docs.incoming.list(agency.code) if is_assignee(viewer, e))
        code = agency.parent_code
    return found
