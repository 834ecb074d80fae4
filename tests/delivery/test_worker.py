"""The delivery worker against a real SMTP peer on loopback, with a fake clock: delivery over STARTTLS,
retries with backoff, expiry, and DSNs to local senders (through the mail store) and remote ones (queued)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import timedelta

from delivery_peers import SmtpPeer, inbox_messages, with_config

from congvu.delivery.clock import FakeClock
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.service import build_worker
from congvu.delivery.worker import DeliveryWorker
from congvu.installation import Installation
from congvu.mail.compose import build_message
from congvu.mail.fields import split_header
from congvu.security.dns import StaticResolver

SENDER = "admin@dongnai.gov.vn"


def letter(subject: str = "Giấy mời họp giao ban") -> bytes:
    return build_message(from_addr=("Quản trị", SENDER), to=["an@example.test"], subject=subject,
                         text="Kính mời đồng chí dự họp lúc 8 giờ.")


def readable_part(report: bytes) -> str:
    """The human-readable first part of a DSN, decoded."""
    parsed = email.message_from_bytes(report, policy=email.policy.default)
    first = next(part for part in parsed.walk() if part.get_content_type() == "text/plain")
    return str(first.get_content())  # type: ignore[attr-defined]


def worker_for(inst: Installation, queue: OutboundQueue, clock: FakeClock) -> DeliveryWorker:
    return build_worker(inst, resolver=StaticResolver(), clock=clock, queue=queue)


async def test_the_loop_delivers_over_starttls_in_one_transaction(routed: Installation, queue: OutboundQueue,
                                                                  clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    worker = worker_for(routed, queue, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    # Enqueued from another thread, as the SMTP server does: the worker wakes without waiting for a poll.
    await asyncio.to_thread(queue.enqueue, mail_from=SENDER, recipients=["an@example.test", "binh@example.test"],
                            raw=letter(), submitted_by=None)
    async with asyncio.timeout(10):
        while queue.list():
            await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 10)
    [got] = smtp_peer.handler.received
    assert got.mail_from == SENDER and got.recipients == ["an@example.test", "binh@example.test"]
    assert got.tls
    assert [f.key for f in split_header(got.data).fields][:2] == ["dkim-signature", "received"]
    assert await worker.run_once() == 0  # delivered messages leave the queue


async def test_mixed_outcome_bounces_the_failed_recipient_locally(routed: Installation, queue: OutboundQueue,
                                                                  clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    worker = worker_for(routed, queue, clock)
    queue.enqueue(mail_from=SENDER, recipients=["an@example.test", "gone@example.test"], raw=letter(),
                  submitted_by=None)
    await worker.run_once()
    assert [r.recipients for r in smtp_peer.handler.received] == [["an@example.test"]]
    assert queue.list() == ()
    [report] = inbox_messages(routed, SENDER)
    header = split_header(report)
    assert header.value("to") == f"<{SENDER}>".encode()
    assert header.value("auto-submitted") == b"auto-replied"
    assert b"multipart/report; report-type=delivery-status" in report
    assert b"Final-Recipient: rfc822; gone@example.test\r\nAction: failed\r\nStatus: 5.1.1" in report
    assert b"Diagnostic-Code: smtp; 550 5.1.1 No such user here" in report
    assert b"Remote-MTA: dns; 127.0.0.1" in report
    assert b"an@example.test>:" not in report and b"Final-Recipient: rfc822; an@" not in report
    assert b"Content-Type: text/rfc822-headers" in report and b"Subject: =?utf-8?" in report
    text = readable_part(report)
    assert "không gửi được" in text and "Tiêu đề thư: Giấy mời họp giao ban" in text


async def test_temporary_failures_back_off_then_expire(routed: Installation, queue: OutboundQueue,
                                                       clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    worker = worker_for(routed, queue, clock)
    start = clock.now()
    qid = queue.enqueue(mail_from=SENDER, recipients=["temp@example.test"], raw=letter(), submitted_by=None)
    await worker.run_once()
    [recipient] = queue.get(qid).recipients
    assert (recipient.attempts, recipient.last_code, recipient.last_enhanced) == (1, 451, "4.2.1")
    assert recipient.next_attempt_at == start + timedelta(seconds=60)  # retry_base_s
    assert await worker.run_once() == 0  # not due yet
    clock.advance(60)
    await worker.run_once()
    assert queue.get(qid).recipients[0].next_attempt_at == clock.now() + timedelta(seconds=120)  # doubled
    while queue.list():
        clock.advance(600)
        await worker.run_once()
    assert clock.now() - start <= timedelta(hours=1, minutes=10)  # expire_hours = 1
    [report] = inbox_messages(routed, SENDER)
    assert b"Final-Recipient: rfc822; temp@example.test\r\nAction: failed\r\nStatus: 4.2.1" in report
    assert b"Diagnostic-Code: smtp; 451 4.2.1 Mailbox busy, try later" in report
    assert "hết thời hạn" in readable_part(report) and "<temp@example.test>: 451" in readable_part(report)


async def test_remote_sender_gets_a_queued_report_and_reports_are_never_bounced(
        routed: Installation, queue: OutboundQueue, clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    worker = worker_for(routed, queue, clock)
    # An alias forwarding outside keeps the original (remote) sender.
    queue.enqueue(mail_from="someone@example.test", recipients=["gone@example.test"], raw=letter(),
                  submitted_by=None)
    await worker.run_once()
    [report] = queue.list()
    assert report.mail_from == "" and report.is_report
    assert [r.recipient for r in report.recipients] == ["someone@example.test"]
    await worker.run_once()
    [delivered] = smtp_peer.handler.received
    assert delivered.mail_from in ("", "<>") and delivered.recipients == ["someone@example.test"]
    assert b"Final-Recipient: rfc822; gone@example.test" in delivered.data
    # A report that fails is dropped without a report of its own (RFC 3464 §2).
    queue.enqueue_report(recipient="gone@example.test", raw=letter("Báo lỗi"))
    await worker.run_once()
    assert queue.list() == ()
    assert len(smtp_peer.handler.received) == 1


async def test_refused_data_and_unreachable_hosts(routed: Installation, queue: OutboundQueue, clock: FakeClock,
                                                  smtp_peer: SmtpPeer) -> None:
    smtp_peer.handler.data_reply = "554 5.7.1 Message refused by policy"
    worker = worker_for(routed, queue, clock)
    queue.enqueue(mail_from=SENDER, recipients=["an@example.test"], raw=letter(), submitted_by=None)
    await worker.run_once()
    [report] = inbox_messages(routed, SENDER)
    assert b"Status: 5.7.1" in report and b"554 5.7.1 Message refused by policy" in report
    # A route to a closed port: the host is unreachable, so the recipient waits for a retry.
    closed = with_config(routed, routes={"closed.example": "127.0.0.1:1"})
    other = OutboundQueue(closed, clock=clock)
    qid = other.enqueue(mail_from=SENDER, recipients=["x@closed.example"], raw=letter(), submitted_by=None)
    await worker_for(closed, other, clock).run_once()
    [recipient] = other.get(qid).recipients
    assert recipient.status == "queued" and recipient.last_enhanced == "4.4.1" and recipient.attempts == 1
    # An unknown domain (NXDOMAIN) fails at once.
    lost = other.enqueue(mail_from=SENDER, recipients=["x@nowhere.example"], raw=letter("Lạc"),
                         submitted_by=None)
    await worker_for(closed, other, clock).run_once()
    assert lost not in [m.id for m in other.list()]
    [lost_report] = [m for m in inbox_messages(routed, SENDER) if b"Status: 5.1.2" in m]
    assert b"Diagnostic-Code: X-CongVu; 5.1.2 bad destination system address" in lost_report
    assert "nowhere.example không tồn tại" in readable_part(lost_report)


async def test_utf8_header_fields_are_announced_with_smtputf8(routed: Installation, queue: OutboundQueue,
                                                              clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    """A Subject or display name written in UTF-8 as is (RFC 6532) makes an internationalized message: the MAIL
    command says SMTPUTF8 (RFC 6531) to a server that offers it; a message whose fields are ASCII does not."""
    raw_utf8 = ("From: Quản trị <admin@dongnai.gov.vn>\r\nTo: an@example.test\r\nSubject: Giấy mời họp giao ban\r\n"
                "Message-ID: <utf8-1@dongnai.gov.vn>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                "Kính mời đồng chí dự họp.\r\n").encode()
    queue.enqueue(mail_from=SENDER, recipients=["an@example.test"], raw=raw_utf8, submitted_by=None)
    queue.enqueue(mail_from=SENDER, recipients=["binh@example.test"], raw=letter(), submitted_by=None)
    worker = worker_for(routed, queue, clock)
    assert await worker.run_once() == 2
    by_recipient = {got.recipients[0]: got for got in smtp_peer.handler.received}
    utf8 = by_recipient["an@example.test"]
    assert "SMTPUTF8" in utf8.options and "BODY=8BITMIME" in utf8.options
    assert utf8.data.endswith(raw_utf8)
    assert "SMTPUTF8" not in by_recipient["binh@example.test"].options
