"""Finding the hosts for a domain (MX, implicit MX, null MX, static routes), MTA-STS policies, and the SMTP
client's TLS behaviour against a real listener."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
from delivery_peers import SmtpPeer

from congvu.delivery.clock import FakeClock
from congvu.delivery.config import DeliverySettings, HostPort, parse_host_port
from congvu.delivery.mtasts import MtaStsCache, https_fetch, parse_policy, record_id
from congvu.delivery.routing import RouteError, Target, resolve_targets
from congvu.delivery.transport import HostsUnavailable, SmtpClient, TlsPolicy, mx_matches
from congvu.errors import ConfigError
from congvu.security.dns import StaticResolver

SETTINGS = DeliverySettings(hostname="mail.dongnai.gov.vn", domain="dongnai.gov.vn",
                            local_domains=("dongnai.gov.vn",),
                            routes={"tinh.example": HostPort("10.1.1.1", 2525), ".gov.example": HostPort("relay", 25)})

ZONE = StaticResolver(
    mx_records={"multi.example": [(20, "backup.multi.example"), (10, "mx1.multi.example")],
                "null.example": [(0, ".")],
                "loop.example": [(5, "mx.loop.example"), (10, "mail.dongnai.gov.vn"), (20, "late.loop.example")]},
    a_records={"mx1.multi.example": ["192.0.2.1"], "backup.multi.example": ["192.0.2.2"],
               "implicit.example": ["192.0.2.3"], "mx.loop.example": ["192.0.2.4"],
               "late.loop.example": ["192.0.2.5"], "mail.dongnai.gov.vn": ["192.0.2.9"]},
    aaaa_records={"mx1.multi.example": ["2001:db8::1"]},
    temporary=frozenset({"flaky.example"}))


async def test_mx_order_implicit_mx_and_static_routes() -> None:
    targets = await resolve_targets("multi.example", SETTINGS, ZONE)
    assert [(t.name, t.address) for t in targets] == [
        ("mx1.multi.example", "2001:db8::1"), ("mx1.multi.example", "192.0.2.1"),
        ("backup.multi.example", "192.0.2.2")]
    assert await resolve_targets("implicit.example", SETTINGS, ZONE) == (Target("implicit.example", "192.0.2.3"),)
    assert await resolve_targets("TINH.example", SETTINGS, ZONE) == (Target("10.1.1.1", "10.1.1.1", 2525),)
    assert await resolve_targets("so.gov.example", SETTINGS, ZONE) == (Target("relay", "relay", 25),)
    # Only hosts preferred over ourselves (RFC 5321 §5.1).
    assert [t.name for t in await resolve_targets("loop.example", SETTINGS, ZONE)] == ["mx.loop.example"]


@pytest.mark.parametrize("domain, permanent, enhanced", [("nowhere.example", True, "5.1.2"),
                                                         ("null.example", True, "5.1.10"),
                                                         ("flaky.example", False, "4.4.3")])
async def test_route_failures(domain: str, permanent: bool, enhanced: str) -> None:
    with pytest.raises(RouteError) as caught:
        await resolve_targets(domain, SETTINGS, ZONE)
    assert (caught.value.permanent, caught.value.enhanced) == (permanent, enhanced)


def test_host_port_parsing() -> None:
    assert parse_host_port("127.0.0.1:2525", default_port=25, name="x") == HostPort("127.0.0.1", 2525)
    assert parse_host_port("[2001:db8::1]:26", default_port=25, name="x") == HostPort("2001:db8::1", 26)
    assert parse_host_port("smarthost.example", default_port=25, name="x") == HostPort("smarthost.example", 25)
    with pytest.raises(ConfigError):
        parse_host_port("host:port", default_port=25, name="delivery.routes.x")


POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmx: *.backup.example.test\r\nmax_age: 86400\r\n"


async def test_mta_sts_policy_discovery_and_cache() -> None:
    fetched: list[str] = []
    answers = {"mta-sts.example.test": POLICY, "mta-sts.testing.example": POLICY.replace("enforce", "testing")}

    async def fetch(host: str) -> str:
        fetched.append(host)
        if host not in answers:
            raise OSError("no policy host")
        return answers[host]

    zone = StaticResolver(txt_records={"_mta-sts.example.test": ["v=STSv1; id=20260101"],
                                       "_mta-sts.testing.example": ["v=STSv1; id=1"]})
    clock = FakeClock()
    cache = MtaStsCache(zone, clock=clock, fetch=fetch)
    policy = await cache.policy_for("example.test")
    assert policy == TlsPolicy(required=True, allowed_hosts=("mx.example.test", "*.backup.example.test"))
    assert await cache.policy_for("example.test") == policy and fetched == ["mta-sts.example.test"]
    assert await cache.policy_for("testing.example") is None  # testing mode: delivery stays opportunistic
    assert await cache.policy_for("plain.example") is None  # no record, no fetch
    zone.txt_records = {**zone.txt_records, "_mta-sts.example.test": ["v=STSv1; id=20260202"]}  # type: ignore[misc]
    answers.pop("mta-sts.example.test")
    assert await cache.policy_for("example.test") == policy  # refresh failed: the cached policy holds (§5.1)
    clock.advance(86401)
    assert await cache.policy_for("example.test") is None  # expired and not refetchable
    assert fetched.count("mta-sts.example.test") == 3


def test_mta_sts_parsing() -> None:
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 10\n") is not None
    assert parse_policy("version: STSv1\nmode: enforce\nmax_age: 10\n") is None  # enforce without mx
    assert parse_policy("version: STSv2\nmode: none\nmax_age: 10\n") is None
    assert record_id(("v=STSv1; id=abc123;",)) == "abc123"
    assert record_id(("v=STSv1; id=abc123", "v=STSv1; id=x")) is None
    assert mx_matches("a.backup.example.test", ["*.backup.example.test"])
    assert not mx_matches("a.b.backup.example.test", ["*.backup.example.test"])
    assert mx_matches("mx.example.test", ["mx.example.test"]) and not mx_matches("evil.test", ["mx.example.test"])


async def test_required_tls_checks_the_certificate(smtp_peer: SmtpPeer, peer_certificate: Path) -> None:
    target = Target("mx.example.test", "127.0.0.1", smtp_peer.port)
    required = TlsPolicy(required=True, allowed_hosts=("mx.example.test",))
    untrusting = SmtpClient(helo="mail.dongnai.gov.vn", connect_timeout_s=5, command_timeout_s=10)
    with pytest.raises(HostsUnavailable, match="TLS"):
        await untrusting.send([target], mail_from="a@dongnai.gov.vn", recipients=["an@example.test"],
                              data=b"Subject: x\r\n\r\nx\r\n", tls=required)
    with pytest.raises(HostsUnavailable, match="MTA-STS"):
        await untrusting.send([Target("other.example", "127.0.0.1", smtp_peer.port)], mail_from="a@dongnai.gov.vn",
                              recipients=["an@example.test"], data=b"x\r\n", tls=required)
    trusting = SmtpClient(helo="mail.dongnai.gov.vn", verified_context=ssl.create_default_context(
        cafile=str(peer_certificate)))
    result = await trusting.send([target], mail_from="a@dongnai.gov.vn", recipients=["an@example.test"],
                                 data=b"Subject: x\r\n\r\nx\r\n", tls=required)
    assert result.tls and result.replies["an@example.test"].success
    assert smtp_peer.handler.received[-1].tls


async def test_policy_fetched_over_https(peer_tls: ssl.SSLContext, peer_certificate: Path) -> None:
    requests: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        body = POLICY.encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=peer_tls)
    port = server.sockets[0].getsockname()[1]
    # The peer's certificate names mx.example.test; pretend the policy host is that name.
    zone = StaticResolver(a_records={"mx.example.test": ["127.0.0.1"]})
    trusting = ssl.create_default_context(cafile=str(peer_certificate))
    async with server:
        text = await https_fetch(zone, "mx.example.test", port=port, context=trusting)
        with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):  # RFC 8461 §3.3: a valid certificate
            await https_fetch(zone, "mx.example.test", port=port)
    assert parse_policy(text) == parse_policy(POLICY)
    assert requests[0].startswith(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mx.example.test\r\n")
