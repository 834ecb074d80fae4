"""Delivery between CôngVụ and a real Postfix run as another organisation's server on loopback.

Postfix (own config_directory and queue in a temporary folder) hosts ``example.test`` with Maildir mailboxes,
accepts ``moved@example.test`` and then bounces it (a pipe transport exiting with EX_NOUSER), and relays mail for
``dongnai.gov.vn`` to our MX port. Our side runs the real SMTP listener with the outbound queue and worker.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosmtplib
import pytest
from delivery_peers import PostfixPeer, free_port, inbox_messages, postfix_available, with_config

from congvu.delivery.clock import FakeClock
from congvu.delivery.dsnparams import DsnEnvelope, parse_rcpt
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.service import build_worker
from congvu.installation import Installation
from congvu.installation.keys import dkim_dns_value
from congvu.mail.compose import build_message
from congvu.mail.fields import split_header
from congvu.security.authresults import parse_results
from congvu.security.dkimverify import DkimResult, verify_dkim
from congvu.security.dns import StaticResolver
from congvu.smtpserver.listeners import default_services, start_smtp_listeners

pytestmark = pytest.mark.skipif(not postfix_available() or os.geteuid() != 0,
                                reason="needs Postfix (scripts/test-packages.txt) and root to start it")

SENDER = "admin@dongnai.gov.vn"


@pytest.fixture(scope="module")
def mx_port() -> int:
    """The port our MX listens on in every test of this module (Postfix's transport map points at it)."""
    return free_port()


@pytest.fixture(scope="module")
def postfix(mx_port: int) -> Iterator[PostfixPeer]:
    # Postfix's own users must reach the folder, so not under pytest's private temporary root.
    folder = Path(tempfile.mkdtemp(prefix="congvu-postfix-"))
    peer = PostfixPeer(folder, domain="example.test", mailboxes=["alice", "moved"],
                       transports={"dongnai.gov.vn": f"smtp:[127.0.0.1]:{mx_port}",
                                   "moved@example.test": "nouser:"})
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()
        shutil.rmtree(folder, ignore_errors=True)


def zone(inst: Installation) -> StaticResolver:
    assert inst.settings.dkim_key is not None
    return StaticResolver(txt_records={
        "example.test": ["v=spf1 ip4:127.0.0.0/8 -all"],
        "mx.example.test": ["v=spf1 ip4:127.0.0.0/8 -all"],  # the HELO name, checked for bounces (null sender)
        "_dmarc.example.test": ["v=DMARC1; p=reject"],
        "congvu._domainkey.dongnai.gov.vn": [dkim_dns_value(inst.settings.dkim_key)],
    })


@asynccontextmanager
async def our_mx(inst: Installation, port: int, queue: OutboundQueue) -> AsyncIterator[None]:
    services = default_services(inst, resolver=zone(inst), outbound=queue)
    listeners = await start_smtp_listeners(inst, host="127.0.0.1", smtp_port=port, submission_port=0,
                                           smtps_port=0, services=services)
    try:
        yield
    finally:
        await listeners.close()


async def wait_for_inbox(inst: Installation, address: str, peer: PostfixPeer, timeout_s: float = 20) -> list[bytes]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        found = await asyncio.to_thread(inbox_messages, inst, address)
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing in {address} after {timeout_s}s; Postfix log:\n{peer.log()[-3000:]}")


@pytest.fixture
def routed(installation: Installation, postfix: PostfixPeer) -> Installation:
    return with_config(installation, routes={"example.test": f"127.0.0.1:{postfix.port}"})


async def test_we_deliver_to_postfix_and_it_refuses_an_unknown_user(routed: Installation,
                                                                    postfix: PostfixPeer) -> None:
    clock = FakeClock()
    queue = OutboundQueue(routed, clock=clock)
    worker = build_worker(routed, resolver=zone(routed), clock=clock, queue=queue)
    raw = build_message(from_addr=("Quản trị hệ thống", SENDER), to=["alice@example.test"],
                        subject="Thông báo lịch họp", text="Kính gửi chị Alice,\nLịch họp: thứ Hai, 8 giờ.")
    before = len(postfix.messages("alice"))  # Postfix serves the whole module: earlier tests' mail stays
    queue.enqueue(mail_from=SENDER, recipients=["alice@example.test", "nobody@example.test"], raw=raw,
                  submitted_by=None)
    await worker.run_once()
    arrived = (await asyncio.to_thread(postfix.wait_for_messages, "alice", before + 1))[-1]
    assert b"Return-Path: <admin@dongnai.gov.vn>" in arrived
    assert b"with ESMTPS" in arrived  # Postfix saw STARTTLS
    [signature] = await verify_dkim(arrived, zone(routed))
    assert signature.result == DkimResult.PASS
    assert "Lịch họp".encode() not in arrived  # sent 7-bit clean (quoted-printable), as signed
    # Postfix refused nobody@ at RCPT: a DSN is in the sender's mailbox at once.
    [report] = inbox_messages(routed, SENDER)
    assert b"Final-Recipient: rfc822; nobody@example.test" in report
    assert b"Status: 5.1.1" in report and b"Remote-MTA: dns; 127.0.0.1" in report
    assert queue.list() == ()


async def test_postfix_relays_to_our_mx_with_authentication_results(routed: Installation, postfix: PostfixPeer,
                                                                    mx_port: int) -> None:
    queue = OutboundQueue(routed)
    async with our_mx(routed, mx_port, queue):
        raw = build_message(from_addr=("Hoa", "hoa@example.test"), to=[SENDER], subject="Xin gặp",
                            text="Chào anh.")
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=postfix.port, start_tls=False) as client:
            await client.sendmail("hoa@example.test", [SENDER], raw)
        [arrived] = await wait_for_inbox(routed, SENDER, postfix)
    header = split_header(arrived)
    results = header.value("authentication-results")
    assert results is not None
    authserv, methods = parse_results(results.decode())
    assert authserv == "mail.dongnai.gov.vn"
    assert methods["spf"] == "pass" and methods["dmarc"] == "pass"  # SPF aligned with From
    assert b"by mx.example.test (Postfix)" in arrived


async def test_a_late_bounce_from_postfix_reaches_our_sender(routed: Installation, postfix: PostfixPeer,
                                                            mx_port: int) -> None:
    clock = FakeClock()
    queue = OutboundQueue(routed, clock=clock)
    worker = build_worker(routed, resolver=zone(routed), clock=clock, queue=queue)
    async with our_mx(routed, mx_port, queue):
        raw = build_message(from_addr=SENDER, to=["moved@example.test"], subject="Công văn 15/UBND",
                            text="Kính gửi.")
        queue.enqueue(mail_from=SENDER, recipients=["moved@example.test"], raw=raw, submitted_by=None)
        await worker.run_once()
        assert queue.list() == ()  # Postfix took it (250), then bounced it on its side
        [report] = await wait_for_inbox(routed, SENDER, postfix)
    assert b"multipart/report" in report and b"report-type=delivery-status" in report
    assert b"Final-Recipient: rfc822; moved@example.test" in report
    assert b"Status: 5.1.1" in report
    assert b"Return-Path: <>" in report and b"MAILER-DAEMON@example.test" in report  # Postfix's, not ours



async def test_postfix_takes_over_our_dsn_request_and_reports_delivery(routed: Installation, postfix: PostfixPeer,
                                                                      mx_port: int) -> None:
    clock = FakeClock()
    queue = OutboundQueue(routed, clock=clock)
    worker = build_worker(routed, resolver=zone(routed), clock=clock, queue=queue)
    async with our_mx(routed, mx_port, queue):
        raw = build_message(from_addr=SENDER, to=["alice@example.test"], subject="Báo cáo tháng 12",
                            text="Kính gửi chị Alice.")
        queue.enqueue(mail_from=SENDER, recipients=["alice@example.test"], raw=raw, submitted_by=None,
                      dsn=DsnEnvelope("HDRS", "BC-12/2026"),
                      recipient_dsn={"alice@example.test": parse_rcpt(["NOTIFY=SUCCESS",
                                                                       "ORCPT=rfc822;Alice@Example.test"])})
        await worker.run_once()
        assert queue.list() == ()
        [report] = await wait_for_inbox(routed, SENDER, postfix)  # Postfix's "delivered", no "relayed" of ours
    assert b"MAILER-DAEMON@example.test" in report and b"Reporting-MTA: dns; mx.example.test" in report
    assert b"Original-Envelope-Id: BC-12/2026" in report
    assert b"Original-Recipient: rfc822;Alice@Example.test" in report.replace(b"; ", b";")
    assert b"Action: delivered" in report


async def test_postfix_passes_a_dsn_request_to_our_mx_and_gets_our_delivered_report(
        routed: Installation, postfix: PostfixPeer, mx_port: int) -> None:
    clock = FakeClock()
    queue = OutboundQueue(routed, clock=clock)
    worker = build_worker(routed, resolver=zone(routed), clock=clock, queue=queue)
    before = len(postfix.messages("alice"))
    async with our_mx(routed, mx_port, queue):
        raw = build_message(from_addr=("Alice", "alice@example.test"), to=[SENDER], subject="Đề nghị phối hợp",
                            text="Kính gửi quý cơ quan.")
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=postfix.port, start_tls=False) as client:
            await client.mail("alice@example.test", options=["RET=HDRS", "ENVID=DN+2B42"])
            await client.rcpt(SENDER, options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;Admin@DongNai.gov.vn"])
            await client.data(raw)
        [arrived] = await wait_for_inbox(routed, SENDER, postfix)  # Postfix relayed it to our MX with NOTIFY
        assert b"Subject: =?utf-8?" in arrived
        async with asyncio.timeout(10):  # the report is queued once the copy is durable, before the 250
            while not await asyncio.to_thread(queue.list):
                await asyncio.sleep(0.05)
        await worker.run_once()  # our "delivered" report, queued for alice@ (outside), goes to Postfix
        report = (await asyncio.to_thread(postfix.wait_for_messages, "alice", before + 1))[-1]
    assert b"Reporting-MTA: dns; mail.dongnai.gov.vn" in report
    assert b"Original-Envelope-Id: DN+2B42" in report
    assert b"Original-Recipient: rfc822; Admin@DongNai.gov.vn" in report
    assert b"Final-Recipient: rfc822; admin@dongnai.gov.vn\nAction: delivered\nStatus: 2.0.0" in \
        report.replace(b"\r\n", b"\n")  # Maildir keeps LF line ends
    assert b"Return-Path: <>" in report
