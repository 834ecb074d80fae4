"""The DSN extension on our listeners (RFC 3461): advertised, its MAIL and RCPT parameters checked (501 saying
what is wrong), kept with queued mail, and a "delivered" report (RFC 3464) for mail delivered here when the
sender asked for SUCCESS — into the sender's mailbox when the sender is ours, into the outbound queue otherwise."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import aiosmtplib
import pytest
from smtp_harness import DOMAIN, PASSWORD, RawClient, SmtpServer, message, run_swaks, token

from congvu.delivery.queue import OutboundQueue

needs_swaks = pytest.mark.skipif(not Path("/usr/bin/swaks").exists(), reason="swaks is not installed")


def status_part(report: bytes) -> str:
    parsed = email.message_from_bytes(report, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "message/delivery-status")
    return b"".join(bytes(p) for p in part.get_payload()).decode()  # type: ignore[union-attr]


@needs_swaks
async def test_swaks_sees_dsn_offered_and_plain_mail_still_flows(server: SmtpServer) -> None:
    tag = token()
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                "--to", f"snv@{DOMAIN}", "--helo", "dsn.example", "--header", f"Subject: {tag}")
    assert code == 0, out
    assert "250-DSN" in out or "250 DSN" in out, out
    assert len(server.province.find("snv", tag)) == 1


async def test_bad_dsn_parameters_get_501_with_the_reason(server: SmtpServer) -> None:
    client = await RawClient.connect(server.mx)
    try:
        await client.reply()
        await client.command("EHLO dsn.example")
        cases = {
            "MAIL FROM:<a@example.org> RET=PARTIAL": "RET must be FULL or HDRS",
            "MAIL FROM:<a@example.org> ENVID=a=b": "ENVID is not valid xtext",
            f"MAIL FROM:<a@example.org> ENVID={'x' * 101}": "ENVID is longer than 100",
            "MAIL FROM:<a@example.org> RET=FULL RET=HDRS": "RET given twice",
        }
        for command, reason in cases.items():
            answer = await client.command(command)
            assert answer.startswith("501 5.5.4") and reason in answer, (command, answer)
        assert (await client.command("MAIL FROM:<a@example.org> NOTIFY=SUCCESS")).startswith("555")  # RCPT's
        assert (await client.command("MAIL FROM:<a@example.org> RET=hdrs ENVID=Q+2B1")).startswith("250 2.1.0")
        cases = {
            f"RCPT TO:<snv@{DOMAIN}> NOTIFY=NEVER,SUCCESS": "NEVER cannot be combined",
            f"RCPT TO:<snv@{DOMAIN}> NOTIFY=SOMETIMES": "NOTIFY must be NEVER or a list",
            f"RCPT TO:<snv@{DOMAIN}> NOTIFY=SUCCESS,SUCCESS": "NOTIFY must be NEVER or a list",
            f"RCPT TO:<snv@{DOMAIN}> ORCPT=snv@{DOMAIN}": "ORCPT must be addr-type;address",
            f"RCPT TO:<snv@{DOMAIN}> ORCPT=rfc822;a+zzb@x": "ORCPT is not valid xtext",
        }
        for command, reason in cases.items():
            answer = await client.command(command)
            assert answer.startswith("501 5.5.4") and reason in answer, (command, answer)
        assert (await client.command(f"RCPT TO:<snv@{DOMAIN}> RET=FULL")).startswith("555")  # MAIL's
        ok = await client.command(f"RCPT TO:<snv@{DOMAIN}> NOTIFY=failure,Delay ORCPT=rfc822;Snv+2Bx@{DOMAIN}")
        assert ok.startswith("250 2.1.5"), ok
        await client.command("RSET")
        await client.command("HELO plain.example")  # no ESMTP: no parameters at all
        assert (await client.command("MAIL FROM:<a@example.org> RET=FULL")).startswith("501")
    finally:
        await client.close()


async def test_notify_success_on_the_mx_reports_delivery_to_the_outside_sender(server: SmtpServer) -> None:
    tag = token()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
        await client.mail("hoa@example.org", options=["RET=FULL", "ENVID=env+2B" + tag])
        await client.rcpt(f"lanhdao@{DOMAIN}", options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;Lanh.Dao@Example.Org"])
        await client.rcpt(f"snv@{DOMAIN}", options=["NOTIFY=NEVER"])
        await client.data(message(sender="hoa@example.org", to=f"lanhdao@{DOMAIN}", subject=tag))
    province = server.province
    assert len(province.find("vinhtv", tag)) == 1 and len(province.find("snv", tag)) == 1
    [report] = province.queued(tag)  # one report, for lanhdao@ only (snv@ said NEVER), queued to hoa@
    queue = OutboundQueue(province.inst)
    [entry] = [m for m in queue.list() if tag.encode() in queue.read(m)]
    assert entry.mail_from == "" and entry.is_report and entry.recipients[0].recipient == "hoa@example.org"
    status = status_part(report)
    assert f"Original-Envelope-Id: env+2B{tag}" in status
    assert "Original-Recipient: rfc822; Lanh.Dao@Example.Org" in status
    assert f"Final-Recipient: rfc822; lanhdao@{DOMAIN}" in status
    assert "Action: delivered" in status and "Status: 2.0.0" in status
    assert f"snv@{DOMAIN}" not in status
    assert b"Content-Type: text/rfc822-headers" in report  # a success report never returns the body
    subject = str(email.message_from_bytes(report, policy=email.policy.default)["subject"])
    assert subject.startswith("Thư đã được gửi tới nơi: ") and subject.endswith("(Delivery report)")
    queue.delete(entry.id)


async def test_submission_success_report_lands_in_the_senders_mailbox_and_outside_requests_are_queued(
        server: SmtpServer) -> None:
    tag = token()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.submission, start_tls=True,
                             tls_context=server.client_tls(), timeout=20)
    await client.connect()
    try:
        await client.login(f"vinhtv@{DOMAIN}", PASSWORD)
        await client.mail(f"vinhtv@{DOMAIN}", options=["RET=HDRS", f"ENVID={tag}"])
        await client.rcpt(f"lannt@{DOMAIN}", options=["NOTIFY=SUCCESS"])
        await client.rcpt("xa@example.com", options=["NOTIFY=DELAY,FAILURE", "ORCPT=rfc822;Xa@Example.com"])
        await client.data(message(sender=f"vinhtv@{DOMAIN}", to=f"lannt@{DOMAIN}", subject=tag))
    finally:
        await client.quit()
    province = server.province
    assert len(province.find("lannt", tag)) == 1
    [report] = [raw for raw in province.find("vinhtv", tag) if b"multipart/report" in raw]
    status = status_part(report)
    assert f"Original-Envelope-Id: {tag}" in status and f"Final-Recipient: rfc822; lannt@{DOMAIN}" in status
    assert "Action: delivered" in status and "xa@example.com" not in status
    queue = OutboundQueue(province.inst)
    [entry] = [m for m in queue.list() if tag.encode() in queue.read(m)]
    assert entry.dsn.ret == "HDRS" and entry.dsn.envid == tag
    [outside] = entry.recipients
    assert outside.dsn.notify == frozenset({"DELAY", "FAILURE"}) and outside.dsn.orcpt == "rfc822;Xa@Example.com"
    queue.delete(entry.id)
