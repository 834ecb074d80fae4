"""The PROXY protocol header of a load balancer: versions 1 and 2, partial input, health checks, bad input."""

from __future__ import annotations

import ipaddress
import struct

import pytest

from congvu.runtime.proxy_header import V2_SIGNATURE, ProxyHeader, ProxyHeaderError, parse_header


def v2(command: int, family: int, payload: bytes) -> bytes:
    return V2_SIGNATURE + bytes([0x20 | command, family]) + struct.pack("!H", len(payload)) + payload


def test_version_1_tcp4_and_tcp6_and_unknown() -> None:
    line = b"PROXY TCP4 203.0.113.7 10.0.0.2 51234 25\r\nEHLO mail.example.org\r\n"
    assert parse_header(line) == ProxyHeader(42, ("203.0.113.7", 51234), ("10.0.0.2", 25))
    six = b"PROXY TCP6 2001:db8::7 2001:db8::1 40000 993\r\n"
    assert parse_header(six) == ProxyHeader(len(six), ("2001:db8::7", 40000), ("2001:db8::1", 993))
    assert parse_header(b"PROXY UNKNOWN\r\n") == ProxyHeader(15, None)


def test_version_2_ipv4_ipv6_local_and_tlvs_skipped() -> None:
    four = struct.pack("!4s4sHH", ipaddress.IPv4Address("198.51.100.9").packed,
                       ipaddress.IPv4Address("10.0.0.2").packed, 60000, 143)
    tlv = b"\x04\x00\x03abc"  # a TLV after the addresses, ignored
    data = v2(1, 0x11, four + tlv) + b"a1 CAPABILITY\r\n"
    assert parse_header(data) == ProxyHeader(16 + 12 + 6, ("198.51.100.9", 60000), ("10.0.0.2", 143))
    six = struct.pack("!16s16sHH", ipaddress.IPv6Address("2001:db8::9").packed,
                      ipaddress.IPv6Address("2001:db8::1").packed, 1234, 587)
    assert parse_header(v2(1, 0x21, six)).source == ("2001:db8::9", 1234)  # type: ignore[union-attr]
    assert parse_header(v2(0, 0x00, b"")) == ProxyHeader(16, None)  # LOCAL: a health check


def test_partial_headers_ask_for_more() -> None:
    line = b"PROXY TCP4 203.0.113.7 10.0.0.2 51234 25\r\n"
    for cut in (0, 3, 6, 20, len(line) - 1):
        assert parse_header(line[:cut]) is None
    whole = v2(1, 0x11, bytes(12))
    for cut in (1, 12, 15, len(whole) - 1):
        assert parse_header(whole[:cut]) is None


@pytest.mark.parametrize("data", [
    b"EHLO mail.example.org\r\n",  # no header at all
    b"PROXY TCP4 203.0.113.7 10.0.0.2 51234\r\n",  # a field missing
    b"PROXY TCP4 2001:db8::1 10.0.0.2 1 2\r\n",  # the wrong family
    b"PROXY TCP4 203.0.113.7 10.0.0.2 051234 25\r\n",  # a port with a leading zero
    b"PROXY TCP4 203.0.113.7 10.0.0.2 70000 25\r\n",  # a port out of range
    b"PROXY TCP4 " + b"1" * 120,  # no end of line within 107 bytes
    V2_SIGNATURE[:11] + b"X" + bytes(8),  # a broken signature
    V2_SIGNATURE + bytes([0x31, 0x11, 0, 12]) + bytes(12),  # version 3
    V2_SIGNATURE + bytes([0x21, 0x11, 0, 4]) + bytes(4),  # IPv4 addresses cut short
    V2_SIGNATURE + bytes([0x21, 0x31, 0, 0]),  # a UNIX socket family
    V2_SIGNATURE + bytes([0x21, 0x11, 0xFF, 0xFF]),  # a length beyond any header
])
def test_malformed_headers_are_refused(data: bytes) -> None:
    with pytest.raises(ProxyHeaderError):
        parse_header(data)
