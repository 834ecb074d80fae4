"""Reports on forwarded mail: a message forwarded outside leaves with an SRS sender of ours; when our own worker
fails it for good (a real SMTP peer on loopback answering 550) or warns of its delay, the report goes to the
original outside sender the SRS address stands for, not to the SRS address (which has no mailbox). A forged or
expired SRS address gets no report and does not stop the worker."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from delivery_peers import SmtpPeer, with_config

from congvu.delivery.clock import FakeClock
from congvu.delivery.forwarding import sender_rewriter
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.service import build_worker
from congvu.installation import Installation
from congvu.mail.compose import build_message
from congvu.mail.fields import split_header
from congvu.mail.srs import SenderRewriter
from congvu.security.dns import StaticResolver

ORIGINAL = "someone@example.test"  # an outside sender whose mail one of our aliases forwarded outside


def letter() -> bytes:
    return build_message(from_addr=("Người gửi", ORIGINAL), to=["chuyentiep@dongnai.gov.vn"],
                         subject="Công văn chuyển tiếp", text="Kính gửi quý cơ quan.")


def rewriter(inst: Installation) -> SenderRewriter:
    srs = sender_rewriter(inst.settings)
    assert srs is not None  # [delivery] srs is on unless set to false
    return srs


async def test_a_permanent_failure_is_reported_to_the_original_sender(routed: Installation, queue: OutboundQueue,
                                                                      clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    srs_sender = rewriter(routed).forward(ORIGINAL, now=clock.now().timestamp())
    assert srs_sender.startswith("SRS0=") and srs_sender.endswith("@" + routed.settings.domain)
    worker = build_worker(routed, resolver=StaticResolver(), clock=clock, queue=queue)
    queue.enqueue(mail_from=srs_sender, recipients=["gone@example.test"], raw=letter(), submitted_by=None)
    await worker.run_once()
    assert smtp_peer.handler.received == []  # the peer refused the recipient with 550
    [report] = queue.list()
    assert report.mail_from == "" and report.is_report
    assert [r.recipient for r in report.recipients] == [ORIGINAL]
    raw = queue.read(report)
    assert split_header(raw).value("to") == f"<{ORIGINAL}>".encode()
    assert b"Final-Recipient: rfc822; gone@example.test\r\nAction: failed\r\nStatus: 5.1.1" in raw
    assert b"Diagnostic-Code: smtp; 550 5.1.1 No such user here" in raw
    # The next pass carries the report to the original sender's server, with a null sender.
    await worker.run_once()
    [delivered] = smtp_peer.handler.received
    assert delivered.mail_from in ("", "<>") and delivered.recipients == [ORIGINAL]
    assert b"Final-Recipient: rfc822; gone@example.test" in delivered.data
    assert queue.list() == ()


async def test_a_delay_warning_also_reaches_the_original_sender(routed: Installation, clock: FakeClock,
                                                                smtp_peer: SmtpPeer) -> None:
    inst = with_config(routed, routes=routed.settings.delivery_routes, delivery={"delay_warning_hours": 0.25})
    queue = OutboundQueue(inst, clock=clock)
    worker = build_worker(inst, resolver=StaticResolver(), clock=clock, queue=queue)
    srs_sender = rewriter(inst).forward(ORIGINAL, now=clock.now().timestamp())
    qid = queue.enqueue(mail_from=srs_sender, recipients=["temp@example.test"], raw=letter(), submitted_by=None)
    await worker.run_once()
    clock.advance(16 * 60)
    await worker.run_once()
    [report] = [m for m in queue.list() if m.id != qid]
    assert report.is_report and [r.recipient for r in report.recipients] == [ORIGINAL]
    raw = queue.read(report)
    assert b"Final-Recipient: rfc822; temp@example.test\r\nAction: delayed" in raw


@pytest.mark.parametrize("kind", ["forged", "expired"])
async def test_an_srs_sender_that_does_not_reverse_gets_no_report(
        routed: Installation, queue: OutboundQueue, clock: FakeClock, smtp_peer: SmtpPeer, kind: str,
        caplog: pytest.LogCaptureFixture) -> None:
    domain = routed.settings.domain
    if kind == "forged":
        sender = f"SRS0=AbCd=AA=example.test=someone@{domain}"
    else:
        made = clock.now() - timedelta(days=30)  # older than the 21 days an SRS address is honoured
        sender = rewriter(routed).forward(ORIGINAL, now=made.timestamp())
    worker = build_worker(routed, resolver=StaticResolver(), clock=clock, queue=queue)
    queue.enqueue(mail_from=sender, recipients=["gone@example.test"], raw=letter(), submitted_by=None)
    with caplog.at_level(logging.WARNING, logger="congvu.delivery"):
        await worker.run_once()
    assert queue.list() == ()  # the failed message settled, and no report was queued
    [warning] = [r.getMessage() for r in caplog.records if sender in r.getMessage()]
    assert "không hợp lệ hoặc đã hết hạn" in warning
    assert ("does not match" if kind == "forged" else "expired") in warning
    await worker.run_once()
    assert smtp_peer.handler.received == []


async def test_with_srs_off_the_worker_has_no_rewriter(routed: Installation, clock: FakeClock) -> None:
    inst = with_config(routed, routes=routed.settings.delivery_routes, delivery={"srs": False})
    assert sender_rewriter(inst.settings) is None
    assert build_worker(inst, resolver=StaticResolver(), clock=clock).srs is None
    assert build_worker(routed, resolver=StaticResolver(), clock=clock).srs is not None
