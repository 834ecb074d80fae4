"""The tables of the outbound queue: messages waiting to leave the installation and their recipients.

Layout: one ``outbound_messages`` row per accepted message (envelope sender, the blob holding the bytes exactly
as they will be sent — trace fields and DKIM signature already added — and who submitted it), and one
``outbound_recipients`` row per envelope recipient, which carries the delivery state of that recipient:

- ``status``: ``queued`` (waiting for ``next_attempt_at``), ``delivered``, ``failed`` (permanent failure or
  expiry; a delivery status notification has been issued unless the sender was null).
- ``next_attempt_at`` doubles as a lease: a worker claims a due row by moving it forward with a compare-and-set
  on its old value, so several processes over one database never deliver the same recipient twice at once, and a
  worker that dies mid-attempt leaves the row due again once the lease runs out.
- ``last_code`` / ``last_enhanced`` / ``last_error``: the SMTP reply (RFC 5321 §4.2, RFC 3463) or a local
  reason, kept for ``congvu queue list`` and the DSN.

The message row and its blob stay until every recipient has left the ``queued`` state; the blob itself is
collected later by the blob collector, never before the row is gone.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, false

from congvu.store.schema import UTC, metadata

outbound_messages = Table(
    "outbound_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mail_from", String(320), nullable=False),  # "" is the null reverse-path (RFC 5321 §4.5.5)
    Column("blob_sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("submitted_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    Column("message_id", String(998), nullable=True),
    Column("is_report", Boolean, nullable=False, default=False),  # a DSN we generated: never bounced again
    Column("created_at", UTC, nullable=False, index=True),
    Column("expires_at", UTC, nullable=False),
    Column("dsn_ret", String(4), nullable=True),  # RFC 3461 RET: FULL | HDRS | NULL (not said)
    Column("dsn_envid", String(100), nullable=True),  # RFC 3461 ENVID, decoded
)

outbound_recipients = Table(
    "outbound_recipients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("outbound_messages.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("recipient", String(320), nullable=False),
    Column("domain", String(253), nullable=False),
    Column("status", String(20), nullable=False),  # queued | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTC, nullable=False),
    Column("last_attempt_at", UTC, nullable=True),
    Column("last_code", Integer, nullable=True),
    Column("last_enhanced", String(16), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("remote_host", String(300), nullable=True),
    Column("finished_at", UTC, nullable=True),
    Column("dsn_notify", String(40), nullable=True),  # RFC 3461 NOTIFY ("SUCCESS,DELAY", "NEVER") or NULL
    Column("dsn_orcpt", String(500), nullable=True),  # RFC 3461 ORCPT "addr-type;address", decoded
    Column("remote_dsn", Boolean, nullable=True),  # the next hop offered DSN and took the request over
    Column("delay_notified", Boolean, nullable=False, default=False, server_default=false()),
)

Index("ix_outbound_recipients_due", outbound_recipients.c.status, outbound_recipients.c.next_attempt_at)

__all__ = ["outbound_messages", "outbound_recipients"]
