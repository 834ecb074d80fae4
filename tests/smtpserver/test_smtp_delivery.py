"""Mail from the Internet on the MX port: delivery to accounts, aliases and rule groups, the RCPT answers for
unknown, disabled and closed mailboxes, no relaying, and the stored bytes read back exactly."""

from __future__ import annotations

import asyncio
import re
import smtplib

import aiosmtplib
import pytest
from smtp_harness import DOMAIN, Province, RawClient, SmtpServer, message, token

from congvu.security.dns import StaticResolver
from congvu.smtpserver import default_services, start_smtp_listeners
from congvu.smtpserver.mailauth import MailAuthChecker


async def _send(port: int, sender: str, recipients: list[str], raw: bytes) -> tuple[dict[str, tuple[int, str]], str]:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=20) as client:
        refused, reply = await client.sendmail(sender, recipients, raw)
    return refused, reply


async def test_delivery_to_an_account_is_durable_and_byte_exact(server: SmtpServer) -> None:
    tag = token()
    raw = message(sender="Người dân <nguoidan@example.org>", to=f"vinhtv@{DOMAIN}", subject=f"Hỏi việc {tag}",
                  body="Kính gửi anh Vinh,\r\nTôi xin hỏi về thủ tục.\r\n.dòng bắt đầu bằng dấu chấm\r\n")
    _refused, reply = await _send(server.mx, "nguoidan@example.org", [f"vinhtv@{DOMAIN}"], raw)
    assert reply.startswith("2.0.0 Message accepted") or "accepted" in reply
    stored = server.province.find("vinhtv", tag)
    assert len(stored) == 1
    got = stored[0]
    # Return-Path, then our Received, then the message exactly as sent.
    assert got.startswith(b"Return-Path: <nguoidan@example.org>\r\nReceived: from ")
    assert got.endswith(raw)
    received = got[len(b"Return-Path: <nguoidan@example.org>\r\n"):len(got) - len(raw)].decode()
    assert re.search(r"by mail\.dongnai\.gov\.vn with ESMTP id [0-9A-F]{12}\r\n\tfor <vinhtv@dongnai\.gov\.vn>;",
                     received), received
    assert "[127.0.0.1]" in received


async def test_alias_and_rule_group_expand_at_delivery(server: SmtpServer) -> None:
    province = server.province
    tag = token()
    raw = message(sender="congdan@example.org", to=f"lanhdao@{DOMAIN}, cacso@{DOMAIN}", subject=f"Góp ý {tag}")
    refused, _ = await _send(server.mx, "congdan@example.org", [f"lanhdao@{DOMAIN}", f"cacso@{DOMAIN}"], raw)
    assert refused == {}
    for who in ("vinhtv", "lannt", "stttt", "snv"):
        found = province.find(who, tag)
        assert len(found) == 1, who
        assert found[0].endswith(raw)
        assert b"\tfor <" not in found[0]  # two recipients: none named in Received
    assert province.find("ubnd", tag) == []  # the province itself is not a department


async def test_rcpt_answers_say_why(server: SmtpServer) -> None:
    accounts = server.province.inst.directory.accounts
    moved_away = accounts.add(full_name="Lý Thị Thu", agency="H19.04", password=None).account.address
    accounts.remove(moved_away, reason="Chuyển công tác", moved_to="thu.lt@binhduong.gov.vn")
    client = await RawClient.connect(server.mx)
    try:
        assert (await client.reply()).startswith("220 mail.dongnai.gov.vn ESMTP")
        ehlo = await client.command("EHLO client.example.org")
        assert "250-ENHANCEDSTATUSCODES" in ehlo and "250-PIPELINING" in ehlo and "STARTTLS" in ehlo
        assert "AUTH" not in ehlo  # no AUTH on the MX port
        assert (await client.command("MAIL FROM:<someone@example.org>")).startswith("250 2.1.0")
        unknown = await client.command(f"RCPT TO:<khongco@{DOMAIN}>")
        assert unknown.startswith("550 5.1.1") and "no such mailbox" in unknown
        disabled = await client.command(f"RCPT TO:<antt@{DOMAIN}>")
        assert disabled.startswith("550 5.2.1") and "disabled" in disabled
        removed = await client.command(f"RCPT TO:<binhlv@{DOMAIN}>")
        assert removed.startswith("550 5.1.6") and "closed" in removed
        moved = await client.command(f"RCPT TO:<{moved_away}>")  # RFC 5321 §3.4: 551, with the address to try
        assert moved.startswith("551 5.1.6") and "please try <thu.lt@binhduong.gov.vn>" in moved
        relay = await client.command("RCPT TO:<victim@example.com>")
        assert relay.startswith("550 5.7.1") and "relaying denied" in relay
        percent = await client.command(f"RCPT TO:<victim%example.com@{DOMAIN}>")
        assert percent.startswith("550 5.1.1")
        assert (await client.command("RCPT TO:<Postmaster>")).startswith("250 2.1.5")
        assert (await client.command("DATA")).startswith("354")
        tag = token()
        await client.send(f"Subject: {tag}\r\n\r\nhello\r\n.\r\n".encode())
        assert (await client.reply()).startswith("250 2.0.0")
        assert (await client.command("QUIT")).startswith("221 2.0.0")
    finally:
        await client.close()
    assert len(server.province.find("admin", tag)) == 1  # postmaster@ is an alias of the administrator


async def test_never_an_open_relay_even_with_a_local_sender(server: SmtpServer) -> None:
    def relay() -> None:
        with smtplib.SMTP("127.0.0.1", server.mx, timeout=20) as client:
            client.ehlo("spammer.example")
            client.sendmail(f"vinhtv@{DOMAIN}", ["target@gmail.com"], b"Subject: x\r\n\r\nspam\r\n")

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await asyncio.to_thread(relay)
    code, text = refused.value.recipients["target@gmail.com"]
    assert code == 550 and b"5.7.1" in text
    assert server.province.queued("target@gmail.com") == []


async def test_starttls_on_the_mx_port(server: SmtpServer) -> None:
    tag = token()
    raw = message(sender="a@example.org", to=f"snv@{DOMAIN}", subject=tag)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=True,
                               tls_context=server.client_tls(), timeout=20) as client:
        await client.sendmail("a@example.org", [f"snv@{DOMAIN}"], raw)
    stored = server.province.find("snv", tag)
    assert len(stored) == 1
    assert b"with ESMTPS id" in stored[0] and b"(TLSv1." in stored[0]


async def test_listeners_with_the_installation_defaults(province: Province) -> None:
    services = default_services(province.inst, resolver=StaticResolver())
    assert isinstance(services.inbound_auth, MailAuthChecker) and services.outbound is not None
    assert services.usage is province.inst.usage and services.limits.max_recipients == 100
    listeners = await start_smtp_listeners(province.inst, host="127.0.0.1", smtp_port=-1, submission_port=0,
                                           smtps_port=0, services=services)
    try:
        assert [b.name for b in listeners.bound] == ["smtp"] and listeners.port("submission") is None
        client = await RawClient.connect(listeners.bound[0].port)
        assert (await client.reply()).startswith("220 ")
        await client.close()
    finally:
        await listeners.close()
        services.mailstore.close()
    # Without services: everything built from the installation (nothing is sent here, so no DNS is asked).
    owned = await start_smtp_listeners(province.inst, host="127.0.0.1", smtp_port=0, submission_port=-1,
                                       smtps_port=-1)
    assert [b.name for b in owned.bound] == ["submission", "submissions"]
    await owned.close()
