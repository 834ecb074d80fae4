"""The province's free-webmail policy in each direction (allow, warn, hold, reject), every hit counted as a
usage event; and DMARC results from the inbound verifier (reject, quarantine into Junk)."""

from __future__ import annotations

import email
import email.policy

import aiosmtplib
import pytest
from smtp_harness import DOMAIN, PASSWORD, Province, ServerFactory, SmtpServer, message, token
from sqlalchemy import select

from congvu.delivery.held import HeldMail
from congvu.delivery.queue import OutboundQueue
from congvu.mail.fields import split_header
from congvu.security.dns import StaticResolver
from congvu.smtpserver.mailauth import MailAuthChecker
from congvu.smtpserver.settings import MailPolicy, PolicyAction
from congvu.store.schema import usage_events


def _policy(**actions: PolicyAction) -> MailPolicy:
    return MailPolicy(hold_mailbox=f"postmaster@{DOMAIN}", **actions)  # type: ignore[arg-type]


def _queued_to(province: Province, tag: str) -> list[list[str]]:
    """The recipients of each queued message carrying ``tag``."""
    queue = OutboundQueue(province.inst)
    return [sorted(r.recipient for r in m.recipients) for m in queue.list() if tag.encode() in queue.read(m)]


def _free_mail_events(province: Province) -> list[dict[str, object]]:
    province.inst.usage.flush()
    with province.inst.db.read() as conn:
        rows = conn.execute(select(usage_events.c.detail).where(usage_events.c.kind == "free_mail"))
        return [dict(row.detail) for row in rows]


async def _inbound(server: SmtpServer, sender: str, to: str, tag: str) -> str:
    raw = message(sender=sender, to=to, subject=tag)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
        _refused, reply = await client.sendmail(sender, [to], raw)
    return reply


async def _submit(server: SmtpServer, to: str, tag: str) -> str:
    raw = message(sender=f"vinhtv@{DOMAIN}", to=to, subject=tag)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.submission, start_tls=True,
                               tls_context=server.client_tls(), timeout=20) as client:
        await client.login(f"vinhtv@{DOMAIN}", PASSWORD)
        _refused, reply = await client.sendmail(f"vinhtv@{DOMAIN}", [to], raw)
    return reply


async def test_inbound_reject(start_server: ServerFactory, province: Province) -> None:
    server = await start_server(policy=_policy(inbound_free_mail=PolicyAction.REJECT))
    before = len(_free_mail_events(province))
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
        await _inbound(server, "nguoidan@gmail.com", f"vinhtv@{DOMAIN}", token())
    assert refused.value.code == 550 and "free webmail services (gmail.com)" in refused.value.message
    # The author field counts too, whatever the envelope says.
    with pytest.raises(aiosmtplib.SMTPDataError) as by_author:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.mx, start_tls=False, timeout=20) as client:
            await client.sendmail("bounce@lists.example.org", [f"vinhtv@{DOMAIN}"],
                                  message(sender="Ai đó <someone@mail.yahoo.com>", to="x", subject=token()))
    assert by_author.value.code == 550 and "(yahoo.com)" in by_author.value.message
    events = _free_mail_events(province)[before:]
    assert [(e["direction"], e["action"], e["domain"]) for e in events] == [
        ("inbound", "reject", "gmail.com"), ("inbound", "reject", "yahoo.com")]


async def test_inbound_hold_goes_to_the_administrators_held_folder(start_server: ServerFactory,
                                                                  province: Province) -> None:
    server = await start_server(policy=_policy(inbound_free_mail=PolicyAction.HOLD))
    tag = token()
    reply = await _inbound(server, "nguoidan@hotmail.com", f"vinhtv@{DOMAIN}", tag)
    assert "held for review" in reply
    assert province.find("vinhtv", tag) == []
    held = province.find("admin", tag, "Held")
    assert len(held) == 1
    header = split_header(held[0])
    assert header.value("x-congvu-held-for") == f"vinhtv@{DOMAIN}".encode()
    assert b"inbound; free webmail hotmail.com" in (header.value("x-congvu-held") or b"")
    assert _free_mail_events(province)[-1] == {"direction": "inbound", "action": "hold", "domain": "hotmail.com",
                                               "recipients": 1}


async def test_inbound_warn_delivers_with_a_mark(start_server: ServerFactory, province: Province) -> None:
    server = await start_server(policy=_policy(inbound_free_mail=PolicyAction.WARN))
    tag = token()
    reply = await _inbound(server, "nguoidan@gmail.com", f"lannt@{DOMAIN}", tag)
    assert "discouraged" in reply
    stored = province.find("lannt", tag)
    assert len(stored) == 1 and b"X-CongVu-Mail-Policy: warn; sender uses free webmail (gmail.com)" in stored[0]


async def test_inbound_allow_is_the_default_and_still_counted(server: SmtpServer, province: Province) -> None:
    tag = token()
    reply = await _inbound(server, "congdan@gmail.com", f"snv@{DOMAIN}", tag)
    assert "discouraged" not in reply
    stored = province.find("snv", tag)
    assert len(stored) == 1 and b"X-CongVu-Mail-Policy" not in stored[0]
    assert _free_mail_events(province)[-1] == {"direction": "inbound", "action": "allow", "domain": "gmail.com",
                                               "recipients": 1}


async def test_outbound_warn_is_the_default_and_notifies_the_sender(server: SmtpServer, province: Province) -> None:
    tag = token()
    reply = await _submit(server, "banbe@gmail.com", tag)
    assert "warning: official mail to free webmail (gmail.com)" in reply
    assert len(province.queued(tag)) == 1
    queue_id = reply.rsplit("queued as ", 1)[1].split(";")[0].strip()
    notices = [email.message_from_bytes(raw, policy=email.policy.default)
               for raw in province.find("vinhtv", "Auto-Submitted: auto-generated")]
    mine = [n for n in notices if queue_id in n.get_body().get_content()]
    assert len(mine) == 1
    assert "hộp thư miễn phí (gmail.com)" in mine[0]["Subject"]
    assert "thư điện tử miễn phí" in mine[0].get_body().get_content()
    assert _free_mail_events(province)[-1]["action"] == "warn"


async def test_outbound_hold_and_reject(start_server: ServerFactory, province: Province) -> None:
    held_server = await start_server(policy=_policy(outbound_free_mail=PolicyAction.HOLD))
    tag = token()
    reply = await _submit(held_server, "banbe@yahoo.com.vn", tag)
    assert "held for review" in reply
    assert province.queued(tag) == []
    held = province.find("admin", tag, "Held")
    assert len(held) == 1 and b"outbound; free webmail yahoo.com.vn" in held[0]
    rejecting = await start_server(policy=_policy(outbound_free_mail=PolicyAction.REJECT))
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await _submit(rejecting, "banbe@outlook.com", token())
    (why,) = refused.value.recipients
    assert why.code == 550 and "does not allow official mail to free webmail addresses (outlook.com)" in why.message
    assert _free_mail_events(province)[-1] == {"direction": "outbound", "action": "reject", "domain": "outlook.com"}


DMARC_KEY = "_dmarc.example.net"


@pytest.mark.parametrize(("policy", "folder"), [("reject", None), ("quarantine", "Junk")])
async def test_dmarc_results_from_the_inbound_verifier(start_server: ServerFactory, province: Province,
                                                       policy: str, folder: str | None) -> None:
    resolver = StaticResolver(txt_records={DMARC_KEY: [f"v=DMARC1; p={policy}"],
                                           "example.net": ["v=spf1 -all"]})
    server = await start_server(inbound_auth=MailAuthChecker(resolver, authserv_id="mail.dongnai.gov.vn"))
    tag = token()
    if folder is None:
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await _inbound(server, "ceo@example.net", f"snv@{DOMAIN}", tag)
        assert refused.value.code == 550 and "DMARC policy of example.net" in refused.value.message
        assert province.find("snv", tag) == []
        return
    await _inbound(server, "ceo@example.net", f"snv@{DOMAIN}", tag)
    assert province.find("snv", tag) == []
    junk = province.find("snv", tag, folder)
    assert len(junk) == 1
    fields = split_header(junk[0]).fields
    assert [f.key for f in fields[:3]] == ["return-path", "received", "authentication-results"]
    assert b"dmarc=fail" in fields[2].value and b"spf=fail" in fields[2].value


async def test_an_alias_forwarding_to_free_webmail_follows_the_outbound_rule(start_server: ServerFactory,
                                                                           province: Province) -> None:
    """An alias or group with an outside free-mail member is outbound mail to free webmail too, whether the message
    came from the Internet or by submission: forwarded with a warning, held, or not forwarded; always counted."""
    tag = token()
    alias = f"banchidao-{tag.lower()}@{DOMAIN}"
    province.inst.directory.aliases.add(alias, [f"lannt@{DOMAIN}", "canbo.cu@gmail.com", "doitac@example.net"])

    warning = await start_server(policy=_policy(outbound_free_mail=PolicyAction.WARN))
    reply = await _inbound(warning, "congdan@example.org", alias, f"canh-bao {tag}")
    assert "warning: official mail to free webmail (gmail.com)" in reply
    assert len(province.find("lannt", f"canh-bao {tag}")) == 1
    assert _queued_to(province, f"canh-bao {tag}") == [["canbo.cu@gmail.com", "doitac@example.net"]]
    assert _free_mail_events(province)[-1] == {"direction": "outbound", "action": "warn", "domain": "gmail.com",
                                               "recipients": 1}

    refusing = await start_server(policy=_policy(outbound_free_mail=PolicyAction.REJECT))
    reply = await _submit(refusing, alias, f"tu-choi {tag}")
    assert "not forwarded to free webmail (gmail.com)" in reply
    assert len(province.find("lannt", f"tu-choi {tag}")) == 1  # the alias's other members still get it
    assert _queued_to(province, f"tu-choi {tag}") == [["doitac@example.net"]]
    assert _free_mail_events(province)[-1] == {"direction": "outbound", "action": "reject", "domain": "gmail.com",
                                               "recipients": 1}

    holding = await start_server(policy=_policy(outbound_free_mail=PolicyAction.HOLD))
    reply = await _inbound(holding, "congdan@example.org", alias, f"giu-lai {tag}")
    assert "held for review" in reply
    assert len(province.find("lannt", f"giu-lai {tag}")) == 1
    assert _queued_to(province, f"giu-lai {tag}") == [["doitac@example.net"]]
    (held,) = province.find("admin", f"giu-lai {tag}", "Held")
    header = split_header(held)
    assert header.value("x-congvu-held-for") == b"canbo.cu@gmail.com"
    assert b"outbound; free webmail gmail.com" in (header.value("x-congvu-held") or b"")
    # Released, the copy goes on as it would have: to the member, from a sender of ours (SRS) since it came from
    # outside.
    held_id = reply.rsplit("queued as ", 1)[1].split(";")[0].strip()
    HeldMail(province.inst).release(held_id, actor=f"admin@{DOMAIN}")
    queue = OutboundQueue(province.inst)
    (released,) = [m for m in queue.list() if f"giu-lai {tag}".encode() in queue.read(m)
                   and [r.recipient for r in m.recipients] == ["canbo.cu@gmail.com"]]
    assert released.mail_from.startswith("SRS0=") and released.mail_from.endswith(f"=congdan@{DOMAIN}")
