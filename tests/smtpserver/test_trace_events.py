"""What the SMTP listeners write to the message trace, over real sockets: refusals at MAIL, RCPT and DATA with
the reply sent, an accepted message's hops (queue id, Message-ID, the folders it went to, the outbound queue),
and mail held under the free-webmail policy: held, then released (it arrives) or discarded (the sender is told)."""

from __future__ import annotations

import email
import email.policy

import aiosmtplib
import pytest
from smtp_harness import DOMAIN, PASSWORD, Province, ServerFactory, SmtpServer, message, token

from congvu.delivery.held import HeldMail
from congvu.delivery.trace_log import TracedMessage, TraceQuery
from congvu.smtpserver.settings import MailPolicy, PolicyAction


async def _traced(start_server: ServerFactory, province: Province, **policy: PolicyAction) -> SmtpServer:
    return await start_server(trace=province.inst.trace,
                              policy=MailPolicy(hold_mailbox=f"postmaster@{DOMAIN}", **policy))  # type: ignore[arg-type]


def _one(province: Province, **query: str) -> TracedMessage:
    [found] = province.inst.trace.search(TraceQuery(**query))  # type: ignore[arg-type]
    return found


def _queue_id(reply: str) -> str:
    return reply.rsplit("queued as ", 1)[1].split(";")[0].strip()


async def _submit(server: SmtpServer, to: list[str], raw: bytes) -> str:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.submission, start_tls=True,
                               tls_context=server.client_tls(), timeout=20) as client:
        await client.login(f"vinhtv@{DOMAIN}", PASSWORD)
        _refused, reply = await client.sendmail(f"vinhtv@{DOMAIN}", to, raw)
    return reply


async def test_refused_recipient_shows_with_its_reason(start_server: ServerFactory, province: Province) -> None:
    server = await _traced(start_server, province)
    tag = token()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
        await client.ehlo()
        await client.mail(f"{tag}@example.org")
        for who in (f"khongco.{tag}@{DOMAIN}", f"antt@{DOMAIN}", f"binhlv@{DOMAIN}", f"ai@{tag}.example.net"):
            with pytest.raises(aiosmtplib.SMTPRecipientRefused):
                await client.rcpt(who)
    found = _one(province, sender=f"{tag}@example.org")
    replies = {h.recipient: (h.stage, h.code, h.enhanced, h.text) for h in found.hops}
    assert replies[f"khongco.{tag}@{DOMAIN}"] == ("RCPT", 550, "5.1.1",
                                                  f"<khongco.{tag}@{DOMAIN}>: no such mailbox here")
    assert replies[f"antt@{DOMAIN}"][2] == "5.2.1" and "disabled" in (replies[f"antt@{DOMAIN}"][3] or "")
    assert replies[f"binhlv@{DOMAIN}"][2] == "5.1.6"
    assert "relaying denied" in (replies[f"ai@{tag}.example.net"][3] or "")
    assert found.status == "failed" and {h.listener for h in found.hops} == {"smtp"}
    assert all(h.client_ip == "127.0.0.1" for h in found.hops)
    # The same refusal is found by the recipient alone, as an administrator asked "why did it not arrive?".
    assert _one(province, recipient=f"khongco.{tag}@").trace_ids == found.trace_ids


async def test_refusals_at_mail_and_data(start_server: ServerFactory, province: Province) -> None:
    server = await _traced(start_server, province, inbound_free_mail=PolicyAction.REJECT)
    tag = token()
    with pytest.raises(aiosmtplib.SMTPSenderRefused):
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
            await client.sendmail(f"{tag}@gmail.com", [f"vinhtv@{DOMAIN}"], message(sender="x", to="y", subject=tag))
    mail = _one(province, sender=f"{tag}@gmail.com").hops[0]
    assert (mail.event, mail.stage, mail.code) == ("refused", "MAIL", 550) and "(gmail.com)" in (mail.text or "")
    no_from = f"To: lannt@{DOMAIN}\r\nSubject: {tag}\r\nMessage-ID: <{tag}@dongnai.gov.vn>\r\n\r\nKhông có From.\r\n"
    with pytest.raises(aiosmtplib.SMTPDataError):
        await _submit(server, [f"lannt@{DOMAIN}"], no_from.encode())
    data = _one(province, message_id=f"<{tag}@dongnai.gov.vn>")
    [hop] = data.hops
    assert (hop.stage, hop.code, hop.enhanced, hop.recipient) == ("DATA", 550, "5.6.0", f"lannt@{DOMAIN}")
    assert "no From: field" in (hop.text or "")
    big = message(sender=f"big.{tag}@example.org", to=f"snv@{DOMAIN}", subject=tag, body=("x" * 998 + "\r\n") * 600)
    with pytest.raises(aiosmtplib.SMTPResponseException):
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
            await client.ehlo()
            await client.mail(f"big.{tag}@example.org")
            await client.rcpt(f"snv@{DOMAIN}")
            await client.data(big)
    [too_big] = _one(province, sender=f"big.{tag}@example.org").hops
    assert (too_big.stage, too_big.code, too_big.recipient) == ("DATA", 552, f"snv@{DOMAIN}")
    assert "Message too big" in (too_big.text or "")


async def test_a_delivered_message_shows_its_hops(start_server: ServerFactory, province: Province) -> None:
    server = await _traced(start_server, province)
    tag = token()
    raw = message(sender=f"vinhtv@{DOMAIN}", to=f"lannt@{DOMAIN}", subject=tag,
                  extra=f"Message-ID: <{tag}@dongnai.gov.vn>\r\n")
    reply = await _submit(server, [f"lannt@{DOMAIN}", f"cacso@{DOMAIN}", "doitac@example.test"], raw)
    found = _one(province, message_id=f"{tag}@dongnai.gov.vn")
    assert _queue_id(reply) in found.trace_ids and len(found.trace_ids) == 2  # the SMTP id and the queue's
    events = [(h.event, h.recipient, h.folder) for h in found.hops]
    assert events[0] == ("accepted", None, None)
    assert ("stored", f"lannt@{DOMAIN}", "INBOX") in events
    assert ("stored", f"cacso@{DOMAIN}", "INBOX") in events
    assert ("queued", "doitac@example.test", None) in events
    group = next(h for h in found.hops if h.recipient == f"cacso@{DOMAIN}")
    assert group.text == "2 hộp thư"  # the rule group reaches both departments' mailboxes
    assert found.hops[0].listener == "submission" and found.hops[0].text == f"queued as {_queue_id(reply)}"
    assert province.find("lannt", tag)


async def test_held_then_released_arrives(start_server: ServerFactory, province: Province) -> None:
    server = await _traced(start_server, province, inbound_free_mail=PolicyAction.HOLD)
    tag = token()
    raw = message(sender=f"nguoidan.{tag}@gmail.com", to=f"vinhtv@{DOMAIN}", subject=f"Đơn kiến nghị {tag}")
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
        _refused, reply = await client.sendmail(f"nguoidan.{tag}@gmail.com", [f"vinhtv@{DOMAIN}"], raw)
    held_id = _queue_id(reply)
    assert province.find("vinhtv", tag) == []
    service = HeldMail(province.inst)
    [held] = [h for h in service.list() if h.id == held_id]
    assert held.mail_from == f"nguoidan.{tag}@gmail.com" and held.recipients == (f"vinhtv@{DOMAIN}",)
    assert held.subject == f"Đơn kiến nghị {tag}" and held.direction == "inbound" and held.domains == ("gmail.com",)
    service.release(held_id.lower(), actor=f"admin@{DOMAIN}")
    [arrived] = province.find("vinhtv", tag)
    assert arrived.startswith(f"Return-Path: <nguoidan.{tag}@gmail.com>\r\n".encode())
    assert b"X-CongVu-Held" not in arrived and province.find("admin", tag, "Held") == []
    assert held_id not in {h.id for h in service.list()}
    events = [(h.event, h.recipient) for h in _one(province, message_id=held_id).hops]
    assert events == [("accepted", None), ("held", f"vinhtv@{DOMAIN}"), ("released", f"vinhtv@{DOMAIN}"),
                      ("stored", f"vinhtv@{DOMAIN}")]


async def test_held_then_discarded_tells_the_sender(start_server: ServerFactory, province: Province) -> None:
    server = await _traced(start_server, province, outbound_free_mail=PolicyAction.HOLD)
    tag = token()
    reply = await _submit(server, [f"banbe.{tag}@yahoo.com.vn"],
                          message(sender=f"vinhtv@{DOMAIN}", to=f"banbe.{tag}@yahoo.com.vn", subject=tag))
    held_id = _queue_id(reply)
    service = HeldMail(province.inst)
    with pytest.raises(Exception, match="lý do"):
        service.discard(held_id, reason="  ", actor=f"admin@{DOMAIN}")
    service.discard(held_id, reason="Không gửi văn bản công vụ tới hộp thư cá nhân", actor=f"admin@{DOMAIN}")
    assert province.find("admin", tag, "Held") == [] and province.queued(tag) == []
    notices = [email.message_from_bytes(raw, policy=email.policy.default)
               for raw in province.find("vinhtv", "Auto-Submitted: auto-replied")]
    bodies = [n.get_body().get_content() for n in notices]  # type: ignore[union-attr]
    [body] = [b for b in bodies if held_id in b]
    assert "Lý do: Không gửi văn bản công vụ tới hộp thư cá nhân" in body and f"banbe.{tag}@yahoo.com.vn" in body
    events = [h.event for h in _one(province, message_id=held_id).hops]
    assert events == ["accepted", "held", "discarded", "reported"]


async def test_released_package_reaches_the_document_desk(start_server: ServerFactory, province: Province) -> None:
    """An edXML package held on its way to an agency mailbox (sent from free webmail) is taken in by the document
    desk once released, as if it had arrived directly."""
    from datetime import UTC, date, datetime

    from congvu.demo.pdf import make_pdf
    from congvu.documents.mail_bridge import compose_package_mail
    from congvu.documents.service import documents_for
    from congvu.documents.transport import PackageKind
    from congvu.edxml.model import (
        Attachment,
        Code,
        EdocPackage,
        MessageHeader,
        Organization,
        PromulgationInfo,
        TraceHeader,
    )
    from congvu.edxml.writer import build_edoc

    server = await _traced(start_server, province, inbound_free_mail=PolicyAction.HOLD)
    tag = token()
    sender = Organization("H47.05", "UBND tỉnh Khánh Hòa", "Sở Nội vụ tỉnh Khánh Hòa")
    header = MessageHeader(sender=sender, to=(Organization("H19.04", "", "Sở Thông tin và Truyền thông"),),
                           code=Code("27", "SNV-VP"), promulgation_info=PromulgationInfo("Nha Trang", date(2026, 3, 5)),
                           subject=f"V/v phối hợp {tag}")
    package = build_edoc(EdocPackage(header, (TraceHeader("H47.05", datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),),
                                     attachments=(Attachment.create("cv.pdf", make_pdf([f"Cong van {tag}"])),)),
                         check=False)
    raw = compose_package_mail(package, kind=PackageKind.EDOC, document_id=f"doc-{tag}",
                               sender_address=f"vanthu.{tag}@gmail.com", recipient_address=f"stttt@{DOMAIN}")
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
        _refused, reply = await client.sendmail(f"vanthu.{tag}@gmail.com", [f"stttt@{DOMAIN}"], raw)
    held_id = _queue_id(reply)
    docs = documents_for(province.inst)
    assert not [e for e in docs.incoming.list("H19.04") if tag in e.subject]  # held: nothing arrived yet
    HeldMail(province.inst).release(held_id, actor=f"admin@{DOMAIN}")
    [entry] = [e for e in docs.incoming.list("H19.04") if tag in e.subject]
    assert entry.from_agency == "H47.05" and entry.number == "27/SNV-VP" and entry.status == "01"
