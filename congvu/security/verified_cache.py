"""Secrets checked recently, so that a mail client opening its fifth connection of the minute does not cost
another argon2id verification (a core for tens of milliseconds each).

An entry is keyed by what was checked (an account's password, an app password) and the stored hash it was checked
against, and holds a keyed BLAKE2b digest of the secret under a random key made when the process starts: the
secret itself is never kept, the digest is worthless outside this process, and a changed password (a new stored
hash) or an expired entry means a full verification again. Entries live ``ttl_s`` seconds (``0`` turns the cache
off); at most ``max_entries`` are kept, the oldest going first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from congvu.errors import ConfigError

DEFAULT_TTL_S = 300.0
DEFAULT_MAX_ENTRIES = 50_000


def configured_ttl_s(raw: Mapping[str, object]) -> float:
    """``[security] sign_in_cache_s`` of ``congvu.toml`` (seconds; 0 turns the cache off)."""
    section = raw.get("security", {})
    value = section.get("sign_in_cache_s", DEFAULT_TTL_S) if isinstance(section, Mapping) else DEFAULT_TTL_S
    try:
        ttl = float(str(value))
    except ValueError as exc:
        raise ConfigError(f"«security.sign_in_cache_s» phải là số giây: {value!r}",
                          message_en=f"'security.sign_in_cache_s' must be a number of seconds: {value!r}") from exc
    if not 0 <= ttl <= 86_400:
        raise ConfigError(f"«security.sign_in_cache_s» phải từ 0 đến 86400: {value!r}",
                          message_en=f"'security.sign_in_cache_s' must be 0 to 86400: {value!r}")
    return ttl


class VerifiedSecretCache:
    def __init__(self, *, ttl_s: float = DEFAULT_TTL_S, max_entries: int = DEFAULT_MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, secret: str) -> bytes:
        return hashlib.blake2b(secret.encode("utf-8"), key=self._key, digest_size=32).digest()

    def knows(self, subject: str, stored_hash: str, secret: str) -> bool:
        """Whether ``secret`` was verified against ``stored_hash`` for ``subject`` within the last ``ttl_s``."""
        if self.ttl_s <= 0:
            return False
        with self._lock:
            entry = self._entries.get((subject, stored_hash))
            if entry is None:
                return False
            digest, expires = entry
            if expires <= self.clock():
                del self._entries[(subject, stored_hash)]
                return False
        return hmac.compare_digest(digest, self._digest(secret))

    def remember(self, subject: str, stored_hash: str, secret: str) -> None:
        """Note a successful verification."""
        if self.ttl_s <= 0:
            return
        digest = self._digest(secret)
        with self._lock:
            self._entries.pop((subject, stored_hash), None)
            self._entries[(subject, stored_hash)] = (digest, self.clock() + self.ttl_s)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, subject: str) -> None:
        """Drop every entry of ``subject`` (a password changed, an app password revoked)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == subject]:
                del self._entries[key]
