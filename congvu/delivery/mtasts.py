"""MTA-STS (RFC 8461): a recipient domain's published demand for authenticated TLS to its MX hosts.

Discovery (§3.1): the ``_mta-sts.<domain>`` TXT record ``v=STSv1; id=…``; the policy itself comes from
``https://mta-sts.<domain>/.well-known/mta-sts.txt`` over HTTPS with a valid certificate and no redirects
(§3.3). Policies are cached for their ``max_age`` and refetched only when the record's ``id`` changes (§5.1);
a cached policy stays in force when a refresh fails. ``mode: enforce`` makes delivery require STARTTLS with a
certificate valid for an MX matching the policy's ``mx`` patterns; ``testing`` and ``none`` leave delivery
opportunistic. The HTTPS fetch is injectable; by default it resolves the host through the same resolver.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from congvu.delivery.clock import Clock, SystemClock
from congvu.delivery.transport import TlsPolicy
from congvu.security.dns import DnsError, Resolver, normalise_name

MAX_POLICY_BYTES = 64 * 1024  # §3.3
MAX_AGE_CEILING_S = 31_557_600  # §3.2: one year
FETCH_TIMEOUT_S = 30.0

PolicyFetcher = Callable[[str], Awaitable[str]]


@dataclass(frozen=True)
class StsPolicy:
    mode: str  # enforce | testing | none
    mx: tuple[str, ...]
    max_age_s: int


def parse_policy(text: str) -> StsPolicy | None:
    """§3.2 key/value lines; None when the policy is not valid."""
    values: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        key, colon, value = line.partition(":")
        if colon:
            values.setdefault(key.strip(), []).append(value.strip())
    if values.get("version") != ["STSv1"]:
        return None
    mode = (values.get("mode") or [""])[0]
    if mode not in ("enforce", "testing", "none"):
        return None
    try:
        max_age = int((values.get("max_age") or [""])[0])
    except ValueError:
        return None
    mx = tuple(m.lower() for m in values.get("mx", []))
    if mode != "none" and not mx:
        return None
    return StsPolicy(mode, mx, min(max(max_age, 0), MAX_AGE_CEILING_S))


def record_id(texts: tuple[str, ...]) -> str | None:
    records = [t for t in texts if t.replace(" ", "").startswith("v=STSv1;") or t.strip() == "v=STSv1"]
    if len(records) != 1:
        return None
    for item in records[0].split(";"):
        key, eq, value = item.partition("=")
        if eq and key.strip() == "id" and value.strip().isalnum():
            return value.strip()
    return None


async def https_fetch(resolver: Resolver, url_host: str, *, port: int = 443,
                      context: ssl.SSLContext | None = None) -> str:
    """GET the well-known policy over HTTPS/1.1 (certificate checked, redirects refused)."""
    addresses = [*await resolver.aaaa(url_host), *await resolver.a(url_host)]
    if not addresses:
        raise OSError(f"{url_host} không có địa chỉ")
    context = context or ssl.create_default_context()
    request = (f"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {url_host}\r\nConnection: close\r\n"
               "User-Agent: CongVu-MTA\r\n\r\n").encode("ascii")
    last: Exception = OSError("không kết nối được")
    for address in addresses:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                address, port, ssl=context, server_hostname=url_host), FETCH_TIMEOUT_S)
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            last = exc
            continue
        try:
            writer.write(request)
            await writer.drain()
            response = await asyncio.wait_for(reader.read(MAX_POLICY_BYTES + 4096), FETCH_TIMEOUT_S)
        finally:
            writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].split()
        if len(status_line) < 2 or status_line[1] != b"200":
            raise OSError(f"chính sách MTA-STS trả về {head[:40]!r}")  # §3.3: no redirects
        if b"transfer-encoding: chunked" in head.lower():
            body = _dechunk(body)
        return body[:MAX_POLICY_BYTES].decode("utf-8", "replace")
    raise OSError(str(last))


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return bytes(out)


@dataclass(frozen=True)
class _Cached:
    policy_id: str
    policy: StsPolicy
    expires_at: datetime


class MtaStsCache:
    def __init__(self, resolver: Resolver, *, clock: Clock | None = None, fetch: PolicyFetcher | None = None) -> None:
        self.resolver = resolver
        self.clock: Clock = clock or SystemClock()
        self.fetch: PolicyFetcher = fetch or (lambda host: https_fetch(resolver, host))
        self._cache: dict[str, _Cached] = {}

    async def policy_for(self, domain: str) -> TlsPolicy | None:
        """The TLS requirement for delivering to ``domain`` (None: opportunistic)."""
        domain = normalise_name(domain)
        now = self.clock.now()
        cached = self._cache.get(domain)
        if cached is not None and cached.expires_at <= now:
            del self._cache[domain]
            cached = None
        try:
            current_id = record_id(await self.resolver.txt(f"_mta-sts.{domain}"))
        except DnsError:
            current_id = None
        if current_id is not None and (cached is None or cached.policy_id != current_id):
            try:
                policy = parse_policy(await self.fetch(f"mta-sts.{domain}"))
            except (OSError, TimeoutError, ValueError, DnsError):
                policy = None  # §5.1: keep using the cached policy, if any
            if policy is not None:
                cached = _Cached(current_id, policy, now + timedelta(seconds=policy.max_age_s))
                self._cache[domain] = cached
        if cached is None or cached.policy.mode != "enforce":
            return None
        return TlsPolicy(required=True, allowed_hosts=cached.policy.mx)


__all__ = ["MtaStsCache", "StsPolicy", "https_fetch", "parse_policy", "record_id"]
