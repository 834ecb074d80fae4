"""The message trace: one row per hop of a message through the installation, kept for ``[trace]
retention_days`` so an administrator can answer "did my mail arrive?".

A row says what happened (``event``), to which envelope sender and recipient, when, and why:

- ``trace_id``: the SMTP transaction's queue id (the one in ``Received`` and in the ``250`` reply), or
  ``Q<number>`` for the outbound queue's own events; rows of one message are tied together by this id and by the
  ``Message-ID`` (``message_id``, without angle brackets).
- ``event``: ``refused`` (at ``stage`` MAIL, RCPT or DATA), ``accepted``, ``stored`` (into ``folder`` of local
  mailboxes), ``held``, ``released``, ``discarded``, ``queued`` (for an outside recipient), ``deferred`` (a
  temporary failure, retried later), ``relayed`` (the remote server took it), ``bounced`` (permanent failure),
  ``expired`` (retries ran out), ``reported`` (a delivery status notification went to the sender).
- ``code`` / ``enhanced`` / ``text``: the SMTP reply (RFC 5321 §4.2, RFC 3463) or a local reason;
  ``remote_host`` the server that answered.

Rows are written in batches off the mail path (:mod:`congvu.delivery.trace_log`) and never updated.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text

from congvu.store.schema import UTC, metadata

mail_trace = Table(
    "mail_trace",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTC, nullable=False, index=True),
    Column("trace_id", String(40), nullable=False, index=True),
    Column("message_id", String(500), nullable=True, index=True),
    Column("event", String(20), nullable=False),
    Column("stage", String(10), nullable=True),  # MAIL | RCPT | DATA for refusals
    Column("sender", String(320), nullable=False, index=True),  # "" is the null reverse-path
    Column("recipient", String(320), nullable=True, index=True),
    Column("code", Integer, nullable=True),
    Column("enhanced", String(16), nullable=True),
    Column("text", Text, nullable=True),
    Column("remote_host", String(300), nullable=True),
    Column("folder", String(100), nullable=True),
    Column("client_ip", String(64), nullable=True),
    Column("listener", String(20), nullable=True),  # smtp | submission | submissions | queue | admin
)

__all__ = ["mail_trace"]
