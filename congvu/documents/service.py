"""The document services as one object, built from an opened installation.

``DocumentService`` holds the registers, outgoing and incoming documents, statuses, the arrival desk, the
quarantine, the paper policy, agency profiles, the trust list, exchange peers, the outside agencies reached by
mail, publishing and the outbox dispatcher with its transports (``local``, ``http``, ``mail``). Adapters (CLI,
web, the HTTP exchange, the mail server) call it; it calls the store and the pure packages. Operations that queue
packages (issue, register, assign, recall…) drain the outbox before they return when ``dispatch_now`` is on (the
default), so that inside one installation a document reaches its recipients and their status 01 comes back at
once; a server also runs :meth:`DocumentService.dispatch` periodically for retries.

Signing and signature checks run pyHanko's own event loop: call these methods from a worker thread, never from
inside a running asyncio loop (FastAPI runs plain ``def`` endpoints in its thread pool).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import httpx

from congvu.documents.arrival import ArrivalDesk
from congvu.documents.context import DocContext, utcnow
from congvu.documents.incoming import IncomingService
from congvu.documents.mail_agencies import MailAgencyBook
from congvu.documents.mail_bridge import MailOutbox, MailTransport, outbox_submit
from congvu.documents.models import Arrival, DraftInput, IncomingEntry, OutgoingDocument
from congvu.documents.outgoing import OutgoingService
from congvu.documents.peers import PeerService
from congvu.documents.policy import PaperPolicy
from congvu.documents.profiles import AgencyProfiles
from congvu.documents.publishing import Publisher
from congvu.documents.quarantine import Quarantine
from congvu.documents.registers import RegisterService
from congvu.documents.routing import RecipientPlanner
from congvu.documents.statuses import StatusDesk
from congvu.documents.transport import Dispatcher, DispatchReport, LocalTransport, Transport
from congvu.documents.trust import TrustList
from congvu.installation import Installation

ClientFactory = Callable[[str], httpx.Client]


def default_place(org_name: str) -> str:
    """The province's name from the organisation's (``UBND tỉnh Đồng Nai`` → ``Đồng Nai``), for the dateline."""
    lowered = org_name.lower()
    for marker in ("thành phố ", "tỉnh "):
        at = lowered.rfind(marker)
        if at >= 0:
            return org_name[at + len(marker):].strip()
    return ""


def stamp_font(inst: Installation) -> Path | None:
    """``[documents] stamp_font`` or ``CONGVU_DOCUMENTS_STAMP_FONT`` (relative to the data folder), or None."""
    value = os.environ.get("CONGVU_DOCUMENTS_STAMP_FONT") or inst.settings.raw.get("documents", {}).get("stamp_font")
    if not value:
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else inst.settings.data.root / path


class DocumentService:
    def __init__(self, ctx: DocContext, *, transports: Mapping[str, Transport] | None = None,
                 http_client: ClientFactory | None = None, dispatch_now: bool = True) -> None:
        self.ctx = ctx
        self.dispatch_now = dispatch_now
        self.registers = RegisterService(ctx)
        self.peers = PeerService(ctx)
        self.mail_agencies = MailAgencyBook(ctx)
        self.planner = RecipientPlanner(ctx, self.peers, self.mail_agencies)
        self.policy = PaperPolicy(ctx)
        self.profiles = AgencyProfiles(ctx)
        self.trust = TrustList(ctx)
        self.quarantine = Quarantine(ctx)
        self.statuses = StatusDesk(ctx, self.planner)
        self.outgoing = OutgoingService(ctx, self.registers, self.planner, self.policy, self.profiles)
        self.incoming = IncomingService(ctx, self.registers, self.statuses)
        self.arrivals = ArrivalDesk(ctx, self.incoming, self.statuses, self.trust)
        self.publisher = Publisher(ctx)
        chosen: dict[str, Transport] = {"local": LocalTransport(self._accept_local)}
        from congvu.documents.http_exchange import HttpTransport

        chosen["http"] = HttpTransport(ctx, self.peers, http_client)
        chosen.update(transports or {})
        self.dispatcher = Dispatcher(ctx, chosen)

    def _accept_local(self, data: bytes, transport: str, for_agencies: tuple[str, ...] | None) -> Arrival:
        return self.arrivals.receive(data, transport=transport, for_agencies=for_agencies)

    def add_transport(self, transport: Transport) -> None:
        """Plug a transport in, or replace the one of the same name."""
        self.dispatcher.transports[transport.name] = transport

    def dispatch(self) -> DispatchReport:
        """Send what the outbox holds (and, inside the installation, what that sending makes come back)."""
        return self.dispatcher.run()

    def _after(self) -> None:
        if self.dispatch_now:
            self.dispatcher.run()

    # -- the operations a clerk uses -------------------------------------------------------------------------

    def issue(self, draft: DraftInput, *, actor: str = "system") -> OutgoingDocument:
        """Draft, number, sign and send a document; returns it with each recipient's state."""
        doc = self.outgoing.issue_new(draft, actor=actor)
        self._after()
        return replace(self.outgoing.get(doc.document_id or ""), warnings=doc.warnings)

    def issue_draft(self, outgoing_id: int, *, actor: str = "system") -> OutgoingDocument:
        doc = self.outgoing.issue(outgoing_id, actor=actor)
        self._after()
        return replace(self.outgoing.get(doc.document_id or ""), warnings=doc.warnings)

    def receive(self, data: bytes, *, transport: str, for_agency: str | None = None,
                for_agencies: Sequence[str] | None = None) -> Arrival:
        """The arrival entry point for every transport (file import, mail, HTTP exchange); ``for_agency`` or
        ``for_agencies`` when the transport addressed the package to some of our agencies."""
        arrival = self.arrivals.receive(data, transport=transport, for_agency=for_agency, for_agencies=for_agencies)
        self._after()
        return arrival

    def register(self, entry_id: int, *, actor: str = "system") -> IncomingEntry:
        entry = self.incoming.register(entry_id, actor=actor)
        self._after()
        return entry

    def assign(self, entry_id: int, *, to_unit: str | None = None, to_person: str | None = None,
               instruction: str = "", deadline: date | None = None, actor: str = "system") -> IncomingEntry:
        entry = self.incoming.assign(entry_id, to_unit=to_unit, to_person=to_person, instruction=instruction,
                                     deadline=deadline, actor=actor)
        self._after()
        return entry

    def start(self, entry_id: int, *, note: str = "", actor: str = "system") -> IncomingEntry:
        entry = self.incoming.start(entry_id, note=note, actor=actor)
        self._after()
        return entry

    def done(self, entry_id: int, *, note: str = "", actor: str = "system") -> IncomingEntry:
        entry = self.incoming.done(entry_id, note=note, actor=actor)
        self._after()
        return entry

    def reject(self, entry_id: int, *, reason: str, actor: str = "system") -> IncomingEntry:
        entry = self.incoming.reject(entry_id, reason=reason, actor=actor)
        self._after()
        return entry

    def recall(self, document_id: str, *, reason: str, actor: str = "system") -> OutgoingDocument:
        doc = self.outgoing.recall(document_id, reason=reason, actor=actor)
        self._after()
        return self.outgoing.get(doc.document_id or document_id)

    def answer_recall(self, entry_id: int, *, accept: bool, note: str = "", actor: str = "system") -> IncomingEntry:
        entry = self.incoming.answer_recall(entry_id, accept=accept, note=note, actor=actor)
        self._after()
        return entry


def documents_for(inst: Installation, *, clock: Callable[[], datetime] = utcnow,
                  transports: Mapping[str, Transport] | None = None, http_client: ClientFactory | None = None,
                  dispatch_now: bool = True, outbound: MailOutbox | None = None) -> DocumentService:
    """The document services of an opened installation.

    Packages for agencies reached by mail go into ``outbound`` (pass the queue the delivery worker watches, so
    it wakes at once); without it, into the installation's outbound queue opened at the first such package.
    """
    ctx = DocContext(db=inst.db, blobs=inst.blobs, directory=inst.directory, data_root=inst.settings.data.root,
                     default_place=default_place(inst.settings.org_name), stamp_font=stamp_font(inst), clock=clock)
    opened: list[MailOutbox] = [outbound] if outbound is not None else []

    def outbox() -> MailOutbox:
        if not opened:
            from congvu.delivery.queue import OutboundQueue

            opened.append(OutboundQueue(inst))
        return opened[0]

    chosen: dict[str, Transport] = {"mail": MailTransport(ctx, outbox_submit(outbox))}
    chosen.update(transports or {})
    return DocumentService(ctx, transports=chosen, http_client=http_client, dispatch_now=dispatch_now)
