"""Mail from outside to an alias with an outside member leaves with a rewritten sender of ours (SRS); a bounce to
that address goes back to the original sender; a forged one is refused at RCPT."""

from __future__ import annotations

import aiosmtplib
from smtp_harness import DOMAIN, PASSWORD, RawClient, SmtpServer, message, token

from congvu.delivery.queue import OutboundQueue, QueuedMessage


async def _send(server: SmtpServer, sender: str, recipient: str, raw: bytes) -> str:
    client = await RawClient.connect(server.mx)
    try:
        assert (await client.reply()).startswith("220 ")
        assert (await client.command("EHLO mail.example.org")).startswith("250")
        assert (await client.command(f"MAIL FROM:<{sender}>")).startswith("250")
        rcpt = await client.command(f"RCPT TO:<{recipient}>")
        if not rcpt.startswith("250"):
            return rcpt
        assert (await client.command("DATA")).startswith("354")
        return await client.command(raw + b".\r\n")
    finally:
        await client.close()


def _queued(server: SmtpServer, tag: str) -> list[QueuedMessage]:
    queue = OutboundQueue(server.province.inst)
    return [m for m in queue.list() if tag.encode() in queue.read(m)]


async def test_forwarded_mail_is_rewritten_and_its_bounce_comes_back(server: SmtpServer) -> None:
    tag = token()
    alias = f"chuyentiep-{tag.lower()}@{DOMAIN}"
    server.province.inst.directory.aliases.add(alias, ["thanhvien@example.net"])
    raw = message(sender="Nguyễn Gửi <nguoigui@example.org>", to=alias, subject=f"Thư chuyển tiếp {tag}")
    assert (await _send(server, "nguoigui@example.org", alias, raw)).startswith("250")
    (forwarded,) = _queued(server, tag)
    assert forwarded.mail_from.startswith("SRS0=") and forwarded.mail_from.endswith(f"=example.org=nguoigui@{DOMAIN}")
    assert [r.recipient for r in forwarded.recipients] == ["thanhvien@example.net"]

    bounce_tag = token()
    bounce = message(sender="MAILER-DAEMON@example.net", to=forwarded.mail_from, subject=f"Không gửi được {bounce_tag}")
    assert (await _send(server, "", forwarded.mail_from, bounce)).startswith("250")
    (returned,) = _queued(server, bounce_tag)
    assert returned.mail_from == "" and [r.recipient for r in returned.recipients] == ["nguoigui@example.org"]

    forged = forwarded.mail_from.replace("=nguoigui@", "=nannhan@")
    refused = await _send(server, "", forged, bounce)
    assert refused.startswith("550 5.1.1") and "invalid forwarding address" in refused


async def test_mail_submitted_by_our_own_users_keeps_its_sender(server: SmtpServer) -> None:
    tag = token()
    alias = f"nhom-{tag.lower()}@{DOMAIN}"
    server.province.inst.directory.aliases.add(alias, ["doitac@example.net"])
    raw = message(sender=f"vinhtv@{DOMAIN}", to=alias, subject=f"Thư nội bộ {tag}")
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.submission, start_tls=True,
                               tls_context=server.client_tls(), timeout=20) as client:
        await client.login(f"vinhtv@{DOMAIN}", PASSWORD)
        await client.sendmail(f"vinhtv@{DOMAIN}", [alias], raw)
    (queued,) = _queued(server, tag)
    assert queued.mail_from == f"vinhtv@{DOMAIN}"
