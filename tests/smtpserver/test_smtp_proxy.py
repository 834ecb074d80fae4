"""Behind a trusted load balancer (``[listen] proxy_from``) the MX takes the client's address from the PROXY
header: the Received field and the limits see the real client; a connection without a header is dropped, and one
from anywhere else is never read for a header."""

from __future__ import annotations

import ipaddress

from smtp_harness import DOMAIN, RawClient, SmtpServer, message, token


async def _deliver(client: RawClient, tag: str) -> None:
    assert (await client.reply()).startswith("220 ")
    assert (await client.command("EHLO mail.example.org")).startswith("250")
    assert (await client.command("MAIL FROM:<>")).startswith("250")
    assert (await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")).startswith("250")
    assert (await client.command("DATA")).startswith("354")
    raw = message(sender="MAILER-DAEMON@example.org", to=f"vinhtv@{DOMAIN}", subject=f"Thử {tag}")
    assert (await client.command(raw + b".\r\n")).startswith("250")


async def test_the_client_address_comes_from_the_proxy_header(server: SmtpServer) -> None:
    server.listeners.state.proxy_from = (ipaddress.ip_network("127.0.0.0/8"),)
    tag = token()
    client = await RawClient.connect(server.mx)
    try:
        await client.send(b"PROXY TCP4 203.0.113.9 127.0.0.1 51515 25\r\n")
        await _deliver(client, tag)
    finally:
        await client.close()
    (stored,) = server.province.find("vinhtv", tag)
    received = stored.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    assert "[203.0.113.9]" in received and "[127.0.0.1]" not in received

    v2 = (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11, 0, 12]) + ipaddress.IPv4Address("198.51.100.4").packed
          + ipaddress.IPv4Address("127.0.0.1").packed + (40000).to_bytes(2, "big") + (25).to_bytes(2, "big"))
    tag = token()
    client = await RawClient.connect(server.mx)
    try:
        await client.send(v2)
        await _deliver(client, tag)
    finally:
        await client.close()
    (stored,) = server.province.find("vinhtv", tag)
    assert b"[198.51.100.4]" in stored.split(b"\r\n\r\n", 1)[0]


async def test_a_load_balancer_connection_without_a_header_is_dropped(server: SmtpServer) -> None:
    server.listeners.state.proxy_from = (ipaddress.ip_network("127.0.0.1/32"),)
    client = await RawClient.connect(server.mx)
    try:
        await client.send(b"EHLO mail.example.org\r\n")
        assert await client.at_eof()
    finally:
        await client.close()


async def test_other_clients_are_not_read_for_a_header(server: SmtpServer) -> None:
    server.listeners.state.proxy_from = (ipaddress.ip_network("10.0.0.0/8"),)
    client = await RawClient.connect(server.mx)
    try:
        assert (await client.reply()).startswith("220 ")
        reply = await client.command("PROXY TCP4 203.0.113.9 127.0.0.1 51515 25")
        assert reply.startswith("500")  # an unknown command, not a way to claim another address
    finally:
        await client.close()
