"""Trace fields the server adds to each message it accepts: ``Received`` (RFC 5321 §4.4) on every message and
``Return-Path`` (RFC 5321 §4.4, RFC 5322 §3.6.7) on the copies delivered into local mailboxes.

The ``with`` protocol name follows RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP…).
The client's HELO name is written as an ASCII token, whatever it sent, so the field stays parseable; the TLS
version and cipher go in a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from congvu.mail.compose import prepend_header

_TOKEN_UNSAFE = re.compile(r"[^A-Za-z0-9.\-_:\[\]]")
_COMMENT_UNSAFE = re.compile(r"[^A-Za-z0-9.\-_ ]")
_HELO_MAX = 100


@dataclass(frozen=True)
class TraceInfo:
    """What the ``Received`` field records about one transaction."""

    server_name: str  # our host name
    client_ip: str | None
    helo: str | None
    extended: bool  # EHLO rather than HELO
    tls: str | None  # e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"
    authenticated: bool
    utf8: bool  # the transaction used SMTPUTF8
    queue_id: str


def protocol_name(info: TraceInfo) -> str:
    if not info.extended:
        return "SMTP"
    base = "UTF8SMTP" if info.utf8 else "ESMTP"
    return base + ("S" if info.tls else "") + ("A" if info.authenticated else "")


def _token(text: str | None) -> str:
    cleaned = _TOKEN_UNSAFE.sub("?", (text or "").strip())[:_HELO_MAX]
    return cleaned or "unknown"


def received_value(info: TraceInfo, *, recipient: str | None, now: datetime) -> str:
    """The value of a ``Received`` field, one clause per line (so ``by <host>`` is never split across lines);
    ``recipient`` is named only when the message has exactly one."""
    ip = _token(info.client_ip) if info.client_ip else "unknown"
    clauses = [f"from {_token(info.helo)} ([{ip}])"]
    if info.tls:
        clauses.append("(" + _COMMENT_UNSAFE.sub("?", info.tls)[:_HELO_MAX] + ")")
    clauses.append(f"by {_token(info.server_name)} with {protocol_name(info)} id {info.queue_id}")
    if recipient and recipient.isascii() and all(c not in recipient for c in "<>()\\\"; \t\r\n"):
        clauses.append(f"for <{recipient}>")
    clauses[-1] += ";"
    clauses.append(format_datetime(now))
    return "\r\n\t".join(clauses)


def _prepend(raw: bytes, field: bytes) -> bytes:
    """``field`` (lines joined by CRLF) in front of ``raw``, written with the message's own line ending."""
    newline = raw.find(b"\n")
    if newline > 0 and raw[newline - 1 : newline] != b"\r":
        field = field.replace(b"\r\n", b"\n")
        return field + b"\n" + raw
    return field + b"\r\n" + raw


def add_received(raw: bytes, info: TraceInfo, *, recipient: str | None, now: datetime) -> bytes:
    return _prepend(raw, b"Received: " + received_value(info, recipient=recipient, now=now).encode("ascii"))


def add_return_path(raw: bytes, mail_from: str) -> bytes:
    """``Return-Path: <mail_from>`` in front (``<>`` for the null sender); UTF-8 kept as is (RFC 6532 §3.2)."""
    return _prepend(raw, b"Return-Path: <" + mail_from.encode("utf-8", "surrogateescape") + b">")


def add_field(raw: bytes, name: str, value: str) -> bytes:
    """An informational field in front (folded, encoded-words when not ASCII)."""
    return prepend_header(raw, name, value)
