"""The durable outbound queue: messages accepted for recipients outside the installation, until delivered,
failed permanently or expired.

:meth:`OutboundQueue.enqueue` is what the SMTP server calls for non-local recipients: it prepares the bytes
(:mod:`congvu.delivery.signing`), writes the blob (fsynced) and commits one message row and one row per
recipient before returning, so the ``250`` after DATA may be sent (RFC 5321 §4.1.1.4, §6.1). The worker
(:mod:`congvu.delivery.worker`) claims due recipients through :meth:`OutboundQueue.claim_due`, whose lease lets
several processes share one database. Administrators list, retry and delete entries (``congvu queue``).
Tables: :mod:`congvu.store.schema_delivery`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, insert, select, update

from congvu.config.settings import Settings
from congvu.delivery import queue_trace
from congvu.delivery.clock import Clock, SystemClock
from congvu.delivery.config import DeliverySettings, delivery_settings
from congvu.delivery.dsnparams import NO_REQUEST, NOT_SAID, DsnEnvelope, DsnRecipient
from congvu.delivery.signing import DkimKey, prepare_outgoing
from congvu.delivery.trace_log import TraceSink
from congvu.errors import InvalidInput, NotFound
from congvu.mail.fields import split_header
from congvu.store.blobs import BlobStore
from congvu.store.database import Database
from congvu.store.schema_delivery import outbound_messages, outbound_recipients

QUEUED, DELIVERED, FAILED = "queued", "delivered", "failed"
LEASE_S = 900.0
"""How long a claimed recipient stays with the worker that claimed it before another may try it."""


class QueueHost(Protocol):
    """What the queue needs from an installation (an :class:`congvu.installation.Installation` has it all)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def blobs(self) -> BlobStore: ...


@dataclass(frozen=True)
class QueuedRecipient:
    id: int
    queue_id: int
    recipient: str
    domain: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_code: int | None
    last_enhanced: str | None
    last_error: str | None
    remote_host: str | None
    finished_at: datetime | None
    dsn: DsnRecipient = NOT_SAID
    remote_dsn: bool | None = None  # the next hop offered DSN (it reports on this recipient from now on)
    delay_notified: bool = False


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    mail_from: str
    blob_sha256: str
    size: int
    submitted_by: int | None
    message_id: str | None
    is_report: bool
    created_at: datetime
    expires_at: datetime
    recipients: tuple[QueuedRecipient, ...]
    dsn: DsnEnvelope = NO_REQUEST


@dataclass(frozen=True)
class Batch:
    """Recipients of one message in one domain, claimed together: one SMTP transaction delivers them."""

    message: QueuedMessage
    domain: str
    recipients: tuple[QueuedRecipient, ...]


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient in one attempt."""

    recipient_id: int
    status: str  # delivered | failed | retry
    code: int | None
    enhanced: str | None
    text: str
    remote_host: str | None = None
    remote_dsn: bool | None = None


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _recipient(row: object) -> QueuedRecipient:
    r = row._mapping  # type: ignore[attr-defined]
    return QueuedRecipient(
        id=r["id"], queue_id=r["message_id"], recipient=r["recipient"], domain=r["domain"], status=r["status"],
        attempts=r["attempts"], next_attempt_at=_utc(r["next_attempt_at"]),
        last_attempt_at=_utc(r["last_attempt_at"]) if r["last_attempt_at"] else None,
        last_code=r["last_code"], last_enhanced=r["last_enhanced"], last_error=r["last_error"],
        remote_host=r["remote_host"], finished_at=_utc(r["finished_at"]) if r["finished_at"] else None,
        dsn=DsnRecipient.stored(r["dsn_notify"], r["dsn_orcpt"]), remote_dsn=r["remote_dsn"],
        delay_notified=bool(r["delay_notified"]))


def _message(row: object, recipients: tuple[QueuedRecipient, ...]) -> QueuedMessage:
    m = row._mapping  # type: ignore[attr-defined]
    return QueuedMessage(
        id=m["id"], mail_from=m["mail_from"], blob_sha256=m["blob_sha256"], size=m["size"],
        submitted_by=m["submitted_by"], message_id=m["message_id"], is_report=bool(m["is_report"]),
        created_at=_utc(m["created_at"]), expires_at=_utc(m["expires_at"]), recipients=recipients,
        dsn=DsnEnvelope(m["dsn_ret"], m["dsn_envid"]))


def _check_address(address: str, what: str) -> str:
    text = address.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>" for c in text) or len(text) > 320:
        raise InvalidInput(f"Địa chỉ {what} không hợp lệ: {address!r}", message_en=f"Invalid {what} {address!r}",
                           field=what)
    return f"{local}@{domain.lower().rstrip('.')}"


class OutboundQueue:
    """The outbound queue over an installation's database and blob store."""

    def __init__(self, host: QueueHost, *, clock: Clock | None = None) -> None:
        self.db = host.db
        self.blobs = host.blobs
        self.settings: DeliverySettings = delivery_settings(host.settings)
        self.clock: Clock = clock or SystemClock()
        self.dkim_key = DkimKey.load(host.settings.dkim_selector, host.settings.dkim_key)
        self.trace: TraceSink | None = getattr(host, "trace", None)  # the installation's message trace
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    # -- accepting ------------------------------------------------------------------------------------------

    def add_listener(self, callback: Callable[[], None]) -> None:
        """``callback()`` runs (in the enqueuing thread) after each commit; the worker uses it to wake up."""
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def enqueue(self, *, mail_from: str, recipients: Sequence[str], raw: bytes, submitted_by: int | None,
                client: str | None = None, protocol: str = "ESMTPSA", dsn: DsnEnvelope | None = None,
                recipient_dsn: Mapping[str, DsnRecipient] | None = None) -> int:
        """Queue ``raw`` for ``recipients``; durable (blob fsynced, rows committed) when it returns the id.

        ``mail_from`` is the envelope sender (``""`` for the null reverse-path). ``client`` describes the
        connection for the ``Received`` field (``"helo (rdns [ip])"``) when the caller has not added its own.
        ``dsn`` and ``recipient_dsn`` (by recipient address) are the sender's RFC 3461 request.
        """
        sender = "" if mail_from.strip() in ("", "<>") else _check_address(mail_from, "người gửi")
        targets = tuple(dict.fromkeys(_check_address(r, "người nhận") for r in recipients))
        if not targets:
            raise InvalidInput("Thư không có người nhận.", message_en="No recipients.", field="recipients")
        now = self.clock.now()
        prepared = prepare_outgoing(raw, hostname=self.settings.hostname, local_domains=self.settings.local_domains,
                                    mail_from=sender, recipients=targets, now=now, key=self.dkim_key,
                                    client=client, protocol=protocol)
        wanted = {_check_address(address, "người nhận"): request for address, request in (recipient_dsn or {}).items()}
        return self._store(sender, targets, prepared, submitted_by=submitted_by, is_report=False, now=now,
                           dsn=dsn or NO_REQUEST, recipient_dsn=wanted)

    def enqueue_report(self, *, recipient: str, raw: bytes) -> int:
        """Queue a delivery status notification we generated: null sender, never bounced itself (RFC 3464
        §2, RFC 5321 §4.5.5)."""
        now = self.clock.now()
        prepared = prepare_outgoing(raw, hostname=self.settings.hostname, local_domains=self.settings.local_domains,
                                    mail_from="", recipients=(recipient,), now=now, key=self.dkim_key,
                                    protocol="LOCAL")
        return self._store("", (_check_address(recipient, "người nhận"),), prepared, submitted_by=None,
                           is_report=True, now=now)

    def _store(self, sender: str, targets: tuple[str, ...], prepared: bytes, *, submitted_by: int | None,
               is_report: bool, now: datetime, dsn: DsnEnvelope = NO_REQUEST,
               recipient_dsn: Mapping[str, DsnRecipient] | None = None) -> int:
        ref = self.blobs.put(prepared)  # fsynced before the rows pointing at it commit
        message_id = split_header(prepared).value("message-id")
        with self.db.begin() as conn:
            queue_id = conn.execute(insert(outbound_messages).values(
                mail_from=sender, blob_sha256=ref.sha256, size=ref.size, submitted_by=submitted_by,
                message_id=message_id.decode("latin-1")[:998] if message_id else None, is_report=is_report,
                created_at=now, expires_at=now + timedelta(seconds=self.settings.expire_s),
                dsn_ret=dsn.ret, dsn_envid=dsn.envid,
            ).returning(outbound_messages.c.id)).scalar_one()
            requests = recipient_dsn or {}
            conn.execute(insert(outbound_recipients), [
                {"message_id": queue_id, "recipient": target, "domain": target.rpartition("@")[2],
                 "status": QUEUED, "attempts": 0, "next_attempt_at": now,
                 "dsn_notify": requests[target].notify_text if target in requests else None,
                 "dsn_orcpt": requests[target].orcpt if target in requests else None,
                 "delay_notified": False} for target in targets])
        queue_trace.queued(self.trace, int(queue_id), sender=sender, recipients=targets,
                           message_id=message_id.decode("latin-1") if message_id else None, is_report=is_report)
        self.wake()
        return int(queue_id)

    def wake(self) -> None:
        """Run every listener: mail was queued (here, or in another process of the same server)."""
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()

    # -- reading --------------------------------------------------------------------------------------------

    def list(self, *, status: str | None = None, limit: int | None = None) -> tuple[QueuedMessage, ...]:
        """Messages in the queue, oldest first; with ``status``, only those having a recipient in it."""
        with self.db.read() as conn:
            query = select(outbound_messages).order_by(outbound_messages.c.id)
            if status is not None:
                query = query.where(outbound_messages.c.id.in_(
                    select(outbound_recipients.c.message_id).where(outbound_recipients.c.status == status)))
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).all()
            ids = [row.id for row in rows]
            by_message: dict[int, list[QueuedRecipient]] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(select(outbound_recipients).where(outbound_recipients.c.message_id.in_(ids))
                                      .order_by(outbound_recipients.c.id)):
                    by_message[r.message_id].append(_recipient(r))
        return tuple(_message(row, tuple(by_message[row.id])) for row in rows)

    def get(self, queue_id: int) -> QueuedMessage:
        with self.db.read() as conn:
            row = conn.execute(select(outbound_messages).where(outbound_messages.c.id == queue_id)).first()
            if row is None:
                raise NotFound(f"Không có thư số {queue_id} trong hàng đợi gửi đi.",
                               message_en=f"No message {queue_id} in the outbound queue.")
            recipients = tuple(_recipient(r) for r in conn.execute(
                select(outbound_recipients).where(outbound_recipients.c.message_id == queue_id)
                .order_by(outbound_recipients.c.id)))
        return _message(row, recipients)

    def read(self, message: QueuedMessage) -> bytes:
        return self.blobs.get(message.blob_sha256)

    # -- administration -------------------------------------------------------------------------------------

    def retry(self, queue_id: int | None = None) -> int:
        """Make queued recipients (of one message, or all) due now; the number made due."""
        query = (update(outbound_recipients).where(outbound_recipients.c.status == QUEUED)
                 .values(next_attempt_at=self.clock.now()))
        if queue_id is not None:
            self.get(queue_id)
            query = query.where(outbound_recipients.c.message_id == queue_id)
        with self.db.begin() as conn:
            count = conn.execute(query).rowcount
        self.wake()
        return int(count)

    def delete(self, queue_id: int) -> None:
        """Remove a message from the queue without delivering it or notifying its sender."""
        self.get(queue_id)
        self.remove(queue_id)

    # -- the worker's side ----------------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the earliest queued recipient becomes due."""
        with self.db.read() as conn:
            value = conn.execute(select(outbound_recipients.c.next_attempt_at)
                                 .where(outbound_recipients.c.status == QUEUED)
                                 .order_by(outbound_recipients.c.next_attempt_at).limit(1)).scalar()
        return _utc(value) if value is not None else None

    def claim_due(self, *, limit: int = 200, lease_s: float = LEASE_S) -> tuple[Batch, ...]:
        """Claim recipients due now (moving their next attempt ``lease_s`` ahead), grouped by message and domain."""
        now = self.clock.now()
        lease_until = now + timedelta(seconds=lease_s)
        claimed: list[QueuedRecipient] = []
        with self.db.begin() as conn:
            rows = conn.execute(select(outbound_recipients)
                                .where(outbound_recipients.c.status == QUEUED,
                                       outbound_recipients.c.next_attempt_at <= now)
                                .order_by(outbound_recipients.c.next_attempt_at, outbound_recipients.c.id)
                                .limit(limit)).all()
            for row in rows:
                # Compare-and-set on the old time: another process that claimed the row first wins.
                done = conn.execute(update(outbound_recipients)
                                    .where(outbound_recipients.c.id == row.id,
                                           outbound_recipients.c.status == QUEUED,
                                           outbound_recipients.c.next_attempt_at == row.next_attempt_at)
                                    .values(next_attempt_at=lease_until)).rowcount
                if done:
                    claimed.append(_recipient(row))
            messages = {}
            ids = sorted({r.queue_id for r in claimed})
            if ids:
                for m in conn.execute(select(outbound_messages).where(outbound_messages.c.id.in_(ids))):
                    messages[m.id] = m
        groups: dict[tuple[int, str], list[QueuedRecipient]] = {}
        for r in claimed:
            groups.setdefault((r.queue_id, r.domain), []).append(r)
        return tuple(Batch(_message(messages[qid], ()), domain, tuple(rs)) for (qid, domain), rs in groups.items())

    def record(self, outcomes: Sequence[Outcome], *, next_attempt_at: dict[int, datetime]) -> None:
        """Store the outcome of an attempt; ``next_attempt_at`` gives the retry time of each ``retry`` outcome."""
        now = self.clock.now()
        with self.db.begin() as conn:
            for outcome in outcomes:
                values: dict[str, object] = {
                    "attempts": outbound_recipients.c.attempts + 1, "last_attempt_at": now,
                    "last_code": outcome.code, "last_enhanced": outcome.enhanced,
                    "last_error": outcome.text[:2000], "remote_host": outcome.remote_host,
                    "remote_dsn": outcome.remote_dsn}
                if outcome.status == "retry":
                    values["next_attempt_at"] = next_attempt_at[outcome.recipient_id]
                else:
                    values["status"] = outcome.status
                    values["finished_at"] = now
                conn.execute(update(outbound_recipients).where(outbound_recipients.c.id == outcome.recipient_id)
                             .values(**values))

    def settled(self, queue_ids: Sequence[int] | None = None) -> tuple[QueuedMessage, ...]:
        """Messages (of ``queue_ids``, or all) none of whose recipients is still queued: their failures are
        reported, then they are removed. A worker that stopped between the two finds them here again."""
        with self.db.read() as conn:
            pending = select(outbound_recipients.c.message_id).where(outbound_recipients.c.status == QUEUED)
            query = select(outbound_messages.c.id).where(outbound_messages.c.id.not_in(pending))
            if queue_ids is not None:
                query = query.where(outbound_messages.c.id.in_(sorted(set(queue_ids))))
            ids = [row.id for row in conn.execute(query.order_by(outbound_messages.c.id))]
        return tuple(self.get(queue_id) for queue_id in ids)

    def delayed(self, *, older_than_s: float, limit: int = 500) -> tuple[QueuedMessage, ...]:
        """Messages queued more than ``older_than_s`` ago with recipients still waiting whose sender should now
        hear of the delay (RFC 3461 §4.1 NOTIFY=DELAY, or no NOTIFY) and has not yet; only those recipients."""
        cutoff = self.clock.now() - timedelta(seconds=older_than_s)
        with self.db.read() as conn:
            rows = conn.execute(
                select(outbound_recipients)
                .join(outbound_messages, outbound_messages.c.id == outbound_recipients.c.message_id)
                .where(outbound_recipients.c.status == QUEUED, outbound_recipients.c.delay_notified.is_(False),
                       outbound_recipients.c.attempts > 0, outbound_messages.c.created_at <= cutoff,
                       outbound_messages.c.is_report.is_(False), outbound_messages.c.mail_from != "")
                .order_by(outbound_recipients.c.id).limit(limit)).all()
            by_message: dict[int, list[QueuedRecipient]] = {}
            for row in rows:
                recipient = _recipient(row)
                if recipient.dsn.wants("DELAY"):
                    by_message.setdefault(recipient.queue_id, []).append(recipient)
            messages = conn.execute(select(outbound_messages).where(outbound_messages.c.id.in_(sorted(by_message)))
                                    .order_by(outbound_messages.c.id)).all() if by_message else []
        return tuple(_message(m, tuple(by_message[m.id])) for m in messages)

    def mark_delay_notified(self, recipient_ids: Sequence[int]) -> None:
        with self.db.begin() as conn:
            conn.execute(update(outbound_recipients).where(outbound_recipients.c.id.in_(list(recipient_ids)))
                         .values(delay_notified=True))

    def remove(self, queue_id: int) -> None:
        """Forget a settled message (its blob is left to the blob collector)."""
        with self.db.begin() as conn:
            conn.execute(delete(outbound_recipients).where(outbound_recipients.c.message_id == queue_id))
            conn.execute(delete(outbound_messages).where(outbound_messages.c.id == queue_id))


__all__ = ["DELIVERED", "FAILED", "QUEUED", "Batch", "OutboundQueue", "Outcome", "QueueHost", "QueuedMessage",
           "QueuedRecipient"]
