"""Documents that arrive in an agency's official mailbox: what the mail server calls after a local delivery.

The mail server delivers every message as usual (the clerk sees it in the agency mailbox, DESIGN: a ``250``
means the message is durable), then hands it here. When one of the mailboxes it went to is an agency's (account
kind ``agency``) and the message carries an edXML package (:func:`congvu.documents.mail_bridge.
recognise_incoming_mail`), the package goes to the arrival entry point for that agency, exactly as if it had come
over the exchange: registered as arrived with status 01 sent back (NĐ 30/2020/NĐ-CP Điều 21.2.c), refused with 02,
caught as a duplicate (Phụ lục VI III.1.h), or applied as a status about one of our documents. Ordinary mail is
left alone.

Before the package is taken in, an outside sender that nothing serves yet is learnt in the mail agency book with
the address the message came from, so the statuses find their way back by the same road
(:mod:`congvu.documents.mail_agencies`).

:meth:`MailIntake.delivered` never raises: a fault on the documents side is logged and the package kept in
quarantine (reason ``error``) for the clerk; the mail itself is already in the mailbox either way. The statuses
the arrival queues (01 back to the sender) are sent by ``dispatch`` afterwards; the server passes a
:class:`BackgroundDispatch` so that the mail server's reply never waits on another system's transport.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import TYPE_CHECKING

from sqlalchemy import select

from congvu.documents import quarantine
from congvu.documents.mail_bridge import recognise_incoming_mail
from congvu.documents.models import Arrival
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import EdocPackage
from congvu.edxml.reader import parse_package
from congvu.errors import CongVuError
from congvu.store.database import Database
from congvu.store.schema import accounts, agencies

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService

log = logging.getLogger("congvu.documents.mail")

def might_carry_package(raw: bytes) -> bool:
    """A cheap first look: a message that never says "xml" (in any case: a content type, a file name, the
    package itself) has no XML part and cannot carry a package."""
    return b"xml" in raw.lower()


def author_address(raw: bytes) -> str | None:
    """The first address of the message's From field."""
    try:
        header = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    except (ValueError, TypeError, IndexError):
        return None
    for _name, address in getaddresses([str(v) for v in header.get_all("From", [])]):
        if "@" in address:
            return address.strip()
    return None


class BackgroundDispatch:
    """Runs ``dispatch`` on a thread of its own when called; calls during a run make one more run afterwards, so
    at most one such thread exists and nothing queued meanwhile waits for the periodic round."""

    def __init__(self, dispatch: Callable[[], object]) -> None:
        self._dispatch = dispatch
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def __call__(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, name="document-dispatch", daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                self._dispatch()
            except Exception:  # a worker boundary: the periodic round retries what is left
                log.exception("document dispatch after a mail arrival failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False


class MailIntake:
    """The documents side of local delivery (the mail server's after-delivery hook).

    Give it the document service, or ``open_docs`` and ``db``: then the service (and the PDF signature libraries
    it loads) is made only when a package actually arrives, which keeps a process that serves mail small.
    """

    def __init__(self, docs: DocumentService | None = None, *, open_docs: Callable[[], DocumentService] | None = None,
                 db: Database | None = None, dispatch: Callable[[], object] | None = None) -> None:
        if docs is None and (open_docs is None or db is None):
            raise ValueError("MailIntake needs the document service, or open_docs and db")
        self._docs = docs
        self._open_docs = open_docs
        self._lock = threading.Lock()
        if db is None:
            assert docs is not None
            db = docs.ctx.db
        self.db: Database = db
        self.dispatch = dispatch if dispatch is not None else (lambda: self.docs.dispatch())

    @property
    def docs(self) -> DocumentService:
        with self._lock:
            if self._docs is None:
                assert self._open_docs is not None
                self._docs = self._open_docs()
            return self._docs

    def agency_mailboxes(self, mailbox_ids: Sequence[int]) -> list[str]:
        """The agency codes of the agency mailboxes among ``mailbox_ids``, in the order given."""
        if not mailbox_ids:
            return []
        wanted = list(dict.fromkeys(mailbox_ids))
        with self.db.read() as conn:
            rows = conn.execute(select(accounts.c.id, agencies.c.code)
                                .join(agencies, agencies.c.id == accounts.c.agency_id)
                                .where(accounts.c.id.in_(wanted), accounts.c.kind == "agency",
                                       agencies.c.status == "active")).all()
        codes = {r.id: r.code for r in rows}
        return [codes[i] for i in wanted if i in codes]

    def might_concern(self, raw: bytes) -> bool:
        """Cheap, on the caller's thread: whether :meth:`delivered` could find anything in ``raw`` (the mail server
        skips the hand-over to a worker thread for ordinary mail)."""
        return might_carry_package(raw)

    def delivered(self, raw: bytes, mailbox_ids: Sequence[int]) -> tuple[Arrival, ...]:
        """Take in the package a message delivered to ``mailbox_ids`` carries; what became of it per agency."""
        try:
            if not might_carry_package(raw):
                return ()
            targets = self.agency_mailboxes(mailbox_ids)
            if not targets:
                return ()
            package = recognise_incoming_mail(raw)
            if package is None:
                return ()
        except Exception:  # the hook's boundary: the mail is delivered already, never lose it over this
            log.exception("could not look for an edXML package in a delivered message")
            return ()
        return self._take_in(package, raw, targets)

    def _take_in(self, package: bytes, raw: bytes, targets: list[str]) -> tuple[Arrival, ...]:
        try:
            self._learn_sender(package, raw)
        except Exception:  # learning is a convenience; the arrival must still happen
            log.exception("could not learn the sender's address of a package that came by mail")
        arrivals: list[Arrival] = []
        for code in targets:
            try:
                arrival = self.docs.arrivals.receive(package, transport="mail", for_agency=code)
            except Exception as error:
                log.exception("an edXML package that came by mail for %s could not be taken in", code)
                self._keep(package, code, error)
                continue
            arrivals.append(arrival)
            if arrival.kind != "edoc":
                break  # a status (or an unreadable package) is about the document, not the mailbox: once is enough
        try:
            self.dispatch()
        except Exception:  # what is queued stays queued for the next round
            log.exception("document dispatch after a mail arrival failed")
        return tuple(arrivals)

    def _learn_sender(self, package: bytes, raw: bytes) -> None:
        try:
            pkg = parse_package(package)
        except EdxmlError:
            return  # the arrival desk keeps it in quarantine with the reason
        if not isinstance(pkg, EdocPackage):
            return  # a status comes from an agency we sent to: its road is known
        sender = pkg.header.sender
        address = author_address(raw) or sender.email
        if not address:
            return
        with self.db.begin() as conn:
            try:
                self.docs.planner.by_code(conn, sender.organ_id)
                return  # already served (ours, a peer, or a known address)
            except CongVuError:
                pass
            learnt = self.docs.mail_agencies.learn(conn, sender.organ_id, address=address,
                                                   name=sender.organ_name or "")
        if learnt is not None:
            log.info("learnt the official address of %s: %s", learnt.code, learnt.address)

    def _keep(self, package: bytes, code: str, error: Exception) -> None:
        try:
            with self.db.begin() as conn:
                quarantine.keep(conn, self.docs.ctx, data=package, transport="mail", reason="error",
                                message=f"Lỗi khi nhận gói tin đến qua thư cho {code}: {error}",
                                message_en=f"Error taking in a package that came by mail for {code}: {error}")
        except Exception:
            log.exception("could not keep the package in quarantine either; it stays in the %s mailbox", code)
