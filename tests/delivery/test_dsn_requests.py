"""The sender's DSN request (RFC 3461) honoured by the outbound queue, against a real SMTP peer that does not offer
DSN (aiosmtpd): NOTIFY=NEVER silences the bounce, SUCCESS gets a "relayed" report, DELAY a delayed-delivery
report once the message has waited ``delay_warning_hours``, RET=FULL returns the whole message in a failure
report, ENVID and ORCPT are echoed."""

from __future__ import annotations

import email
import email.policy

from delivery_peers import SmtpPeer, inbox_messages, with_config

from congvu.delivery.clock import FakeClock
from congvu.delivery.dsnparams import DsnEnvelope, parse_rcpt
from congvu.delivery.queue import OutboundQueue
from congvu.delivery.service import build_worker
from congvu.installation import Installation
from congvu.mail.compose import build_message
from congvu.security.dns import StaticResolver

SENDER = "admin@dongnai.gov.vn"


def letter(subject: str) -> bytes:
    return build_message(from_addr=("Quản trị", SENDER), to=["an@example.test"], subject=subject,
                         text="Nội dung đính kèm: kế hoạch năm 2026.")


def lines(report: bytes) -> bytes:
    return report.replace(b"\r\n", b"\n")


async def test_never_success_and_full_return_with_a_peer_without_dsn(routed: Installation, queue: OutboundQueue,
                                                                     clock: FakeClock, smtp_peer: SmtpPeer) -> None:
    worker = build_worker(routed, resolver=StaticResolver(), clock=clock, queue=queue)
    queue.enqueue(mail_from=SENDER, recipients=["an@example.test", "gone@example.test", "gone2@example.test"],
                  raw=letter("Kế hoạch"), submitted_by=None, dsn=DsnEnvelope("FULL", "KH-2026/01"),
                  recipient_dsn={"an@example.test": parse_rcpt(["NOTIFY=SUCCESS", "ORCPT=rfc822;An@Example.test"]),
                                 "gone@example.test": parse_rcpt(["NOTIFY=NEVER"]),
                                 "gone2@example.test": parse_rcpt(["NOTIFY=FAILURE"])})
    await worker.run_once()
    [got] = smtp_peer.handler.received
    assert got.recipients == ["an@example.test"]
    assert queue.list() == ()
    reports = inbox_messages(routed, SENDER)
    assert len(reports) == 2  # a failure report for gone2@ (gone@ said NEVER) and a "relayed" one for an@
    [failed] = [r for r in reports if b"Action: failed" in r]
    [relayed] = [r for r in reports if b"Action: relayed" in r]
    assert b"gone@example.test" not in failed and b"Final-Recipient: rfc822; gone2@example.test" in failed
    assert b"Original-Envelope-Id: KH-2026/01" in failed and b"Original-Envelope-Id: KH-2026/01" in relayed
    parsed = email.message_from_bytes(failed, policy=email.policy.default)
    [returned] = [p for p in parsed.walk() if p.get_content_type() == "message/rfc822"]  # RET=FULL
    [original] = returned.get_payload()  # type: ignore[misc]
    assert "kế hoạch năm 2026" in original.get_content() and original["subject"] == "Kế hoạch"
    assert b"Original-Recipient: rfc822; An@Example.test\nFinal-Recipient: rfc822; an@example.test\n" \
           b"Action: relayed\nStatus: 2.0.0" in lines(relayed)
    assert b"text/rfc822-headers" in relayed and b"message/rfc822" not in relayed  # success: headers only


async def test_delay_report_once_after_the_threshold(routed: Installation, clock: FakeClock,
                                                     smtp_peer: SmtpPeer) -> None:
    inst = with_config(routed, routes=routed.settings.delivery_routes, delivery={"delay_warning_hours": 0.25})
    queue = OutboundQueue(inst, clock=clock)
    worker = build_worker(inst, resolver=StaticResolver(), clock=clock, queue=queue)
    queue.enqueue(mail_from=SENDER, recipients=["temp1@example.test", "temp2@example.test", "temp3@example.test"],
                  raw=letter("Chậm"), submitted_by=None, dsn=DsnEnvelope(None, "CHAM-1"),
                  recipient_dsn={"temp2@example.test": parse_rcpt(["NOTIFY=FAILURE"]),
                                 "temp3@example.test": parse_rcpt(["NOTIFY=DELAY"])})
    await worker.run_once()
    assert inbox_messages(routed, SENDER) == []  # not late yet (15 minutes)
    clock.advance(16 * 60)
    await worker.run_once()
    [report] = inbox_messages(routed, SENDER)
    status = lines(report)
    assert b"Action: delayed\nStatus: 4.2.1" in status and b"Will-Retry-Until: " in status
    assert b"temp1@example.test" in status and b"temp3@example.test" in status  # no NOTIFY, and DELAY
    assert b"temp2@example.test" not in status  # asked for failures only
    assert b"Original-Envelope-Id: CHAM-1" in status
    subject = str(email.message_from_bytes(report, policy=email.policy.default)["subject"])
    assert subject.endswith("(Delayed mail)")
    clock.advance(10 * 60)
    await worker.run_once()
    assert len(inbox_messages(routed, SENDER)) == 1  # once per recipient
    assert {r.status for m in queue.list() for r in m.recipients} == {"queued"}
