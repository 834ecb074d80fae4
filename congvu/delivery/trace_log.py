"""The message trace ("did my mail arrive?"): every hop of a message recorded as it happens, searched by sender,
recipient, Message-ID or time, scoped to an administrator's agencies, and pruned after ``[trace]
retention_days``.

Recording costs the mail path nothing it waits on: :meth:`TraceLog.record` appends to an in-memory queue and
returns; a background thread writes what is queued to ``mail_trace`` in batches (one multi-row insert per
``flush_interval_s``, or at once when ``batch_size`` rows wait), so no message adds a commit or an fsync of its
own. If the database is unreachable the rows wait and are retried; past ``max_pending`` the oldest are dropped
and counted — a trace outage never blocks or loses mail. A crash loses at most the last interval's rows, never a
message. Searches in the same process first write what is queued, so a page always shows what has happened.

Who records what: the SMTP server (refusals at MAIL, RCPT and DATA with the reply sent; acceptance; where each
recipient's copy went), the outbound queue (queued) and its worker (each attempt's reply and the remote host,
bounces, expiry, the report to the sender), and the held-mail service (held, released, discarded). Table:
:mod:`congvu.store.schema_trace`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import delete, or_, select

from congvu.errors import ConfigError
from congvu.store.batched import BatchedInserts
from congvu.store.database import Database
from congvu.store.schema import accounts
from congvu.store.schema_trace import mail_trace

DEFAULT_RETENTION_DAYS = 90
PRUNE_EVERY_S = 6 * 3600.0
SCAN_ROWS = 5000  # rows read to find the newest matching messages


class TraceEvent(StrEnum):
    REFUSED = "refused"
    ACCEPTED = "accepted"
    STORED = "stored"
    HELD = "held"
    RELEASED = "released"
    DISCARDED = "discarded"
    QUEUED = "queued"
    DEFERRED = "deferred"
    RELAYED = "relayed"
    BOUNCED = "bounced"
    EXPIRED = "expired"
    REPORTED = "reported"


EVENT_LABELS_VI: dict[str, str] = {
    TraceEvent.REFUSED: "Bị từ chối",
    TraceEvent.ACCEPTED: "Đã nhận",
    TraceEvent.STORED: "Đã vào hộp thư",
    TraceEvent.HELD: "Bị giữ lại",
    TraceEvent.RELEASED: "Đã cho đi tiếp",
    TraceEvent.DISCARDED: "Đã huỷ",
    TraceEvent.QUEUED: "Vào hàng đợi gửi đi",
    TraceEvent.DEFERRED: "Tạm hoãn, sẽ gửi lại",
    TraceEvent.RELAYED: "Máy chủ nhận đã nhận",
    TraceEvent.BOUNCED: "Không gửi được",
    TraceEvent.EXPIRED: "Hết thời hạn gửi lại",
    TraceEvent.REPORTED: "Đã báo cho người gửi",
}
FINAL_OK = frozenset({TraceEvent.STORED, TraceEvent.RELAYED, TraceEvent.RELEASED})
FINAL_BAD = frozenset({TraceEvent.REFUSED, TraceEvent.BOUNCED, TraceEvent.EXPIRED, TraceEvent.DISCARDED})


@dataclass(frozen=True)
class TraceRecord:
    """One hop, as recorded."""

    trace_id: str
    event: TraceEvent | str
    sender: str
    recipient: str | None = None
    message_id: str | None = None
    stage: str | None = None
    code: int | None = None
    enhanced: str | None = None
    text: str | None = None
    remote_host: str | None = None
    folder: str | None = None
    client_ip: str | None = None
    listener: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class TraceHop:
    at: datetime
    event: str
    sender: str
    recipient: str | None
    stage: str | None
    code: int | None
    enhanced: str | None
    text: str | None
    remote_host: str | None
    folder: str | None
    client_ip: str | None
    listener: str | None
    trace_id: str
    message_id: str | None = None

    @property
    def label(self) -> str:
        return EVENT_LABELS_VI.get(self.event, self.event)

    @property
    def reply(self) -> str:
        """The reply or reason as one line: ``550 5.1.1 <x>: no such mailbox here``."""
        text = self.text or ""
        enhanced = self.enhanced or ""
        if enhanced and text.startswith(enhanced):  # remote replies keep their enhanced code in the text
            enhanced = ""
        parts = [str(self.code) if self.code else "", enhanced, text]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class TracedMessage:
    """Every visible hop of one message, oldest first."""

    key: str
    message_id: str | None
    sender: str
    hops: tuple[TraceHop, ...]
    trace_ids: tuple[str, ...] = field(default=())

    @property
    def first_at(self) -> datetime:
        return self.hops[0].at

    @property
    def last_at(self) -> datetime:
        return self.hops[-1].at

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.recipient for h in self.hops if h.recipient))

    def outcome(self, recipient: str) -> str:
        """The last event that says where ``recipient``'s copy stands."""
        last = [h.event for h in self.hops if h.recipient == recipient and h.event != TraceEvent.REPORTED]
        return last[-1] if last else ""

    @property
    def status(self) -> str:
        """``delivered``, ``failed``, ``partial``, ``held`` or ``pending`` over every recipient."""
        outcomes = [self.outcome(r) for r in self.recipients]
        if not outcomes:
            return "failed" if any(h.event == TraceEvent.REFUSED for h in self.hops) else "pending"
        ok = sum(o in FINAL_OK for o in outcomes)
        bad = sum(o in FINAL_BAD for o in outcomes)
        if ok == len(outcomes):
            return "delivered"
        if bad == len(outcomes):
            return "failed"
        if any(o == TraceEvent.HELD for o in outcomes):
            return "held"
        if ok and bad and ok + bad == len(outcomes):
            return "partial"
        return "pending"

    def to_json(self) -> dict[str, object]:
        return {"message_id": self.message_id, "sender": self.sender, "status": self.status,
                "trace_ids": list(self.trace_ids), "recipients": list(self.recipients),
                "hops": [{"at": h.at.isoformat(), "event": h.event, "stage": h.stage, "sender": h.sender,
                          "recipient": h.recipient, "code": h.code, "enhanced": h.enhanced, "text": h.text,
                          "remote_host": h.remote_host, "folder": h.folder, "client_ip": h.client_ip,
                          "listener": h.listener, "trace_id": h.trace_id} for h in self.hops]}


@dataclass(frozen=True)
class TraceQuery:
    sender: str = ""
    recipient: str = ""
    message_id: str = ""  # a Message-ID (brackets optional) or a queue id from a reply or a Received field
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50


class TraceSink(Protocol):
    """Where hops are recorded (a :class:`TraceLog`); both calls return at once."""

    def record(self, record: TraceRecord) -> None: ...

    def record_many(self, records: Iterable[TraceRecord]) -> None: ...


def clean_message_id(value: str | bytes | None) -> str | None:
    """A Message-ID as stored: the text between the angle brackets, at most 500 characters."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = " ".join(text.split()).strip().removeprefix("<").removesuffix(">").strip()
    return text[:500] or None


def retention_days(raw: Mapping[str, object]) -> int:
    """``[trace] retention_days`` (or ``CONGVU_TRACE_RETENTION_DAYS``); at least 1."""
    section = raw.get("trace", {})
    if not isinstance(section, Mapping):
        raise ConfigError("Mục [trace] trong congvu.toml phải là một bảng.", message_en="[trace] must be a table.")
    value = os.environ.get("CONGVU_TRACE_RETENTION_DAYS") or section.get("retention_days", DEFAULT_RETENTION_DAYS)
    try:
        days = int(str(value))
    except ValueError as exc:
        raise ConfigError(f"trace.retention_days phải là số ngày: {value!r}",
                          message_en=f"trace.retention_days must be a number of days: {value!r}") from exc
    if days < 1:
        raise ConfigError("trace.retention_days phải từ 1 trở lên.", message_en="trace.retention_days must be >= 1.")
    return days


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _row(record: TraceRecord, at: datetime) -> dict[str, object]:
    return {
        "at": record.at or at, "trace_id": record.trace_id[:40], "message_id": clean_message_id(record.message_id),
        "event": str(record.event), "stage": record.stage, "sender": (record.sender or "")[:320].lower(),
        "recipient": record.recipient[:320].lower() if record.recipient else None, "code": record.code,
        "enhanced": record.enhanced, "text": record.text[:2000] if record.text else None,
        "remote_host": record.remote_host[:300] if record.remote_host else None,
        "folder": record.folder[:100] if record.folder else None, "client_ip": record.client_ip,
        "listener": record.listener,
    }


class TraceLog:
    def __init__(self, db: Database, *, retention_days: int = DEFAULT_RETENTION_DAYS, batch_size: int = 500,
                 flush_interval_s: float = 2.0, max_pending: int = 200_000,
                 clock: Callable[[], datetime] = _now) -> None:
        self.db = db
        self.retention_days = retention_days
        self.clock = clock
        self._last_prune = 0.0
        self._writer = BatchedInserts(db, mail_trace, name="mail-trace", batch_size=batch_size,
                                      flush_interval_s=flush_interval_s, max_pending=max_pending,
                                      after_flush=self._prune_now_and_then)

    # -- recording ------------------------------------------------------------------------------------------

    def record(self, record: TraceRecord) -> None:
        """Queue one hop; never blocks on the database."""
        self.record_many((record,))

    def record_many(self, records: Iterable[TraceRecord]) -> None:
        at = self.clock()
        self._writer.add(_row(r, at) for r in records)

    @property
    def pending(self) -> int:
        return self._writer.pending

    @property
    def dropped(self) -> int:
        return self._writer.dropped

    def flush(self) -> int:
        """Write everything queued now, in batches; the number of rows written."""
        return self._writer.flush()

    def _prune_now_and_then(self) -> None:
        now = self.clock().timestamp()
        if now - self._last_prune >= PRUNE_EVERY_S:
            self._last_prune = now
            self.prune()

    def close(self) -> None:
        """Stop the background thread after writing what is queued."""
        self._writer.close()

    def prune(self, *, days: int | None = None) -> int:
        """Delete hops older than ``days`` (default: the retention setting); the number deleted."""
        cutoff = self.clock() - timedelta(days=days if days is not None else self.retention_days)
        with self.db.begin() as conn:
            return int(conn.execute(delete(mail_trace).where(mail_trace.c.at < cutoff)).rowcount or 0)

    # -- searching ------------------------------------------------------------------------------------------

    def search(self, query: TraceQuery, *, agency_ids: set[int] | frozenset[int] | None = None
               ) -> list[TracedMessage]:
        """The newest messages matching ``query``, each with its hops. ``agency_ids`` (None: the whole province)
        limits the answer to messages from or to addresses of those agencies, and hides the hops of other
        agencies' recipients unless the sender is in scope."""
        self.flush()
        t = mail_trace.c
        conditions = []
        if query.sender.strip():
            sender = query.sender.strip().lower()
            conditions.append(t.sender == "" if sender == "<>" else t.sender.contains(sender, autoescape=True))
        if query.recipient.strip():
            conditions.append(t.recipient.contains(query.recipient.strip().lower(), autoescape=True))
        if query.message_id.strip():
            wanted = clean_message_id(query.message_id) or ""
            conditions.append(or_(t.message_id == wanted, t.trace_id == wanted.upper()))
        if query.since is not None:
            conditions.append(t.at >= query.since)
        if query.until is not None:
            conditions.append(t.at < query.until)
        if agency_ids is not None:
            scoped = select(accounts.c.address).where(accounts.c.agency_id.in_(sorted(agency_ids)))
            conditions.append(or_(t.sender.in_(scoped), t.recipient.in_(scoped)))
        limit = max(1, min(query.limit, 500))
        with self.db.read() as conn:
            hits = conn.execute(select(t.trace_id, t.message_id).where(*conditions)
                                .order_by(t.at.desc(), t.id.desc()).limit(SCAN_ROWS)).all()
            trace_ids: dict[str, None] = {}
            message_ids: set[str] = set()
            for hit in hits:
                if hit.trace_id not in trace_ids and len(trace_ids) >= limit:
                    continue
                trace_ids[hit.trace_id] = None
                if hit.message_id:
                    message_ids.add(hit.message_id)
            if not trace_ids:
                return []
            related = [t.trace_id.in_(list(trace_ids))]
            if message_ids:
                related.append(t.message_id.in_(sorted(message_ids)))
            rows = conn.execute(select(mail_trace).where(or_(*related)).order_by(t.at, t.id)).all()
            in_scope: set[str] | None = None
            if agency_ids is not None:
                addresses = {r.sender for r in rows} | {r.recipient for r in rows if r.recipient}
                in_scope = {a for (a,) in conn.execute(select(accounts.c.address).where(
                    accounts.c.address.in_(sorted(addresses)), accounts.c.agency_id.in_(sorted(agency_ids))))}
        groups = _group(rows)
        out: list[TracedMessage] = []
        for group in groups:
            message = _visible(group, in_scope)
            if message is not None:
                out.append(message)
        out.sort(key=lambda m: m.last_at, reverse=True)
        return out[:limit]


def _group(rows: list[object]) -> list[list[TraceHop]]:
    """Hops tied together by their trace id or a shared Message-ID (union-find over both)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    hops: list[tuple[str, TraceHop]] = []
    for row in rows:
        r = row._mapping  # type: ignore[attr-defined]
        key = "t:" + r["trace_id"]
        if r["message_id"]:
            a, b = find(key), find("m:" + r["message_id"])
            if a != b:
                parent[a] = b
        hops.append((key, TraceHop(
            at=_utc(r["at"]), event=r["event"], sender=r["sender"], recipient=r["recipient"], stage=r["stage"],
            code=r["code"], enhanced=r["enhanced"], text=r["text"], remote_host=r["remote_host"],
            folder=r["folder"], client_ip=r["client_ip"], listener=r["listener"], trace_id=r["trace_id"],
            message_id=r["message_id"])))
    grouped: dict[str, list[TraceHop]] = {}
    for key, hop in hops:
        grouped.setdefault(find(key), []).append(hop)
    return list(grouped.values())


def _visible(hops: list[TraceHop], in_scope: set[str] | None) -> TracedMessage | None:
    if in_scope is not None and not any(h.sender in in_scope for h in hops):
        if not any(h.recipient in in_scope for h in hops):
            return None
        hops = [h for h in hops if h.recipient is None or h.recipient in in_scope]
    if not hops:
        return None
    ids = tuple(dict.fromkeys(h.trace_id for h in hops))
    sender = next((h.sender for h in hops if h.sender), "")
    message_id = next((h.message_id for h in hops if h.message_id), None)  # refusals before DATA have none
    return TracedMessage(key=ids[0], message_id=message_id, sender=sender, hops=tuple(hops), trace_ids=ids)


__all__ = ["DEFAULT_RETENTION_DAYS", "EVENT_LABELS_VI", "TraceEvent", "TraceHop", "TraceLog", "TraceQuery",
           "TraceRecord", "TraceSink", "TracedMessage", "clean_message_id", "retention_days"]
