"""Preparing a message for the queue: trace field, missing Date and Message-ID, and the DKIM signature.

Done once, at enqueue, so the bytes in the blob are exactly those sent on every attempt (a signature made once
stays valid across retries). RFC 5321 §4.4 (a ``Received`` field added by each server that relays), RFC 6409
§8.3 (Date and Message-ID added by the submission server when missing), RFC 6376 (DKIM) with relaxed/relaxed
canonicalisation and rsa-sha256; ``From`` is signed once more than it occurs (RFC 6376 §8.15) so that no
second From field can be added after signing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import dkim

from congvu.mail.compose import ensure_standard_headers, prepend_header
from congvu.mail.fields import split_header
from congvu.mail.headers import parse_addresses

SIGNED_FIELDS = (
    b"from", b"reply-to", b"subject", b"date", b"to", b"cc", b"message-id", b"in-reply-to", b"references",
    b"mime-version", b"content-type", b"content-transfer-encoding", b"content-language", b"list-unsubscribe",
)


@dataclass(frozen=True)
class DkimKey:
    selector: str
    private_key_pem: bytes

    @classmethod
    def load(cls, selector: str, path: Path | None) -> DkimKey | None:
        if path is None or not path.is_file():
            return None
        return cls(selector, path.read_bytes())


def author_domain(raw: bytes) -> str | None:
    """The domain of the (first) ``From`` address, lower case, or None."""
    value = split_header(raw).value("from")
    if value is None:
        return None
    pairs = parse_addresses(value.decode("utf-8", "replace"))
    if not pairs:
        return None
    domain = pairs[0][1].rpartition("@")[2].strip().lower()
    return domain or None


def signing_domain(raw: bytes, local_domains: tuple[str, ...]) -> str:
    """Sign as the author's domain when it is one of ours (so DMARC aligns, RFC 7489 §3.1.1), else as the
    installation's primary domain."""
    author = author_domain(raw)
    if author:
        for domain in local_domains:
            if author == domain or author.endswith("." + domain):
                return domain
    return local_domains[0]


def dkim_sign(raw: bytes, key: DkimKey, domain: str) -> bytes:
    """``raw`` with a ``DKIM-Signature`` field in front."""
    present = {field.key.encode() for field in split_header(raw).fields}
    headers = [name for name in SIGNED_FIELDS if name in present]
    if b"from" in present:
        headers.append(b"from")
    signature: bytes = dkim.sign(raw, key.selector.encode(), domain.encode(), key.private_key_pem,
                                 canonicalize=(b"relaxed", b"relaxed"), include_headers=headers)
    newline = raw.find(b"\n")
    if newline > 0 and raw[newline - 1 : newline] != b"\r":
        signature = signature.replace(b"\r\n", b"\n")
    return signature + raw


def received_value(*, hostname: str, client: str | None, protocol: str, queue_token: str, when: datetime,
                   recipient: str | None) -> str:
    """A ``Received`` value (RFC 5321 §4.4; protocol names of RFC 3848)."""
    parts = []
    if client:
        parts.append(f"from {client}")
    parts.append(f"by {hostname} (CongVu) with {protocol} id {queue_token}")
    if recipient:
        parts.append(f"for <{recipient}>")
    return " ".join(parts) + "; " + format_datetime(when)


def has_own_trace(raw: bytes, hostname: str) -> bool:
    """Whether the topmost ``Received`` field was written by this host (the SMTP server may add its own)."""
    fields = split_header(raw).fields
    if not fields or fields[0].key != "received":
        return False
    return f"by {hostname.lower()}" in fields[0].value.decode("latin-1").lower()


def prepare_outgoing(raw: bytes, *, hostname: str, local_domains: tuple[str, ...], mail_from: str,
                     recipients: tuple[str, ...], now: datetime, key: DkimKey | None, client: str | None = None,
                     protocol: str = "ESMTPSA") -> bytes:
    """The bytes to queue: Date and Message-ID where missing, our ``Received`` on top, then the signature."""
    sender_domain = mail_from.rpartition("@")[2].lower() or local_domains[0]
    raw = ensure_standard_headers(raw, domain=sender_domain, now=now)
    if not has_own_trace(raw, hostname):
        token = secrets.token_hex(6).upper()
        raw = prepend_header(raw, "Received", received_value(
            hostname=hostname, client=client, protocol=protocol, queue_token=token, when=now,
            recipient=recipients[0] if len(recipients) == 1 else None))
    if key is not None:
        raw = dkim_sign(raw, key, signing_domain(raw, local_domains))
    return raw


__all__ = ["DkimKey", "author_domain", "dkim_sign", "has_own_trace", "prepare_outgoing", "received_value",
           "signing_domain"]
