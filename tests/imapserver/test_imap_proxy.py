"""IMAP behind a trusted load balancer: the client's address comes from the PROXY header, on IMAP (then STARTTLS)
and on IMAPS (the TLS handshake follows the header); a balancer's connection without a header is closed."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl

from imap_harness import PASSWORD, ImapServer
from sqlalchemy import select

from congvu.store.schema import audit_log


def _last_sign_in_ip(server: ImapServer, address: str) -> str | None:
    with server.province.inst.db.read() as conn:
        row = conn.execute(select(audit_log.c.details).where(audit_log.c.action == "signin.ok",
                                                             audit_log.c.target == address)
                           .order_by(audit_log.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    details = row.details if isinstance(row.details, dict) else json.loads(row.details)
    return details.get("ip")


def _session(server: ImapServer, header: bytes, *, implicit_tls: bool) -> bytes:
    """Connect, send ``header``, sign in as phdung over TLS; the reply to LOGIN."""
    port = server.listeners.imaps_port if implicit_tls else server.listeners.imap_port
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    raw.sendall(header)
    context: ssl.SSLContext = server.tls_context()
    if implicit_tls:
        conn = context.wrap_socket(raw)
        reader = conn.makefile("rb")
        assert reader.readline().startswith(b"* OK")
    else:
        reader = raw.makefile("rb")
        assert reader.readline().startswith(b"* OK")
        raw.sendall(b"s STARTTLS\r\n")
        while not reader.readline().startswith(b"s OK"):
            pass
        conn = context.wrap_socket(raw)
        reader = conn.makefile("rb")
    address = server.province.address("phdung")
    conn.sendall(f'l LOGIN {address} "{PASSWORD}"\r\n'.encode())
    line = reader.readline()
    while not line.startswith(b"l "):
        line = reader.readline()
    conn.sendall(b"o LOGOUT\r\n")
    conn.close()
    return line


async def test_the_client_address_comes_from_the_header(server: ImapServer) -> None:
    server.listeners.server.proxy_from = (ipaddress.ip_network("127.0.0.1/32"),)
    address = server.province.address("phdung")
    reply = await asyncio.to_thread(_session, server, b"PROXY TCP4 203.0.113.21 127.0.0.1 40001 143\r\n",
                                    implicit_tls=False)
    assert reply.startswith(b"l OK")
    assert _last_sign_in_ip(server, address) == "203.0.113.21"
    v2 = (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11, 0, 12]) + ipaddress.IPv4Address("198.51.100.22").packed
          + ipaddress.IPv4Address("127.0.0.1").packed + (40002).to_bytes(2, "big") + (993).to_bytes(2, "big"))
    reply = await asyncio.to_thread(_session, server, v2, implicit_tls=True)
    assert reply.startswith(b"l OK")
    assert _last_sign_in_ip(server, address) == "198.51.100.22"


async def test_a_balancer_connection_without_a_header_is_closed(server: ImapServer) -> None:
    server.listeners.server.proxy_from = (ipaddress.ip_network("127.0.0.1/32"),)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.listeners.imap_port)
    try:
        writer.write(b"a1 CAPABILITY\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed without a greeting
    finally:
        writer.close()
