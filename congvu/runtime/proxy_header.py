"""The PROXY protocol header (HAProxy, versions 1 and 2) a TCP load balancer puts before a client's first byte,
so that the server behind it knows the client's real address (for SPF, throttling, limits and the trace).

Only connections from the load balancers named in ``[listen] proxy_from`` are read this way (and must start with
a header); a header from anyone else would let a client claim any address. :func:`parse_header` reads what has
arrived so far: the header and how many bytes it took, ``None`` if more bytes are needed, or
:class:`ProxyHeaderError` for anything malformed. ``LOCAL`` (v2) and ``UNKNOWN`` (v1) headers, sent by a load
balancer's own health checks, carry no client address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from congvu.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
READ_TIMEOUT_S = 10.0

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V1_PREFIX = b"PROXY "
V1_MAX = 107  # the longest v1 line, CRLF included
V2_MAX_PAYLOAD = 4096  # addresses and TLVs; load balancers send far less


class ProxyHeaderError(ValueError):
    pass


@dataclass(frozen=True)
class ProxyHeader:
    consumed: int
    source: tuple[str, int] | None  # None: LOCAL / UNKNOWN, the connection's own addresses apply
    destination: tuple[str, int] | None = None


def parse_header(data: bytes) -> ProxyHeader | None:
    if data.startswith(V2_SIGNATURE[:min(len(data), len(V2_SIGNATURE))]) and data[:1] == b"\r":
        return _parse_v2(data)
    if data.startswith(V1_PREFIX[:min(len(data), len(V1_PREFIX))]):
        return _parse_v1(data)
    raise ProxyHeaderError("connection from a load balancer without a PROXY header")


def _parse_v1(data: bytes) -> ProxyHeader | None:
    end = data.find(b"\r\n", 0, V1_MAX)
    if end < 0:
        if len(data) >= V1_MAX:
            raise ProxyHeaderError("PROXY v1 line too long")
        return None
    try:
        parts = data[:end].decode("ascii").split(" ")
    except UnicodeDecodeError as exc:
        raise ProxyHeaderError("PROXY v1 line is not ASCII") from exc
    if len(parts) >= 2 and parts[1] == "UNKNOWN":
        return ProxyHeader(end + 2, None)
    if len(parts) != 6 or parts[1] not in ("TCP4", "TCP6"):
        raise ProxyHeaderError("malformed PROXY v1 line")
    _, family, src, dst, sport, dport = parts
    want = ipaddress.IPv4Address if family == "TCP4" else ipaddress.IPv6Address
    try:
        source_ip, dest_ip = want(src), want(dst)
        source_port, dest_port = _port(sport), _port(dport)
    except ValueError as exc:
        raise ProxyHeaderError(f"malformed PROXY v1 address: {exc}") from exc
    return ProxyHeader(end + 2, (str(source_ip), source_port), (str(dest_ip), dest_port))


def _port(text: str) -> int:
    if not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"bad port {text!r}")
    port = int(text)
    if port > 65535:
        raise ValueError(f"bad port {text!r}")
    return port


def _parse_v2(data: bytes) -> ProxyHeader | None:
    if len(data) < 16:
        return None
    if data[:12] != V2_SIGNATURE:
        raise ProxyHeaderError("bad PROXY v2 signature")
    version, command = data[12] >> 4, data[12] & 0x0F
    if version != 2 or command not in (0, 1):
        raise ProxyHeaderError("unsupported PROXY v2 version or command")
    family = data[13]
    (length,) = struct.unpack("!H", data[14:16])
    if length > V2_MAX_PAYLOAD:
        raise ProxyHeaderError("PROXY v2 header too long")
    if len(data) < 16 + length:
        return None
    payload = data[16:16 + length]
    consumed = 16 + length
    if command == 0:  # LOCAL: the load balancer's own connection (a health check)
        return ProxyHeader(consumed, None)
    if family == 0x11:  # TCP over IPv4
        if length < 12:
            raise ProxyHeaderError("short PROXY v2 IPv4 addresses")
        src, dst, sport, dport = struct.unpack("!4s4sHH", payload[:12])
        return ProxyHeader(consumed, (str(ipaddress.IPv4Address(src)), sport), (str(ipaddress.IPv4Address(dst)), dport))
    if family == 0x21:  # TCP over IPv6
        if length < 36:
            raise ProxyHeaderError("short PROXY v2 IPv6 addresses")
        src, dst, sport, dport = struct.unpack("!16s16sHH", payload[:36])
        return ProxyHeader(consumed, (str(ipaddress.IPv6Address(src)), sport), (str(ipaddress.IPv6Address(dst)), dport))
    if family == 0x00:  # UNSPEC
        return ProxyHeader(consumed, None)
    raise ProxyHeaderError(f"unsupported PROXY v2 address family {family:#x}")


async def read_header(reader: asyncio.StreamReader, *, timeout_s: float = READ_TIMEOUT_S) -> ProxyHeader:
    """Read exactly the header from ``reader`` (nothing of what follows it), or raise :class:`ProxyHeaderError`
    (also for a load balancer that says nothing within ``timeout_s`` or closes the connection)."""
    try:
        return await asyncio.wait_for(_read_header(reader), timeout_s)
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise ProxyHeaderError(f"no complete PROXY header: {exc!r}") from exc


async def _read_header(reader: asyncio.StreamReader) -> ProxyHeader:
    first = await reader.readexactly(1)
    if first == b"\r":
        fixed = first + await reader.readexactly(15)
        (length,) = struct.unpack("!H", fixed[14:16])
        if length > V2_MAX_PAYLOAD:
            raise ProxyHeaderError("PROXY v2 header too long")
        data = fixed + await reader.readexactly(length)
    else:
        data = first
        while not data.endswith(b"\r\n"):
            if len(data) >= V1_MAX:
                raise ProxyHeaderError("PROXY v1 line too long")
            data += await reader.readexactly(1)
    header = parse_header(data)
    if header is None or header.consumed != len(data):
        raise ProxyHeaderError("malformed PROXY header")
    return header


def trusted_networks(raw: Mapping[str, object]) -> tuple[Network, ...]:
    """``[listen] proxy_from`` of ``congvu.toml``: the load balancers whose connections start with a PROXY
    header (addresses or networks)."""
    listen = raw.get("listen", {})
    given = listen.get("proxy_from", []) if isinstance(listen, Mapping) else []
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, Sequence):
        raise ConfigError("«listen.proxy_from» phải là danh sách địa chỉ.",
                          message_en="'listen.proxy_from' must be a list of addresses.")
    networks: list[Network] = []
    for item in given:
        try:
            networks.append(ipaddress.ip_network(str(item).strip(), strict=False))
        except ValueError as exc:
            raise ConfigError(f"«listen.proxy_from»: địa chỉ không hợp lệ {item!r}",
                              message_en=f"'listen.proxy_from': bad address {item!r}") from exc
    return tuple(networks)


def comes_through(ip: str | None, networks: Sequence[Network]) -> bool:
    """Whether a connection from ``ip`` is one of a trusted load balancer's."""
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
