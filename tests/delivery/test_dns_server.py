"""The network resolver against a real authoritative server (NSD on loopback), and inbound authentication of
a signed message with every record served over DNS."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nsd_peer import NsdServer, Zone

from congvu.config.settings import DataDir, Settings
from congvu.delivery.config import DeliverySettings
from congvu.delivery.resolver import NetworkResolver
from congvu.delivery.routing import Target, resolve_targets
from congvu.delivery.signing import DkimKey, dkim_sign
from congvu.installation.keys import dkim_dns_value, make_dkim_key
from congvu.mail.compose import build_message
from congvu.security.dns import MxRecord, NxDomain
from congvu.security.mailauth import Disposition, evaluate_inbound

pytestmark = pytest.mark.skipif(shutil.which("nsd") is None, reason="needs NSD (scripts/test-packages.txt)")

LONG_TXT = "v=DKIM1; k=rsa; p=" + "A" * 400


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dkim") / "sel.key"
    make_dkim_key(path)
    return path


@pytest.fixture(scope="module")
def nsd(tmp_path_factory: pytest.TempPathFactory, dkim_key: Path) -> Iterator[NsdServer]:
    zone = (Zone("sender.test")
            .add("", "MX", "10 mx1.sender.test.").add("", "MX", "20 mx2.sender.test.")
            .add("mx1", "A", "127.0.0.1").add("mx1", "AAAA", "::1").add("mx2", "A", "127.0.0.2")
            .add("", "TXT", "v=spf1 ip4:127.0.0.0/8 -all")
            .add("sel._domainkey", "TXT", dkim_dns_value(dkim_key))
            .add("_dmarc", "TXT", "v=DMARC1; p=reject")
            .add("long", "TXT", LONG_TXT)
            .add("nomail", "MX", "0 ."))
    server = NsdServer(tmp_path_factory.mktemp("nsd"), [zone]).start()
    try:
        yield server
    finally:
        server.stop()


def resolver_for(nsd: NsdServer) -> NetworkResolver:
    settings = Settings(data=DataDir(Path("/nonexistent")), domain="dongnai.gov.vn", org_name="x",
                        hostname="mail.dongnai.gov.vn", database_url="sqlite://",
                        raw={"dns": {"resolver": nsd.address, "timeout_s": 3}})
    return NetworkResolver.from_settings(settings)


async def test_lookups_over_the_network(nsd: NsdServer) -> None:
    resolver = resolver_for(nsd)
    assert await resolver.mx("sender.test") == (MxRecord(10, "mx1.sender.test"), MxRecord(20, "mx2.sender.test"))
    assert await resolver.a("mx1.sender.test") == ("127.0.0.1",)
    assert await resolver.aaaa("mx1.sender.test") == ("::1",)
    assert await resolver.txt("long.sender.test") == (LONG_TXT,)  # character-strings joined
    assert await resolver.mx("mx1.sender.test") == ()  # the name exists, no MX: NODATA
    with pytest.raises(NxDomain):
        await resolver.a("missing.sender.test")
    assert await resolver.mx("nomail.sender.test") == (MxRecord(0, ""),)
    settings = DeliverySettings(hostname="mail.dongnai.gov.vn", domain="dongnai.gov.vn",
                                local_domains=("dongnai.gov.vn",))
    targets = await resolve_targets("sender.test", settings, resolver)
    assert targets == (Target("mx1.sender.test", "::1"), Target("mx1.sender.test", "127.0.0.1"),
                       Target("mx2.sender.test", "127.0.0.2"))


async def test_inbound_authentication_with_records_over_dns(nsd: NsdServer, dkim_key: Path) -> None:
    raw = build_message(from_addr="Phạm Thị Hoa <hoa@sender.test>", to=["vinhtv@dongnai.gov.vn"],
                        subject="Báo cáo tháng", text="Kính gửi.")
    signed = dkim_sign(raw, DkimKey("sel", dkim_key.read_bytes()), "sender.test")
    resolver = resolver_for(nsd)
    good = await evaluate_inbound(raw=signed, client_ip="127.0.0.1", helo="mx1.sender.test",
                                  mail_from="hoa@sender.test", resolver=resolver, authserv_id="mail.dongnai.gov.vn")
    assert (good.spf.result, good.dkim[0].result, good.dmarc.result) == ("pass", "pass", "pass")
    assert good.disposition == Disposition.ACCEPT
    forged = await evaluate_inbound(raw=raw, client_ip="192.0.2.77", helo="elsewhere.example",
                                    mail_from="hoa@sender.test", resolver=resolver)
    assert (forged.spf.result, forged.dmarc.result, forged.disposition) == ("fail", "fail", Disposition.REJECT)
