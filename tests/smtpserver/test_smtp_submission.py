"""Submission on 587 (STARTTLS) and 465 (implicit TLS): AUTH only under TLS, who may send as whom (a clerk as
the agency), completed headers, local delivery plus the outbound queue, no Sent copy, the ``send`` usage event."""

from __future__ import annotations

import asyncio
import base64
import smtplib

import aiosmtplib
import pytest
from smtp_harness import DOMAIN, PASSWORD, RawClient, SmtpServer, message, token
from sqlalchemy import select

from congvu.mail.fields import split_header
from congvu.store.schema import usage_events


async def _signed_in(server: SmtpServer, who: str) -> aiosmtplib.SMTP:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.submission, start_tls=True,
                             tls_context=server.client_tls(), timeout=20)
    await client.connect()
    await client.login(f"{who}@{DOMAIN}", PASSWORD)
    return client


async def test_auth_is_offered_only_after_starttls(server: SmtpServer) -> None:
    client = await RawClient.connect(server.submission)
    try:
        await client.reply()
        ehlo = await client.command("EHLO laptop")
        assert "STARTTLS" in ehlo and "AUTH" not in ehlo
        plain = base64.b64encode(f"\0vinhtv@{DOMAIN}\0{PASSWORD}".encode()).decode()
        refused = await client.command(f"AUTH PLAIN {plain}")
        assert refused.startswith("530 5.7.0") and "STARTTLS" in refused
        assert (await client.command("MAIL FROM:<vinhtv@dongnai.gov.vn>")).startswith("530 5.7.0")
        assert (await client.command("STARTTLS")).startswith("220 2.0.0")
        await client.starttls(server.client_tls())
        ehlo = await client.command("EHLO laptop")
        assert "250 AUTH PLAIN LOGIN" in ehlo and "STARTTLS" not in ehlo
        needs_auth = await client.command("MAIL FROM:<vinhtv@dongnai.gov.vn>")
        assert needs_auth.startswith("530 5.7.0") and "Authentication required" in needs_auth
        bad = base64.b64encode(f"\0vinhtv@{DOMAIN}\0wrong-{PASSWORD}".encode()).decode()
        assert (await client.command(f"AUTH PLAIN {bad}")).startswith("535 5.7.8")
        other = base64.b64encode(f"lannt@{DOMAIN}\0vinhtv@{DOMAIN}\0{PASSWORD}".encode()).decode()
        assert (await client.command(f"AUTH PLAIN {other}")).startswith("535 5.7.8")
        assert (await client.command(f"AUTH PLAIN {plain}")).startswith("235 2.7.0")
        assert (await client.command(f"AUTH PLAIN {plain}")).startswith("503 5.5.1")
        assert "AUTH" not in await client.command("EHLO laptop")
    finally:
        await client.close()


async def test_submission_delivers_locally_and_queues_outside_recipients(server: SmtpServer) -> None:
    province = server.province
    tag = token()
    raw = message(sender=f"Trần Văn Vinh <vinhtv@{DOMAIN}>", to=f"snv@{DOMAIN}, ban@example.com",
                  subject=f"Báo cáo tháng {tag}")
    client = await _signed_in(server, "vinhtv")
    try:
        refused, reply = await client.sendmail(f"vinhtv@{DOMAIN}", [f"snv@{DOMAIN}", "ban@example.com"], raw)
    finally:
        await client.quit()
    assert refused == {} and "queued as" in reply
    stored = province.find("snv", tag)
    assert len(stored) == 1
    header = split_header(stored[0])
    assert header.fields[0].key == "return-path" and header.fields[1].key == "received"
    assert b"with ESMTPSA id" in header.fields[1].value
    assert header.first("message-id") is not None and header.first("date") is not None  # RFC 6409 sections 8.2, 8.3
    assert stored[0].endswith(raw)
    queued = province.queued(tag)
    assert len(queued) == 1 and b"with ESMTPSA id" in queued[0] and b"Return-Path" not in queued[0]
    assert province.find("vinhtv", tag, "Sent") == [] and province.find("vinhtv", tag) == []
    province.inst.usage.flush()
    with province.inst.db.read() as conn:
        events = [row.detail for row in conn.execute(select(usage_events).where(usage_events.c.kind == "send"))]
    mine = [d for d in events if d and reply.rsplit("queued as ", 1)[1].startswith(str(d.get("queue_id")))]
    assert mine and mine[0]["remote"] == 1 and mine[0]["local_mailboxes"] == 1


async def test_implicit_tls_on_465_with_auth_login(server: SmtpServer) -> None:
    tag = token()
    raw = message(sender=f"vinhtv@{DOMAIN}", to=f"lannt@{DOMAIN}", subject=tag)

    def send() -> None:
        with smtplib.SMTP_SSL("127.0.0.1", server.smtps, context=server.client_tls(), timeout=20) as client:
            client.ehlo("laptop")
            assert "auth" in client.esmtp_features and "starttls" not in client.esmtp_features
            client.login(f"vinhtv@{DOMAIN}", PASSWORD)  # smtplib prefers CRAM-MD5, then PLAIN, then LOGIN
            client.sendmail(f"vinhtv@{DOMAIN}", [f"lannt@{DOMAIN}"], raw)

    await asyncio.to_thread(send)
    stored = server.province.find("lannt", tag)
    assert len(stored) == 1 and b"with ESMTPSA id" in stored[0]


SEND_AS_CASES = {
    "lannt": [
        (f"stttt@{DOMAIN}", f"Văn thư STTTT <stttt@{DOMAIN}>", True),  # a clerk as her agency
        (f"lan.cu@{DOMAIN}", f"lan.cu@{DOMAIN}", True),  # an alias of her own mailbox
        (f"snv@{DOMAIN}", f"snv@{DOMAIN}", False),  # not her agency
    ],
    "vinhtv": [
        (f"lanhdao@{DOMAIN}", f"lanhdao@{DOMAIN}", False),  # an alias of two people
        (f"vinhtv@{DOMAIN}", f"lannt@{DOMAIN}", False),  # the From field names someone else
        ("vinh@gmail.com", f"vinhtv@{DOMAIN}", False),  # an outside address
    ],
}


async def test_who_may_send_as_whom(server: SmtpServer) -> None:
    for who, cases in SEND_AS_CASES.items():
        client = await _signed_in(server, who)
        try:
            for envelope, author, ok in cases:
                tag = token()
                raw = message(sender=author, to=f"ubnd@{DOMAIN}", subject=tag)
                if ok:
                    await client.sendmail(envelope, [f"ubnd@{DOMAIN}"], raw)
                else:
                    with pytest.raises((aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError)) as refused:
                        await client.sendmail(envelope, [f"ubnd@{DOMAIN}"], raw)
                    assert refused.value.code == 550 and "5.7.1 You may not send as" in refused.value.message
                    await client.rset()
                assert len(server.province.find("ubnd", tag)) == (1 if ok else 0), (who, envelope, author)
        finally:
            await client.quit()


async def test_null_sender_and_missing_from_are_refused_on_submission(server: SmtpServer) -> None:
    client = await _signed_in(server, "vinhtv")
    try:
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as null:
            await client.mail("")
        assert null.value.code == 550 and "null sender" in null.value.message
        await client.rset()
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await client.sendmail(f"vinhtv@{DOMAIN}", [f"ubnd@{DOMAIN}"], b"Subject: no author\r\n\r\nx\r\n")
        assert refused.value.code == 550 and "no From" in refused.value.message
    finally:
        await client.quit()
