"""The Sender Rewriting Scheme: the envelope sender of mail forwarded outside (an alias or a group with an outside
member) becomes an address of ours, so the next server's SPF check sees our domain, and a bounce sent to it comes
back to us to be passed on to the original sender.

``SRS0=HHHH=TT=domain=local@forwarder``: ``TT`` is the day (base32, two characters, modulo 1024), ``HHHH`` the
first four base64 characters of an HMAC-SHA256 over the day, domain and local part (lower case) with the
installation's secret. A reverse address is accepted for :data:`MAX_AGE_DAYS` days with the right hash (compared
without regard to case: some servers change the case of local parts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

MAX_AGE_DAYS = 21
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECONDS_PER_DAY = 86_400
MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1


class SrsError(ValueError):
    pass


def is_srs(address: str) -> bool:
    return address.upper().startswith(("SRS0=", "SRS1="))


class SenderRewriter:
    def __init__(self, secret: bytes, domain: str) -> None:
        if len(secret) < 16:
            raise ValueError("the SRS secret must be at least 16 bytes")
        self.secret = secret
        self.domain = domain.lower()

    def _hash(self, stamp: str, domain: str, local: str) -> str:
        mac = hmac.new(self.secret, f"{stamp}{domain}{local}".lower().encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(mac).decode("ascii")[:4]

    @staticmethod
    def _stamp(now: float) -> str:
        day = int(now // _SECONDS_PER_DAY) % 1024
        return _BASE32[day >> 5] + _BASE32[day & 31]

    def forward(self, sender: str, *, now: float | None = None) -> str:
        """The address to use as the envelope sender when forwarding mail from ``sender``; ``sender`` itself when
        it is empty (a bounce), ours, or too long to rewrite."""
        local, _, domain = sender.rpartition("@")
        if not sender or not local or not domain or domain.lower() == self.domain:
            return sender
        stamp = self._stamp(time.time() if now is None else now)
        rewritten = f"SRS0={self._hash(stamp, domain, local)}={stamp}={domain}={local}"
        if len(rewritten) > MAX_LOCAL_PART:
            return sender
        return f"{rewritten}@{self.domain}"

    def reverse(self, address: str, *, now: float | None = None) -> str:
        """The original sender an ``SRS0`` address of ours stands for; :class:`SrsError` if it is not one, was
        tampered with, or is older than :data:`MAX_AGE_DAYS`."""
        local, _, domain = address.rpartition("@")
        if domain.lower() != self.domain or not local.upper().startswith("SRS0="):
            raise SrsError("not an SRS address of this server")
        parts = local[5:].split("=", 3)
        if len(parts) != 4 or not all(parts):
            raise SrsError("malformed SRS address")
        given_hash, stamp, orig_domain, orig_local = parts
        if not hmac.compare_digest(given_hash.lower(), self._hash(stamp.upper(), orig_domain, orig_local).lower()):
            raise SrsError("SRS hash does not match")
        try:
            then = _BASE32.index(stamp[0].upper()) << 5 | _BASE32.index(stamp[1].upper())
        except (ValueError, IndexError) as exc:
            raise SrsError("malformed SRS time stamp") from exc
        if len(stamp) != 2:
            raise SrsError("malformed SRS time stamp")
        today = int((time.time() if now is None else now) // _SECONDS_PER_DAY) % 1024
        if (today - then) % 1024 > MAX_AGE_DAYS:
            raise SrsError("SRS address expired")
        return f"{orig_local}@{orig_domain}"
